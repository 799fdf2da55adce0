"""Report -> PDF with WeasyPrint; charts and maps as vector SVG; footer with company, user, time, pages.

The PDF is produced entirely in memory: a failure raises ``PdfError`` and nothing is written.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reports.charts import ChartExportError, figure_svg, map_figure
from reports.model import Chart, KeyValues, MapSection, Report, Table, Text
from services.formatting import fmt_datetime

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))


class PdfError(RuntimeError):
    """The PDF could not be produced (the message is shown to the user)."""


def report_html(report: Report, username: str = "", generated_at=None) -> str:
    """The print HTML of a report (also handy to inspect in tests)."""
    from data.models import utcnow

    sections = []
    for s in report.sections:
        if isinstance(s, KeyValues):
            sections.append({"type": "kv", "title": s.title, "items": s.items})
        elif isinstance(s, Table):
            rows = [[(c.format(r), c.numeric) for c in s.columns] for r in s.rows]
            sections.append({"type": "table", "title": s.title, "columns": s.columns, "rows": rows, "note": s.note,
                             "empty_text": s.empty_text})
        elif isinstance(s, Chart):
            sections.append({"type": "chart", "title": s.title, "svg": figure_svg(s.figure, 900, s.height)})
        elif isinstance(s, MapSection):
            sections.append({"type": "map", "title": s.title, "note": s.note,
                             "svg": figure_svg(map_figure(s), 900, s.height)})
        elif isinstance(s, Text):
            sections.append({"type": "text", "title": s.title, "paragraphs": s.paragraphs})
    moment = fmt_datetime(generated_at or utcnow())
    footer = " · ".join(p for p in (report.company or "Red Abierta", f"Usuario: {username}" if username else "",
                                    f"Generado {moment}") if p)
    return _env.get_template("report.html").render(report=report, sections=sections, footer=_css_string(footer))


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def report_pdf(report: Report, username: str | None = None) -> bytes:
    """Render a report to PDF bytes."""
    from weasyprint import HTML

    if username is None:
        from auth.session import current_actor

        username = current_actor().username
    try:
        html = report_html(report, username)
        return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()
    except ChartExportError as exc:
        raise PdfError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any rendering failure becomes a clear error
        raise PdfError("No se pudo generar el PDF. Intente nuevamente en unos minutos.") from exc

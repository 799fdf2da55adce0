"""Report -> PDF with WeasyPrint; charts and maps as vector PDF figures; footer with company, user, time, pages.

WeasyPrint lays out the text and tables with an empty, exactly sized slot for every chart and map;
meanwhile kaleido draws each figure as a vector PDF in a worker thread (it waits on Chromium, so both
run at once); then each figure page is stamped into its slot with pypdf. Drawing plotly's SVG inside
WeasyPrint instead costs ~0.4 s for a 36-month chart and seconds for a feeder map (every SVG element
goes through the HTML cascade), and the result is the same vector drawing.

The PDF is produced entirely in memory: a failure raises ``PdfError`` and nothing is written.
"""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reports.charts import ChartExportError, figure_pdf, map_figure
from reports.model import Chart, KeyValues, MapSection, Report, Table, Text
from services.formatting import fmt_datetime

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))
FIGURE_WIDTH_PX = 900  # figures are drawn at this width and scaled to the slot (the page's content width)
CONTENT_WIDTH_MM = 184  # A4 (210 mm) minus the 13 mm side margins of report.html
_figures = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-figures")  # kaleido is one server per process


class PdfError(RuntimeError):
    """The PDF could not be produced (the message is shown to the user)."""


@dataclass(frozen=True)
class FigureSlot:
    """A chart or map of the report: the figure to draw and the id of its slot in the HTML."""

    slot_id: str
    figure: object
    height_px: int

    @property
    def height_mm(self) -> float:
        """The slot's height on paper: the figure's aspect ratio at the content width."""
        return round(CONTENT_WIDTH_MM * self.height_px / FIGURE_WIDTH_PX, 2)


def report_html(report: Report, username: str = "", generated_at=None,
                slots: list[FigureSlot] | None = None) -> str:
    """The print HTML of a report (also handy to inspect in tests); figures become empty slots in ``slots``."""
    from data.models import utcnow

    slots = [] if slots is None else slots
    sections = []
    for s in report.sections:
        if isinstance(s, KeyValues):
            sections.append({"type": "kv", "title": s.title, "items": s.items})
        elif isinstance(s, Table):
            rows = [[(c.format(r), c.numeric) for c in s.columns] for r in s.rows]
            sections.append({"type": "table", "title": s.title, "columns": s.columns, "rows": rows, "note": s.note,
                             "empty_text": s.empty_text})
        elif isinstance(s, (Chart, MapSection)):
            slot = FigureSlot(f"figura-{len(slots) + 1}", s.figure if isinstance(s, Chart) else map_figure(s), s.height)
            slots.append(slot)
            sections.append({"type": "chart" if isinstance(s, Chart) else "map", "title": s.title,
                             "note": getattr(s, "note", ""), "slot": slot})
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
        slots: list[FigureSlot] = []
        html = report_html(report, username, slots=slots)
        drawn = [_figures.submit(figure_pdf, slot.figure, FIGURE_WIDTH_PX, slot.height_px) for slot in slots]
        document = HTML(string=html, base_url=str(Path(__file__).parent)).render()
        places = _slot_places(document, {slot.slot_id for slot in slots})
        body = document.write_pdf()
        figures = {slot.slot_id: future.result() for slot, future in zip(slots, drawn)}
        return _stamp(body, places, figures) if figures else body
    except ChartExportError as exc:
        raise PdfError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any rendering failure becomes a clear error
        raise PdfError("No se pudo generar el PDF. Intente nuevamente en unos minutos.") from exc


def _slot_places(document, ids: set[str]) -> dict[str, tuple[int, float, float, float, float]]:
    """Where WeasyPrint put each slot: (page index, x, y from the top, width, height) in PDF points."""
    places = {}
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            slot_id = element.get("id") if element is not None else None
            if slot_id in ids and slot_id not in places and box.width:
                # CSS px (1/96 in) to PDF points (1/72 in).
                places[slot_id] = (index, box.content_box_x() * 0.75, box.content_box_y() * 0.75,
                                   box.width * 0.75, box.height * 0.75)
    missing = ids - set(places)
    if missing:
        raise RuntimeError(f"figure slots not laid out: {sorted(missing)}")
    return places


def _stamp(body: bytes, places: dict, figures: dict[str, bytes]) -> bytes:
    """Draw each figure's PDF page into its slot (scaled to the slot's width, top-aligned).

    Each figure becomes a Form XObject painted with one ``cm``/``Do``: its content stream is copied as
    is, never parsed (pypdf's ``merge_transformed_page`` rewrites every operator, seconds for a map).
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(body)))
    for n, (slot_id, data) in enumerate(figures.items(), 1):
        index, x, top, width, _height = places[slot_id]
        figure = PdfReader(io.BytesIO(data)).pages[0]
        box = [float(v) for v in figure.mediabox]
        form = DecodedStreamObject()
        form.set_data(figure.get_contents().get_data())
        form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                     NameObject("/BBox"): ArrayObject(FloatObject(v) for v in box),
                     NameObject("/Resources"): figure["/Resources"].clone(writer)})
        name = NameObject(f"/RaFigura{n}")
        page = writer.pages[index]
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        xobjects[name] = writer._add_object(form)
        scale = width / (box[2] - box[0])
        y = float(page.mediabox.height) - top - (box[3] - box[1]) * scale
        contents = page.get("/Contents")
        streams = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        paint = DecodedStreamObject()
        paint.set_data(f"q {scale:.6f} 0 0 {scale:.6f} {x - box[0] * scale:.4f} {y - box[1] * scale:.4f} cm "
                       f"{name} Do Q\n".encode())
        # The page's own drawing is wrapped in q/Q so whatever state it leaves does not move the figure.
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(_stream(b"q\n")), *streams,
                                                     writer._add_object(_stream(b"\nQ\n")), writer._add_object(paint)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stream(data: bytes):
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def template_pdf(template: str, context: dict, username: str | None = None) -> bytes:
    """Render a document template of ``reports/templates`` (e.g. a boleta) to PDF bytes, footer included."""
    from weasyprint import HTML

    from data.models import utcnow

    if username is None:
        from auth.session import current_actor

        username = current_actor().username
    footer = " · ".join(p for p in (f"Usuario: {username}" if username else "", f"Generado {fmt_datetime(utcnow())}") if p)
    try:
        html = _env.get_template(template).render(footer=_css_string(footer), **context)
        return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()
    except Exception as exc:  # noqa: BLE001 - any rendering failure becomes a clear error
        raise PdfError("No se pudo generar el PDF. Intente nuevamente en unos minutos.") from exc

"""Render a ``Report`` as a Dash page: breadcrumb, title, Imprimir/Guardar, and its sections."""
from __future__ import annotations

import threading
from collections import OrderedDict
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.maps import leaflet_map
from components.shell import breadcrumb
from reports.model import Chart, KeyValues, Link, MapSection, Report, Table, Text

PRINT_BUTTON = "report-print"
PRINT_SINK = "report-print-sink"


def _query(report: Report, **extra) -> str:
    params = {k: (v.strftime("%Y-%m") if hasattr(v, "strftime") else v) for k, v in report.params.items()}
    return urlencode({**params, **extra})


def actions(report: Report) -> html.Div:
    """Imprimir (browser print of what is shown) and Guardar (PDF of the same view)."""
    return html.Div([
        html.Button("Imprimir", id=PRINT_BUTTON, className="btn btn-outline-primary btn-sm me-2", n_clicks=0),
        html.A("Guardar PDF", href=f"/reportes/{report.view}.pdf?{_query(report)}", className="btn btn-primary btn-sm",
               id="report-save", download=f"{report.view}.pdf"),
        html.Div(id=PRINT_SINK, hidden=True),
    ], className="view-actions no-print")


def _value(v):
    if not isinstance(v, Link):
        return v
    if v.download:
        return html.A(str(v), href=v.href, download="")
    return dcc.Link(str(v), href=v.href)


def kv_table(section: KeyValues):
    """A label/value table."""
    return html.Table(html.Tbody([html.Tr([html.Th(k), html.Td(_value(v))]) for k, v in section.items]),
                      className="table table-sm kv-table mb-0")


def grid(section: Table, report: Report | None = None):
    """A plain, printable table with a CSV link."""
    if not section.rows:
        body = html.P(section.empty_text, className="text-muted mb-0")
    else:
        head = html.Thead(html.Tr([html.Th(c.label, className="num" if c.numeric else None) for c in section.columns]))
        rows = []
        for r in section.rows:
            cells = []
            for c in section.columns:
                text = c.format(r)
                if c.kind == "link" and c.href_key and r.get(c.href_key):
                    cells.append(html.Td(dcc.Link(text, href=r[c.href_key])))
                else:
                    cells.append(html.Td(text, className="num" if c.numeric else None))
            rows.append(html.Tr(cells))
        body = html.Div(html.Table([head, html.Tbody(rows)], className="table table-sm table-hover mb-0"),
                        className="table-responsive")
    footer = []
    if section.note:
        footer.append(html.Small(section.note, className="text-muted d-block"))
    if report is not None and section.rows:
        footer.append(html.A("Descargar CSV", href=f"/reportes/{report.view}.csv?{_query(report, tabla=section.key)}",
                             className="small no-print", id=f"csv-{section.key}"))
    return html.Div([body, *footer])


def section_body(section, report: Report, index: int):
    """The body component of one section."""
    if isinstance(section, KeyValues):
        return kv_table(section)
    if isinstance(section, Table):
        return grid(section, report)
    if isinstance(section, Chart):
        return dcc.Graph(figure=section.figure, config={"displaylogo": False, "responsive": True},
                         style={"height": f"{section.height}px"}, id=f"{report.view}-chart-{section.key}")
    if isinstance(section, MapSection):
        return leaflet_map(section, f"{report.view}-map-{section.key}")
    if isinstance(section, Text):
        return html.Div([html.P(p) for p in section.paragraphs])
    raise TypeError(type(section))


_CARDS_CACHE_SIZE = 64
_cards_cache: OrderedDict[str, list] = OrderedDict()
_cards_lock = threading.Lock()


def _cards(report: Report) -> list:
    return [dbc.Col(dbc.Card([dbc.CardHeader(html.H2(s.title, className="h6 mb-0")),
                              dbc.CardBody(section_body(s, report, i))], className="shadow-sm h-100"),
                    lg=s.width, className="mb-3")
            for i, s in enumerate(report.sections)]


def report_cards(report: Report) -> list:
    """One card per section; for a shared report (``cache_key``) the components are built once per process.

    A 300-transformer feeder page is ~3,000 components (~40 ms to build). Callers get a new list each
    time and never mutate the cards themselves (pages insert their own cards into the list).
    """
    if not report.cache_key:
        return _cards(report)
    with _cards_lock:
        cards = _cards_cache.get(report.cache_key)
        if cards is not None:
            _cards_cache.move_to_end(report.cache_key)
            return list(cards)
    cards = _cards(report)
    with _cards_lock:
        _cards_cache[report.cache_key] = cards
        while len(_cards_cache) > _CARDS_CACHE_SIZE:
            _cards_cache.popitem(last=False)
    return list(cards)


def render_report(report: Report, extra_top=None) -> html.Div:
    """The page for a report: header, actions and one card per section in a responsive grid."""
    cards = report_cards(report)
    header = html.Div([
        breadcrumb(report.breadcrumb) if report.breadcrumb else None,
        html.Div([
            html.Div([html.H1(report.title, className="h4 mb-0"),
                      html.Div(report.subtitle, className="text-muted small") if report.subtitle else None,
                      html.Div(f"Datos al {report.as_of}", className="text-muted small") if report.as_of else None]),
            actions(report),
        ], className="d-flex justify-content-between align-items-start flex-wrap gap-2 mb-3"),
        html.Div(f"{report.company}", className="print-only small text-muted"),
    ])
    return html.Div([header, extra_top, dbc.Row(cards)], id=f"view-{report.view}")


def error_alert(message: str) -> dbc.Alert:
    """A Spanish error box for pages."""
    return dbc.Alert(message, color="warning", className="my-3")

"""Real-time supervision pages (Res. 248-2016-OS/CD) for the CSO supervisor; each view is a Report."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.session import current_actor
from components.report_view import render_report, section_body
from data.db import get_session
from pages.registry import PageSpec
from realtime import forms
from realtime.presentation import SUPERVISOR, clock_now
from reports.model import MapSection
from reports.views import build_view

RT_INTERVAL = "rt-interval"
RT_MAP_INTERVAL = "rt-map-interval"
RT_CONTEXT = "rt-context"
RT_BODY = "rt-body"
RT_ACK = "rt-ack"  # pattern-matching type: {"type": RT_ACK, "index": alarm_id}
RT_ACK_MSG = "rt-ack-msg"
RT_MAP_LAYER = "tiempo-real-map-instalaciones-layer-{}"  # ids made by components.maps for the status layers
RT_FORM_FIELDS = {k: f"rt-form-{k.replace('_', '-')}" for k in forms.FIELDS}
RT_FORM_COMPANY = "rt-form-company"
RT_FORM_SUBMIT = "rt-form-submit"
RT_FORM_MSG = "rt-form-msg"
RT_REVIEW_NOTE = "rt-review-note"
RT_REVIEW = "rt-review"  # pattern-matching type: {"type": RT_REVIEW, "index": decision}
RT_REVIEW_MSG = "rt-review-msg"
RT_MAINT_COMPANY = "rt-maint-company"
RT_MAINT_UPLOAD = "rt-maint-upload"
RT_MAINT_MSG = "rt-maint-msg"
LIVE_REFRESH_MS = 10_000
SUBNAV = [("Mapa", "/tiempo-real"), ("Alarmas", "/tiempo-real/alarmas"), ("Disponibilidad", "/tiempo-real/disponibilidad"),
          ("LOG", "/tiempo-real/log"), ("Conexión", "/tiempo-real/conexion"), ("Mantenimientos", "/tiempo-real/mantenimiento")]


def subnav(active: str) -> dbc.Nav:
    """Tabs between the real-time pages."""
    return dbc.Nav([dbc.NavItem(dbc.NavLink(label, href=href, active=href == active)) for label, href in SUBNAV],
                   pills=True, className="mb-3 no-print", id="rt-subnav")


def live_cards(report, skip_maps: bool = False) -> dbc.Row:
    """The report's sections as cards (optionally without its maps, which update in place)."""
    return dbc.Row([dbc.Col(dbc.Card([dbc.CardHeader(html.H2(s.title, className="h6 mb-0")),
                                      dbc.CardBody(section_body(s, report, i))], className="shadow-sm h-100"),
                            lg=s.width, className="mb-3")
                    for i, s in enumerate(report.sections) if not (skip_maps and isinstance(s, MapSection))])


def live_body(report):
    """What a live page shows below its controls (rebuilt on every refresh)."""
    if report.view == "tiempo-real":
        return live_cards(report, skip_maps=True)
    if report.view == "tiempo-real-alarmas":
        return html.Div([ack_panel(report.table("alarmas").rows), render_report(report)])
    return render_report(report)


def _live(view: str, params: dict, active: str, extra=None):
    report = build_view(view, get_session(), current_actor(), params)
    return html.Div([subnav(active), dcc.Interval(id=RT_INTERVAL, interval=LIVE_REFRESH_MS),
                     dcc.Store(id=RT_CONTEXT, data={"view": view, "params": params}),
                     extra, html.Div(live_body(report), id=RT_BODY)])


def supervision_layout(query: dict | None = None):
    """Map of installations by status; the status layers and tables refresh every 10 s."""
    params = {k: v for k, v in (query or {}).items() if k == "empresa"}
    report = build_view("tiempo-real", get_session(), current_actor(), params)
    with_map = render_report(type(report)(**{**report.__dict__, "sections": [s for s in report.sections
                                                                            if isinstance(s, MapSection)]}))
    return html.Div([subnav("/tiempo-real"), dcc.Interval(id=RT_INTERVAL, interval=LIVE_REFRESH_MS),
                     dcc.Interval(id=RT_MAP_INTERVAL, interval=LIVE_REFRESH_MS),
                     dcc.Store(id=RT_CONTEXT, data={"view": "tiempo-real", "params": params}),
                     with_map, html.Div(live_body(report), id=RT_BODY)])


def installation_layout(installation_id: int, query: dict | None = None):
    """Last-hour trends of one installation, refreshed every 10 s."""
    return _live("tiempo-real-instalacion", {"installation_id": str(installation_id)}, "/tiempo-real")


def alarms_layout(query: dict | None = None):
    """Alarm list with acknowledgement buttons for pending alarms."""
    params = {k: v for k, v in (query or {}).items() if k == "empresa"}
    return _live("tiempo-real-alarmas", params, "/tiempo-real/alarmas", html.Div(id=RT_ACK_MSG))


def ack_panel(rows: list[dict]) -> html.Div:
    """Buttons to acknowledge pending alarms (emergency first)."""
    pending = [r for r in rows if not r["acknowledged_at"]][:20]
    if not pending:
        return html.Div(dbc.Alert("No hay alarmas pendientes de reconocer.", color="success"), className="no-print")
    items = [dbc.ListGroupItem([
        html.Span(r["severity_label"], className="badge me-2 " + ("bg-danger" if r["severity"] == "emergency" else "bg-warning text-dark")),
        html.Span(f"{r['company']} · {r['installation']} · {r['message']}", className="me-2"),
        html.Small("activa" if r["active"] else "normalizada", className="text-muted me-2"),
        html.Button("Reconocer", id={"type": RT_ACK, "index": r["id"]}, n_clicks=0,
                    className="btn btn-sm btn-outline-danger float-end"),
    ], id=f"rt-alarm-{r['id']}") for r in pending]
    return html.Div([html.H2("Pendientes de reconocer", className="h6"), dbc.ListGroup(items, className="mb-3")],
                    className="no-print", id="rt-ack-panel")


def _plain(view: str, params: dict, active: str, extra=None):
    report = build_view(view, get_session(), current_actor(), params)
    return html.Div([subnav(active), extra, render_report(report)])


def availability_layout(query: dict | None = None):
    """Availability per company and semester, with previous/next semester links."""
    from realtime.availability import parse_semester

    query = query or {}
    params = {k: v for k, v in query.items() if k in ("empresa", "semestre")}
    year, half = parse_semester(params.get("semestre"), clock_now())
    prev = f"{year}-1" if half == 2 else f"{year - 1}-2"
    nxt = f"{year}-2" if half == 1 else f"{year + 1}-1"
    company = f"empresa={params['empresa']}&" if params.get("empresa") else ""
    links = html.Div([dcc.Link("← Semestre anterior", href=f"/tiempo-real/disponibilidad?{company}semestre={prev}",
                               className="btn btn-sm btn-outline-secondary me-2", id="rt-sem-prev"),
                      dcc.Link("Semestre siguiente →", href=f"/tiempo-real/disponibilidad?{company}semestre={nxt}",
                               className="btn btn-sm btn-outline-secondary", id="rt-sem-next")], className="mb-3 no-print")
    return _plain("tiempo-real-disponibilidad", params, "/tiempo-real/disponibilidad", links)


def log_layout(query: dict | None = None):
    """The LOG of failures."""
    params = {k: v for k, v in (query or {}).items() if k in ("empresa", "naturaleza")}
    return _plain("tiempo-real-log", params, "/tiempo-real/log")


def connection_layout(query: dict | None = None):
    """Forms list, one form with its review controls, and a form to register a new one."""
    from realtime.registry import visible_companies

    params = {k: v for k, v in (query or {}).items() if k == "formulario"}
    session, actor = get_session(), current_actor()
    companies = visible_companies(session, actor)
    extra = [html.Div(id=RT_REVIEW_MSG)]
    if params.get("formulario", "").isdigit():
        form = forms.get_form(session, actor, int(params["formulario"]))
        if form.status == "submitted":
            extra.append(dbc.Card(dbc.CardBody([
                html.H2(f"Revisión del formulario N° {form.id}", className="h6"),
                dbc.Textarea(id=RT_REVIEW_NOTE, placeholder="Observaciones (obligatorias para rechazar o pedir aclaración)",
                             className="mb-2"),
                dcc.Store(id="rt-review-form", data=form.id),
                html.Button("Aprobar y emitir Apéndice B", id={"type": RT_REVIEW, "index": "approved"}, n_clicks=0,
                            className="btn btn-success btn-sm me-2"),
                html.Button("Pedir aclaración", id={"type": RT_REVIEW, "index": "clarification"}, n_clicks=0,
                            className="btn btn-outline-warning btn-sm me-2"),
                html.Button("Rechazar", id={"type": RT_REVIEW, "index": "rejected"}, n_clicks=0,
                            className="btn btn-outline-danger btn-sm"),
            ]), className="mb-3 no-print shadow-sm"))
    new_form = dbc.Card([dbc.CardHeader(html.H2("Registrar un formulario recibido (Apéndice A)", className="h6 mb-0")),
                         dbc.CardBody([
                             dbc.Label("Empresa supervisada", html_for=RT_FORM_COMPANY),
                             dcc.Dropdown(id=RT_FORM_COMPANY, options=[{"label": f"{c.code} · {c.name}", "value": c.code}
                                                                       for c in companies], className="mb-2"),
                             *[_field(k, label) for k, label in forms.FIELDS.items()],
                             html.Button("Registrar formulario", id=RT_FORM_SUBMIT, n_clicks=0, className="btn btn-primary btn-sm"),
                             html.Div(id=RT_FORM_MSG, className="mt-2"),
                         ])], className="mb-3 no-print shadow-sm")
    report = build_view("tiempo-real-conexion", session, actor, params)
    return html.Div([subnav("/tiempo-real/conexion"), *extra, render_report(report), new_form])


def _field(key: str, label: str):
    fid = RT_FORM_FIELDS[key]
    if key == "protocols":
        control = dcc.Checklist(id=fid, options=list(forms.PROTOCOLS), value=[], inputClassName="me-1", labelClassName="me-3")
    elif key == "on_corporate_network":
        control = dcc.RadioItems(id=fid, options=[{"label": "No", "value": "no"}, {"label": "Sí", "value": "si"}],
                                 value=None, inline=True, inputClassName="me-1", labelClassName="me-3")
    elif key.endswith("_date"):
        control = dbc.Input(id=fid, type="date")
    else:
        control = dbc.Input(id=fid, type="text", placeholder="Separe los números con coma" if key == "contact_phones" else None)
    return html.Div([dbc.Label(label, html_for=fid, className="small mb-0"), control], className="mb-2")


def maintenance_layout(query: dict | None = None):
    """Maintenance schedules and the CSV upload."""
    from realtime.registry import visible_companies

    params = {k: v for k, v in (query or {}).items() if k == "empresa"}
    companies = visible_companies(get_session(), current_actor())
    upload = dbc.Card(dbc.CardBody([
        html.H2("Cargar programación mensual (CSV)", className="h6"),
        dcc.Dropdown(id=RT_MAINT_COMPANY, options=[{"label": f"{c.code} · {c.name}", "value": c.code} for c in companies],
                     value=params.get("empresa"), placeholder="Empresa", className="mb-2"),
        dcc.Upload(id=RT_MAINT_UPLOAD, children=html.Div(["Arrastre o ", html.A("seleccione un archivo CSV")]),
                   className="border border-2 border-secondary-subtle rounded p-3 text-center", max_size=512 * 1024),
        html.Div(id=RT_MAINT_MSG, className="mt-2"),
    ]), className="mb-3 no-print shadow-sm")
    return _plain("tiempo-real-mantenimiento", params, "/tiempo-real/mantenimiento", upload)


PAGES = [
    PageSpec(name="rt-supervision", path="/tiempo-real", title="Supervisión en tiempo real", policy=SUPERVISOR,
             layout=supervision_layout, nav_label="Tiempo real", nav_order=60,
             home_card="Mapa en vivo de las instalaciones supervisadas, alarmas, calidad «Incierto» y disponibilidad."),
    PageSpec(name="rt-installation", path="/tiempo-real/instalacion/<int:installation_id>", title="Tendencias",
             policy=SUPERVISOR, layout=installation_layout),
    PageSpec(name="rt-alarms", path="/tiempo-real/alarmas", title="Alarmas", policy=SUPERVISOR, layout=alarms_layout),
    PageSpec(name="rt-availability", path="/tiempo-real/disponibilidad", title="Índice de disponibilidad",
             policy=SUPERVISOR, layout=availability_layout),
    PageSpec(name="rt-log", path="/tiempo-real/log", title="LOG de fallas", policy=SUPERVISOR, layout=log_layout),
    PageSpec(name="rt-connection", path="/tiempo-real/conexion", title="Formularios de conexión", policy=SUPERVISOR,
             layout=connection_layout),
    PageSpec(name="rt-maintenance", path="/tiempo-real/mantenimiento", title="Mantenimientos", policy=SUPERVISOR,
             layout=maintenance_layout),
]

"""Real-time pages: live refresh, alarm acknowledgement, connection-form workflow, maintenance upload."""
from __future__ import annotations

import base64

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, no_update

from auth.policy import secure_callback
from auth.scope import AccessDenied
from auth.session import current_actor
from components.shell import URL
from data.db import get_session
from pages import realtime as page
from realtime.presentation import SUPERVISOR, clock_now
from reports.views import VIEWS, parse_params

STATUS_LAYERS = range(2, 6)  # base, pipelines, then normal / alarm / incierto / sin datos


def _report(context: dict):
    """Rebuild a live view (no access-log entry per refresh: the page load recorded it)."""
    spec = VIEWS[context["view"]]
    return spec.build(get_session(), current_actor(), **parse_params(spec, context.get("params") or {}))


def refresh(_n, context):
    """Rebuild the live part of the page."""
    if not context or context.get("view") not in VIEWS:
        return no_update
    return page.live_body(_report(context))


def refresh_map(_n, context):
    """New data for the four status layers (the map keeps the user's zoom and position)."""
    report = _report(context)
    section = next(s for s in report.sections if s.key == "instalaciones")
    return [{"type": "FeatureCollection", "features": section.layers[i].features} for i in STATUS_LAYERS]


def acknowledge(clicks, context):
    """Acknowledge the clicked alarm, then redraw the list."""
    from realtime.alarms import acknowledge as ack

    trigger = ctx.triggered_id
    if not trigger or not any(clicks or []) or not ctx.triggered[0].get("value"):
        return no_update, no_update
    alarm = ack(get_session(), current_actor(), int(trigger["index"]), clock_now())
    get_session().flush()
    msg = dbc.Alert(f"Alarma reconocida por {alarm.acknowledged_by}.", color="success", duration=6000, id="rt-ack-done")
    return page.live_body(_report(context)), msg


def submit_form(n, company_code, *values):
    """Register an Appendix A form received from a company."""
    from realtime import forms
    from realtime.registry import company_by_code

    if not n:
        return no_update, no_update
    if not company_code:
        return dbc.Alert("Seleccione la empresa.", color="warning"), no_update
    session, actor = get_session(), current_actor()
    company = company_by_code(session, actor, company_code)
    data = dict(zip(page.RT_FORM_FIELDS, values))
    try:
        form = forms.submit(session, actor, company, data, clock_now().date())
    except forms.FormError as exc:
        return dbc.Alert([dbc.Label("El formulario tiene observaciones:"),
                          *[dbc.Label(f"• {m}", className="d-block") for m in exc.problems.values()]],
                         color="danger", id="rt-form-problems"), no_update
    return no_update, f"/tiempo-real/conexion?formulario={form.id}"


def review_form(clicks, form_id, note):
    """Approve (issuing Appendix B), reject or ask for clarification."""
    from realtime import forms

    if not ctx.triggered_id or not any(clicks or []):
        return no_update, no_update
    session = get_session()
    form = forms.get_form(session, current_actor(), int(form_id))
    try:
        forms.review(session, current_actor(), form, ctx.triggered_id["index"], note or "", clock_now())
    except forms.FormError as exc:
        return dbc.Alert(" ".join(exc.problems.values()), color="danger"), no_update
    return no_update, f"/tiempo-real/conexion?formulario={form.id}&r={form.status}"


def upload_schedule(contents, filename, company_code):
    """Store an uploaded maintenance schedule."""
    from realtime import maintenance
    from realtime.registry import company_by_code

    if not contents:
        return no_update, no_update
    if not company_code:
        return dbc.Alert("Seleccione la empresa antes de cargar el archivo.", color="warning"), no_update
    try:
        text = base64.b64decode(contents.split(",", 1)[1]).decode("utf-8-sig")
    except (ValueError, UnicodeDecodeError, IndexError):
        return dbc.Alert("El archivo debe ser un CSV en UTF-8.", color="danger"), no_update
    session, actor = get_session(), current_actor()
    now = clock_now()
    try:
        windows = maintenance.upload(session, actor, company_by_code(session, actor, company_code), text,
                                     now.date(), now)
    except maintenance.ScheduleError as exc:
        return dbc.Alert([f"{filename or 'Archivo'}: ", *[f"{p} " for p in exc.problems[:10]]], color="danger"), no_update
    except AccessDenied as exc:
        return dbc.Alert(exc.message, color="danger"), no_update
    late = sum(not w.accepted for w in windows)
    return dbc.Alert(f"{len(windows)} mantenimiento(s) cargados; {late} fuera de plazo.", color="success"), \
        f"/tiempo-real/mantenimiento?empresa={company_code}"


def register(dash_app) -> None:
    """Register the real-time callbacks (all for the CSO supervisor)."""
    secure_callback(dash_app, SUPERVISOR, Output(page.RT_BODY, "children"), Input(page.RT_INTERVAL, "n_intervals"),
                    State(page.RT_CONTEXT, "data"), prevent_initial_call=True)(refresh)
    secure_callback(dash_app, SUPERVISOR, *[Output(page.RT_MAP_LAYER.format(i), "data") for i in STATUS_LAYERS],
                    Input(page.RT_MAP_INTERVAL, "n_intervals"), State(page.RT_CONTEXT, "data"),
                    prevent_initial_call=True)(refresh_map)
    secure_callback(dash_app, SUPERVISOR, Output(page.RT_BODY, "children", allow_duplicate=True),
                    Output(page.RT_ACK_MSG, "children"), Input({"type": page.RT_ACK, "index": ALL}, "n_clicks"),
                    State(page.RT_CONTEXT, "data"), prevent_initial_call=True)(acknowledge)
    secure_callback(dash_app, SUPERVISOR, Output(page.RT_FORM_MSG, "children"), Output(URL, "href", allow_duplicate=True),
                    Input(page.RT_FORM_SUBMIT, "n_clicks"), State(page.RT_FORM_COMPANY, "value"),
                    *[State(fid, "value") for fid in page.RT_FORM_FIELDS.values()], prevent_initial_call=True)(submit_form)
    secure_callback(dash_app, SUPERVISOR, Output(page.RT_REVIEW_MSG, "children"), Output(URL, "href", allow_duplicate=True),
                    Input({"type": page.RT_REVIEW, "index": ALL}, "n_clicks"), State("rt-review-form", "data"),
                    State(page.RT_REVIEW_NOTE, "value"), prevent_initial_call=True)(review_form)
    secure_callback(dash_app, SUPERVISOR, Output(page.RT_MAINT_MSG, "children"), Output(URL, "href", allow_duplicate=True),
                    Input(page.RT_MAINT_UPLOAD, "contents"), State(page.RT_MAINT_UPLOAD, "filename"),
                    State(page.RT_MAINT_COMPANY, "value"), prevent_initial_call=True)(upload_schedule)

"""Audit trail of SEC users' accesses (who, what, when) with filters, print, PDF and CSV."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from api.core import ApiError
from auth.session import current_actor
from components.pager import current_page, paginate, pager
from components.report_view import error_alert, render_report
from data.db import get_session
from pages.registry import PageSpec
from reports.views import build_view
from services.audit_trail import ACTION_LABELS, audit_choices
from services.views.sec import SEC_ONLY

PATH = "/sec/auditoria"
AUDIT_FORM = "sec-audit-form"
AUDIT_USER = "sec-audit-user"
AUDIT_ACTION = "sec-audit-action"
AUDIT_SINCE = "sec-audit-since"
AUDIT_UNTIL = "sec-audit-until"
AUDIT_SUBMIT = "sec-audit-submit"
AUDIT_PAGER = "sec-audit-pager"
PAGE_SIZE = 50
FILTERS = ("usuario", "accion", "desde", "hasta")


def filter_form(query: dict) -> html.Form:
    """Filters by user, action and date range (a GET form: filtered views have their own URL)."""
    users, actions = audit_choices(get_session())
    any_option = [{"label": "Todos", "value": ""}]
    return html.Form(dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col([dbc.Label("Usuario", html_for=AUDIT_USER),
                 dbc.Select(id=AUDIT_USER, name="usuario", value=query.get("usuario", ""),
                            options=any_option + [{"label": u, "value": u} for u in users])], md=3),
        dbc.Col([dbc.Label("Acción", html_for=AUDIT_ACTION),
                 dbc.Select(id=AUDIT_ACTION, name="accion", value=query.get("accion", ""),
                            options=any_option + [{"label": ACTION_LABELS.get(a, a), "value": a} for a in actions])], md=3),
        dbc.Col([dbc.Label("Desde", html_for=AUDIT_SINCE),
                 dbc.Input(id=AUDIT_SINCE, name="desde", type="date", value=query.get("desde", ""))], md=2),
        dbc.Col([dbc.Label("Hasta", html_for=AUDIT_UNTIL),
                 dbc.Input(id=AUDIT_UNTIL, name="hasta", type="date", value=query.get("hasta", ""))], md=2),
        dbc.Col(html.Button("Filtrar", type="submit", id=AUDIT_SUBMIT, className="btn btn-primary w-100"),
                md=2, className="d-flex align-items-end"),
    ], className="g-2")), className="shadow-sm mb-3"), action=PATH, method="GET", id=AUDIT_FORM, className="no-print")


def layout(query: dict | None = None):
    """The filtered audit trail, paginated (PDF and CSV export every filtered row)."""
    query = query or {}
    raw = {k: query[k].strip() for k in FILTERS if (query.get(k) or "").strip()}
    try:
        report = build_view("sec-auditoria", get_session(), current_actor(), raw)
    except ApiError as exc:
        details = "; ".join(f"{d['field']}: {d['reason']}" for d in exc.details)
        return html.Div([filter_form(query), error_alert(f"{exc.message} {details}")])
    shown, page, pages = paginate(report, "accesos", current_page(query), PAGE_SIZE)
    return html.Div([filter_form(query), render_report(shown), pager(PATH, raw, page, pages, AUDIT_PAGER)])


PAGE = PageSpec(name="sec-audit", path=PATH, title="Auditoría SEC", policy=SEC_ONLY, layout=layout,
                nav_label="Auditoría", nav_order=70,
                home_card="Registro de cada acceso de los usuarios SEC (quién, qué y cuándo), con filtros y CSV.")

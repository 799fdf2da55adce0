"""BUSCAR CLIENTE (Anexo 1 fig. 20-21): SEC auditors search any client; operators their company's."""
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
from services.client_search import SEARCH_FIELDS
from services.views.sec import CLIENT_SEARCH

PATH = "/sec/clientes"
SEARCH_FORM = "sec-clients-form"
SEARCH_BY = "sec-clients-by"
SEARCH_TEXT = "sec-clients-q"
SEARCH_SUBMIT = "sec-clients-submit"
SEARCH_PAGER = "sec-clients-pager"
PAGE_SIZE = 25


def search_form(by: str, text: str) -> html.Form:
    """The fig. 20 form: criterion, text and BUSCAR (a GET form, so every result has its URL)."""
    return html.Form(dbc.Card(dbc.CardBody([
        html.H2("BUSCAR CLIENTE", className="h6 fw-bold"),
        dbc.RadioItems(id=SEARCH_BY, name="por", value=by, inline=True, className="mb-2",
                       options=[{"label": label.upper(), "value": key} for key, label in SEARCH_FIELDS.items()]),
        dbc.InputGroup([
            dbc.Input(id=SEARCH_TEXT, name="q", value=text, maxLength=80, required=True, autoComplete="off",
                      placeholder="Ej.: 12.345.678-5, 1234, Av. Los Álamos"),
            html.Button("BUSCAR", type="submit", id=SEARCH_SUBMIT, className="btn btn-danger fw-semibold"),
        ]),
        html.Small("Búsqueda parcial, sin distinguir mayúsculas ni tildes; el RUT con o sin puntos y guion.",
                   className="text-muted"),
    ]), className="shadow-sm mb-3"), action=PATH, method="GET", id=SEARCH_FORM, className="no-print")


def layout(query: dict | None = None):
    """Search form and the DETALLE CLIENTES grid of the current query."""
    query = query or {}
    by = query.get("por") if query.get("por") in SEARCH_FIELDS else "rut"
    text = (query.get("q") or "").strip()
    raw = {"por": by, **({"q": text} if text else {})}
    try:
        report = build_view("sec-clientes", get_session(), current_actor(), raw)
    except ApiError as exc:
        return html.Div([search_form(by, text), error_alert(f"{exc.message} {exc.details or ''}")])
    shown, page, pages = paginate(report, "clientes", current_page(query), PAGE_SIZE)
    return html.Div([search_form(by, text), render_report(shown), pager(PATH, raw, page, pages, SEARCH_PAGER)])


PAGE = PageSpec(name="sec-clients", path=PATH, title="Buscar cliente", policy=CLIENT_SEARCH, layout=layout,
                nav_label="Buscar cliente", nav_order=60,
                home_card="Buscar clientes por N° de cliente, dirección o RUT y abrir su detalle o su EG.")

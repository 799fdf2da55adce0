"""VNR search (Anexo 1 §2.5, fig. 17-18): a code in ``?codigo=`` shows its cost breakdown per company."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from api.core import ApiError
from auth.policy import NETWORK
from auth.session import current_actor
from components.report_view import error_alert, render_report
from components.shell import breadcrumb
from data.db import get_session
from pages.registry import PageSpec
from reports.views import build_view

VNR_CODE = "vnr-code"
VNR_SUBMIT = "vnr-submit"
VNR_RESULT = "vnr-result"


def search_form(code: str) -> dbc.Card:
    """Fig. 17: BUSCAR POR VNR."""
    return dbc.Card([
        dbc.CardHeader(html.H1("BUSCAR POR VNR", className="h6 mb-0")),
        dbc.CardBody(dbc.Row([
            dbc.Label("Código VNR", html_for=VNR_CODE, width="auto", className="fw-semibold"),
            dbc.Col(dbc.Input(id=VNR_CODE, type="text", value=code, maxLength=32, autoComplete="off",
                              placeholder="por ejemplo: TD-3F-045"), md=5),
            dbc.Col(html.Button("BUSCAR", id=VNR_SUBMIT, n_clicks=0, className="btn btn-danger fw-semibold px-4"),
                    width="auto"),
        ], className="g-2 align-items-center")),
    ], className="shadow-sm mb-3 no-print")


def layout(query: dict | None = None):
    """The search form and, with ``?codigo=``, the registered VNR view."""
    code = (query or {}).get("codigo", "").strip()
    if not code:
        return html.Div([breadcrumb([("Inicio", "/"), ("Búsqueda VNR", None)]), search_form(""),
                         html.Div(id=VNR_RESULT)])
    try:
        report = build_view("vnr", get_session(), current_actor(), {"codigo": code})
    except ApiError as exc:
        return html.Div([breadcrumb([("Inicio", "/"), ("Búsqueda VNR", "/red/vnr"), (code[:32], None)]),
                         search_form(code[:32]), html.Div(error_alert(exc.message), id="vnr-not-found")])
    return html.Div(render_report(report, extra_top=search_form(code[:32])), id=VNR_RESULT)


PAGE = PageSpec(name="vnr", path="/red/vnr", title="Búsqueda VNR", policy=NETWORK, layout=layout,
                nav_label="Búsqueda VNR", nav_order=40,
                home_card="Desglose de costos de un código VNR: recargos, montaje, ingeniería e intereses.")

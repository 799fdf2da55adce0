"""Exchange status for company operators (their company) and SEC (any company): loads and batches."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from sqlalchemy import select

from api.core import ApiError
from auth.session import current_actor
from components.report_view import error_alert, render_report
from data.db import get_session
from data.models import DistributionCompany
from pages.registry import PageSpec
from reports.views import build_view
from services.views.exchange_status import EXCHANGE_READERS

PATH = "/empresa/intercambio"
STATUS_COMPANIES = "exchange-status-companies"


def _company_links(current: str) -> html.Div:
    codes = get_session().scalars(select(DistributionCompany.code).order_by(DistributionCompany.code))
    return html.Div([dcc.Link(code, href=f"{PATH}?empresa={code}",
                              className="btn btn-sm me-2 " + ("btn-primary" if code == current else "btn-outline-primary"))
                     for code in codes], id=STATUS_COMPANIES, className="mb-3 no-print")


def layout(query: dict | None = None):
    """Summary, initial loads and batches of the company (SEC chooses the company)."""
    query = query or {}
    actor = current_actor()
    raw = {"empresa": query["empresa"]} if query.get("empresa") else {}
    try:
        report = build_view("intercambio", get_session(), actor, raw)
    except ApiError as exc:
        return error_alert(exc.message)
    top = _company_links(report.params["empresa"]) if actor.role == "sec" else html.Div(
        dcc.Link("Administrar tokens de intercambio", href="/empresa/tokens", className="btn btn-outline-primary btn-sm"),
        className="mb-3 no-print")
    return render_report(report, extra_top=top)


PAGE = PageSpec(name="exchange-status", path=PATH, title="Intercambio SEC", policy=EXCHANGE_READERS, layout=layout,
                nav_label="Intercambio SEC", nav_order=80,
                home_card="Estado de la carga inicial y de los lotes diarios enviados a SEC (aceptados o rechazados).")

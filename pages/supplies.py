"""Mis suministros: the supplies a client holds; choose one (a single supply opens directly)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.policy import CLIENT_ROLES, role_set
from auth.session import current_actor
from data.db import get_session
from pages.registry import PageSpec
from services.clients import list_supplies

SUPPLIES_LIST = "supplies-list"
SUPPLIES_REDIRECT = "supplies-redirect"


def layout(query: dict | None = None):
    """Cards for each supply; with exactly one, go straight to it."""
    supplies = list_supplies(get_session(), current_actor())
    header = html.Div([html.H1("Mis suministros", className="h4 mb-1"),
                       html.P("Elija el suministro que desea consultar.", className="text-muted")])
    if not supplies:
        return html.Div([header, dbc.Alert("Su cuenta no tiene suministros asociados. Contacte a su empresa distribuidora.",
                                           color="info")])
    if len(supplies) == 1 and not (query or {}).get("todos"):
        return html.Div([dcc.Location(id=SUPPLIES_REDIRECT, href=supplies[0]["href"], refresh=True),
                         dcc.Link("Abrir mi suministro", href=supplies[0]["href"])])
    cards = [dbc.Col(dbc.Card(dbc.CardBody([
        html.H2(f"Suministro N° {s['client_number']}", className="h6"),
        html.Div(s["name"], className="fw-semibold"),
        html.Div(f"{s['address']}, {s['comuna']}", className="small text-muted"),
        html.Div(s["company"], className="small text-muted mb-2"),
        dbc.Badge("Cliente EG (netbilling)", color="success", className="mb-2") if s["is_eg"] else None,
        html.Div(dcc.Link("Ver información", href=s["href"], className="btn btn-primary btn-sm",
                          id=f"supply-open-{s['id']}")),
    ]), className="h-100 shadow-sm"), md=6, lg=4, className="mb-3") for s in supplies]
    return html.Div([header, dbc.Row(cards, id=SUPPLIES_LIST)])


PAGE = PageSpec(name="supplies", path="/mis-suministros", title="Mis suministros", policy=role_set(CLIENT_ROLES),
                layout=layout, nav_label="Mis suministros", nav_order=5,
                home_card="Información de su suministro: datos, consumos, cargos, boletas, inyecciones y remanentes.")

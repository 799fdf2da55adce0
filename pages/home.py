"""Home page: an entry card for every profile the user may use (built from page metadata)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import current_app

from auth.policy import PUBLIC
from auth.session import current_actor
from pages.registry import PageSpec

HOME_CARDS = "home-cards"


def layout(query: dict | None = None):
    """Cards for each page with a ``home_card`` the current role may open."""
    actor = current_actor()
    registry = current_app.extensions["ra_pages"]
    cards = []
    for page in sorted(registry.pages.values(), key=lambda p: p.nav_order):
        if not page.home_card or page.name == "home":
            continue
        allowed = page.policy.allows(actor.role)
        if actor.role is not None and not allowed:
            continue
        cards.append(dbc.Col(dbc.Card(dbc.CardBody([
            html.H3(page.title, className="h5"),
            html.P(page.home_card, className="text-muted small mb-3"),
            dcc.Link("Abrir" if allowed else "Ingresar para ver", href=page.path if allowed else f"/login?next={page.path}",
                     className="btn btn-primary btn-sm" if allowed else "btn btn-outline-primary btn-sm"),
        ]), className="h-100 shadow-sm"), md=6, lg=4, className="mb-3"))
    intro = html.Div([
        html.H1("Red Abierta", className="h3 mb-1"),
        html.P("Información pública de las redes de distribución eléctrica para evaluar conexiones de PMGD y "
               "Equipamiento de Generación, información de clientes y auditoría SEC.", className="lead"),
    ], className="mb-3")
    if actor.role is None:
        intro.children.append(dbc.Alert([
            "Para acceder a la información debe ", dcc.Link("ingresar", href="/login"),
            " o registrarse como usuario. El registro sólo se utiliza para el seguimiento del acceso.",
        ], color="info"))
    return html.Div([intro, dbc.Row(cards, id=HOME_CARDS)])


PAGE = PageSpec(name="home", path="/", title="Inicio", policy=PUBLIC, layout=layout)

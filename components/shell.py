"""The app shell: navbar, content area and footer; the router fills the content."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

URL = "url"
CONTENT = "page-content"
NAVBAR = "navbar"
PAGE_META = "page-meta"
TITLE_SINK = "title-sink"

ROLE_LABELS = {
    "public": "Usuario registrado",
    "client": "Cliente",
    "eg_client": "Cliente EG",
    "sec": "Auditor SEC",
    "operator": "Operador distribuidora",
    "supervisor": "Supervisor CSO",
}


def shell() -> html.Div:
    """The static layout served to everyone (it holds no data)."""
    return html.Div([
        dcc.Location(id=URL, refresh="callback-nav"),
        dcc.Store(id=PAGE_META),
        html.Div(id=TITLE_SINK, hidden=True),
        html.Div(id=NAVBAR, className="no-print"),
        html.Main(id=CONTENT, className="container-xxl py-3", role="main"),
        html.Footer(
            html.Div([
                html.Span("Red Abierta — información pública de redes de distribución (Anexo 1 SEC) "
                          "y supervisión en tiempo real (Res. 248-2016-OS/CD)."),
            ], className="container-xxl small text-muted py-3"),
            className="border-top mt-4 no-print",
        ),
    ])


def navbar(items: list[tuple[str, str]], user_label: str | None, role: str | None, csrf: str) -> dbc.Navbar:
    """The navbar for the current user: links allowed for the role, and sign-in/out."""
    links = [dbc.NavItem(dbc.NavLink(label, href=href, className="px-2")) for label, href in items]
    if user_label:
        right = [
            html.Span([html.Span(user_label, className="fw-semibold"), html.Br(),
                       html.Small(ROLE_LABELS.get(role or "", role or ""), className="text-white-50")],
                      className="text-white me-3 small lh-sm", id="nav-user"),
            dbc.NavLink("Mi cuenta", href="/cuenta", className="text-white-50 me-2 small"),
            html.Form([
                dcc.Input(type="hidden", name="csrf_token", value=csrf),
                html.Button("Salir", type="submit", className="btn btn-outline-light btn-sm", id="nav-logout"),
            ], action="/auth/logout", method="POST", className="d-inline"),
        ]
    else:
        right = [dbc.NavLink("Ingresar", href="/login", className="btn btn-light btn-sm text-primary px-3",
                             id="nav-login")]
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand([html.Span("⚡", className="me-1"), "Red Abierta"], href="/", className="fw-bold"),
            dbc.Nav(links, navbar=True, className="me-auto"),
            html.Div(right, className="d-flex align-items-center"),
        ], fluid="xxl"),
        color="primary", dark=True, className="mb-0 shadow-sm",
    )


def breadcrumb(items: list[tuple[str, str | None]]) -> html.Nav:
    """REGION > COMUNA > ... trail; the last item is the current view."""
    crumbs = []
    for i, (label, href) in enumerate(items):
        last = i == len(items) - 1
        crumbs.append(html.Li(label if last or not href else dcc.Link(label, href=href),
                              className="breadcrumb-item" + (" active" if last else "")))
    return html.Nav(html.Ol(crumbs, className="breadcrumb mb-2"), **{"aria-label": "ruta"})


def message_page(title: str, text: str, code: str | None = None, link: tuple[str, str] | None = ("Volver al inicio", "/")):
    """A simple centred message (404, 403, errors)."""
    return dbc.Row(dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(code, className="display-4 text-muted") if code else None,
        html.H2(title, className="h4"),
        html.P(text, className="text-muted"),
        dcc.Link(link[0], href=link[1], className="btn btn-primary") if link else None,
    ]), className="text-center shadow-sm my-5"), md=6), justify="center")

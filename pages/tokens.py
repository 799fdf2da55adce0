"""My account › API tokens: personal bearer tokens for the /api/v1 JSON twin (issue once, list, revoke)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.policy import SIGNED_IN
from auth.session import current_actor
from components.shell import breadcrumb
from data.db import get_session
from pages.registry import PageSpec
from services.formatting import fmt_datetime
from services.personal_tokens import TokenInfo, list_personal_tokens

TOKENS_NAME = "tokens-name"
TOKENS_CREATE = "tokens-create"
TOKENS_NEW = "tokens-new"
TOKENS_LIST = "tokens-list"
TOKENS_REVOKE = "tokens-revoke"  # pattern-matching id type: {"type": TOKENS_REVOKE, "index": token id}


def token_table(tokens: list[TokenInfo]):
    """The user's tokens by prefix, with a revoke button on active ones."""
    if not tokens:
        return html.P("Aún no tiene tokens.", className="text-muted mb-0", id="tokens-empty")
    rows = []
    for t in tokens:
        status = dbc.Badge("Activo", color="success") if t.active else dbc.Badge(
            f"Revocado {fmt_datetime(t.revoked_at)}", color="secondary")
        action = html.Button("Revocar", id={"type": TOKENS_REVOKE, "index": t.id}, n_clicks=0,
                             className="btn btn-outline-danger btn-sm") if t.active else None
        rows.append(html.Tr([html.Td(html.Code(f"ra_{t.prefix}_…")), html.Td(t.name), html.Td(fmt_datetime(t.created_at)),
                             html.Td(fmt_datetime(t.last_used_at) if t.last_used_at else "Nunca"), html.Td(status),
                             html.Td(action)], className="token-row" + ("" if t.active else " text-muted")))
    head = html.Thead(html.Tr([html.Th("Prefijo"), html.Th("Nombre"), html.Th("Creado"), html.Th("Último uso"),
                               html.Th("Estado"), html.Th("")]))
    return html.Div(html.Table([head, html.Tbody(rows)], className="table table-sm align-middle mb-0"),
                    className="table-responsive")


def new_token_box(plaintext: str, name: str):
    """The freshly issued token, shown once."""
    return dbc.Alert([
        html.Strong(f"Token «{name}» creado. "),
        "Cópielo ahora: por seguridad no se volverá a mostrar.",
        html.Pre(plaintext, className="bg-white border rounded p-2 mt-2 mb-1 user-select-all", id="tokens-plaintext"),
        html.Small(["Úselo en el encabezado ", html.Code("Authorization: Bearer <token>"), " de las solicitudes a ",
                    html.Code("/api/v1/…"), "."]),
    ], color="success")


def layout(query: dict | None = None):
    """Issue, list and revoke personal API tokens."""
    tokens = list_personal_tokens(get_session(), current_actor())
    return html.Div([
        breadcrumb([("Inicio", "/"), ("Mi cuenta", "/cuenta"), ("Tokens de API", None)]),
        html.H1("Tokens de API", className="h4"),
        html.P(["Los tokens personales permiten consultar con programas los mismos datos que ve en el sitio, a través "
                "de la API JSON (", html.A("documento OpenAPI", href="/api/v1/openapi.json", target="_blank"),
                "). Cada token actúa con sus permisos y sus consultas quedan registradas en el log de accesos."],
               className="text-muted"),
        dbc.Card(dbc.CardBody([
            dbc.Label("Nombre del nuevo token", html_for=TOKENS_NAME),
            dbc.InputGroup([
                dbc.Input(id=TOKENS_NAME, type="text", maxLength=120, placeholder="por ejemplo: planilla de consulta"),
                html.Button("Crear token", id=TOKENS_CREATE, n_clicks=0, className="btn btn-primary"),
            ]),
            html.Div(id=TOKENS_NEW, className="mt-3"),
        ]), className="shadow-sm mb-3"),
        dbc.Card([dbc.CardHeader(html.H2("Mis tokens", className="h6 mb-0")),
                  dbc.CardBody(html.Div(token_table(tokens), id=TOKENS_LIST))], className="shadow-sm"),
        html.P(dcc.Link("Volver a Mi cuenta", href="/cuenta"), className="mt-3 small"),
    ])


PAGE = PageSpec(name="account-tokens", path="/cuenta/tokens", title="Tokens de API", policy=SIGNED_IN, layout=layout)

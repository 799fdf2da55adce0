"""Exchange tokens of the operator's company: issue (shown once), list by prefix, revoke."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from auth.policy import roles
from auth.session import current_actor
from data.db import get_session
from pages.registry import PageSpec
from services.exchange_admin import list_tokens
from services.formatting import fmt_datetime

PATH = "/empresa/tokens"
TOKENS_NAME = "exchange-tokens-name"
TOKENS_ISSUE = "exchange-tokens-issue"
TOKENS_RESULT = "exchange-tokens-result"
TOKENS_TABLE = "exchange-tokens-table"
TOKENS_REVOKE_SELECT = "exchange-tokens-revoke-select"
TOKENS_REVOKE = "exchange-tokens-revoke"
OPERATORS = roles("operator", description="company operators")


def token_table(tokens) -> html.Div:
    """The company's tokens by prefix (the secret is never shown again)."""
    if not tokens:
        return html.P("La empresa no tiene tokens de intercambio.", className="text-muted")
    rows = [html.Tr([html.Td(html.Code(f"ra_{t.prefix}_…")), html.Td(t.name), html.Td(fmt_datetime(t.created_at)),
                     html.Td(fmt_datetime(t.last_used_at)),
                     html.Td(dbc.Badge("Revocado", color="secondary") if t.revoked_at else dbc.Badge("Activo", color="success"))])
            for t in tokens]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Prefijo", "Nombre", "Emitido", "Último uso", "Estado")]))
    return html.Div(html.Table([head, html.Tbody(rows)], className="table table-sm mb-0"), className="table-responsive")


def revoke_options(tokens) -> list[dict]:
    """Active tokens to choose from when revoking."""
    return [{"label": f"ra_{t.prefix}_… · {t.name}", "value": t.id} for t in tokens if t.revoked_at is None]


def layout(query: dict | None = None):
    """Issue form, revoke form and the token list."""
    tokens = list_tokens(get_session(), current_actor())
    return html.Div([
        html.H1("Tokens de intercambio", className="h4"),
        html.P("Los sistemas de la empresa envían los lotes diarios a POST /api/v1/exchange/batches con "
               "Authorization: Bearer <token>. El token se muestra una sola vez al emitirlo; se guarda cifrado "
               "(hash) y puede revocarse en cualquier momento.", className="text-muted"),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2("Emitir token", className="h6"),
                dbc.InputGroup([dbc.Input(id=TOKENS_NAME, placeholder="Uso del token (ej.: ETL nocturno)", maxLength=120),
                                dbc.Button("Emitir", id=TOKENS_ISSUE, color="primary", n_clicks=0)]),
            ]), className="shadow-sm h-100"), md=6),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2("Revocar token", className="h6"),
                dbc.InputGroup([dbc.Select(id=TOKENS_REVOKE_SELECT, options=revoke_options(tokens)),
                                dbc.Button("Revocar", id=TOKENS_REVOKE, color="danger", n_clicks=0)]),
            ]), className="shadow-sm h-100"), md=6),
        ], className="mb-3 g-3"),
        html.Div(id=TOKENS_RESULT),
        dbc.Card([dbc.CardHeader(html.H2("Tokens de la empresa", className="h6 mb-0")),
                  dbc.CardBody(token_table(tokens), id=TOKENS_TABLE)], className="shadow-sm"),
    ])


PAGE = PageSpec(name="exchange-tokens", path=PATH, title="Tokens de intercambio", policy=OPERATORS, layout=layout,
                nav_label="Tokens", nav_order=81)

"""My account: password change (forced at first login for operator-issued credentials)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.policy import SIGNED_IN
from auth.session import current_actor, masked_csrf_token
from pages.registry import PageSpec

MESSAGES = {
    "ok": ("Clave actualizada.", "success"),
    "actual": ("La clave actual no es correcta.", "danger"),
    "distintas": ("Las claves nuevas no coinciden.", "danger"),
    "forzada": ("Debe cambiar la clave entregada por la empresa antes de continuar.", "warning"),
}


def layout(query: dict | None = None):
    """Password change form."""
    query = query or {}
    actor = current_actor()
    alerts = []
    if query.get("msg") in MESSAGES:
        text, color = MESSAGES[query["msg"]]
        alerts.append(dbc.Alert(text, color=color, id="account-msg"))
    if query.get("politica"):
        alerts.append(dbc.Alert(query["politica"][:200], color="danger", id="account-policy"))
    form = html.Form([
        dcc.Input(type="hidden", name="csrf_token", value=masked_csrf_token()),
        dbc.Label("Clave actual", html_for="pw-current"),
        dbc.Input(id="pw-current", name="current", type="password", autoComplete="current-password", className="mb-3"),
        dbc.Label("Clave nueva", html_for="pw-new"),
        dbc.Input(id="pw-new", name="new", type="password", autoComplete="new-password", className="mb-1"),
        dbc.FormText("Al menos 10 caracteres, con letras y números."),
        html.Br(),
        dbc.Label("Repita la clave nueva", html_for="pw-new2", className="mt-2"),
        dbc.Input(id="pw-new2", name="new2", type="password", autoComplete="new-password", className="mb-3"),
        html.Button("Cambiar clave", type="submit", className="btn btn-primary", id="pw-submit"),
    ], action="/auth/password", method="POST")
    return dbc.Row(dbc.Col(dbc.Card([
        dbc.CardHeader(html.H1("Mi cuenta", className="h5 mb-0")),
        dbc.CardBody([html.P(f"Usuario: {actor.username}", className="text-muted"), *alerts, form, html.Hr(),
                      html.P(["Tokens de API para consultar la API JSON con programas: ",
                              dcc.Link("administrar tokens", href="/cuenta/tokens", id="account-tokens-link")],
                             className="small mb-0")]),
    ], className="shadow-sm my-4"), md=6, lg=5), justify="center")


PAGE = PageSpec(name="account", path="/cuenta", title="Mi cuenta", policy=SIGNED_IN, layout=layout)

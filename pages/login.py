"""Sign-in page (Anexo 1 fig. 2): a plain HTML form posted to /auth/login."""
from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.policy import PUBLIC
from auth.session import current_actor, masked_csrf_token
from pages.registry import PageSpec

ERRORS = {
    "1": "Usuario o clave incorrectos.",
    "bloqueo": "Demasiados intentos fallidos: por seguridad, el ingreso quedó bloqueado temporalmente. "
               "Intente nuevamente en {min}.",
    "limite": "Demasiadas solicitudes de ingreso desde su conexión. Espere un minuto antes de volver a intentar.",
    "csrf": "El formulario expiró. Vuelva a intentarlo.",
}


def _safe_next(value: str | None) -> str:
    from auth.views import safe_next

    return safe_next(value) or ""


def layout(query: dict | None = None):
    """The login form with Spanish error messages from the query string."""
    if current_actor().role is not None:
        from pages.register import redirect_signed_in

        return redirect_signed_in()
    query = query or {}
    alerts = []
    if query.get("error") in ERRORS:
        minutes = query.get("min", "")
        minutes = ("1 minuto" if minutes == "1" else f"{minutes} minutos") if re.fullmatch(r"[0-9]{1,4}", minutes) \
            else "unos minutos"
        alerts.append(dbc.Alert(ERRORS[query["error"]].format(min=minutes), color="danger", id="login-error"))
    if query.get("expirada"):
        alerts.append(dbc.Alert("Su sesión expiró por inactividad. Ingrese nuevamente.", color="warning"))
    if query.get("salida"):
        alerts.append(dbc.Alert("Sesión cerrada.", color="success"))
    form = html.Form([
        dcc.Input(type="hidden", name="csrf_token", value=masked_csrf_token()),
        dcc.Input(type="hidden", name="next", value=_safe_next(query.get("next"))),
        dbc.Label("Nombre usuario", html_for="login-username"),
        dbc.Input(id="login-username", name="username", type="text", autoComplete="username", required=True,
                  className="mb-3"),
        dbc.Label("Clave", html_for="login-password"),
        dbc.Input(id="login-password", name="password", type="password", autoComplete="current-password",
                  required=True, className="mb-3"),
        html.Button("INGRESAR", type="submit", className="btn btn-danger w-100 fw-semibold", id="login-submit"),
    ], action="/auth/login", method="POST")
    return dbc.Row(dbc.Col(dbc.Card([
        dbc.CardHeader(html.H1("LOGIN", className="h5 mb-0")),
        dbc.CardBody([*alerts, form, html.Hr(),
                      html.P(["* EN CASO DE NO CONTAR CON USUARIO DEBE ",
                              dcc.Link("REGISTRARSE", href="/registro", id="login-register-link"),
                              " PARA ACCEDER A LA INFORMACIÓN GENERAL"], className="small text-muted mb-0")]),
    ], className="shadow-sm my-4"), md=6, lg=4), justify="center")


PAGE = PageSpec(name="login", path="/login", title="Ingresar", policy=PUBLIC, layout=layout)

"""Registration page (Anexo 1 §2.2, fig. 3): a plain HTML form posted to /auth/registro.

The ALTCHA widget (vendored in assets/) is mounted into ``REGISTER_CAPTCHA`` by
assets/40_altcha_mount.js, because Dash renders this form after the page has loaded.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.policy import PUBLIC
from auth.registration import FILTERS_PATH, pop_form_state
from auth.session import current_actor, masked_csrf_token
from pages.registry import PageSpec

REGISTER_FORM = "register-form"
REGISTER_USERNAME = "register-username"
REGISTER_PASSWORD = "register-password"
REGISTER_PASSWORD2 = "register-password2"
REGISTER_EMAIL = "register-email"
REGISTER_RUT = "register-rut"
REGISTER_CAPTCHA = "register-captcha"
REGISTER_SUBMIT = "register-submit"
REGISTER_ERRORS = "register-errors"


def redirect_signed_in(target: str = FILTERS_PATH) -> html.Div:
    """A marker that assets/40_altcha_mount.js turns into ``location.replace(target)`` (no back-button loop)."""
    return html.Div([html.P("Ya inició sesión: abriendo los filtros de búsqueda…", className="text-muted my-4"),
                     dcc.Link("Ir a los filtros", href=target)],
                    className="ra-redirect", **{"data-redirect": target})


def _field(label: str, ident: str, name: str, kind: str, values: dict, errors: dict, *, help_text: str | None = None,
           autocomplete: str = "off", keep: bool = True):
    error = errors.get(name)
    return html.Div([
        dbc.Label(label, html_for=ident),
        dbc.Input(id=ident, name=name, type=kind, value=values.get(name, "") if keep else "", required=True,
                  autoComplete=autocomplete, invalid=bool(error), maxLength=200),
        dbc.FormFeedback(error, type="invalid", id=f"{ident}-error") if error else None,
        dbc.FormText(help_text) if help_text and not error else None,
    ], className="mb-3")


def layout(query: dict | None = None):
    """The registration form, with the errors and typed values of a failed attempt."""
    if current_actor().role is not None:
        return redirect_signed_in()
    state = pop_form_state()
    values, errors = state.get("values", {}), state.get("errors", {})
    alerts = []
    if errors:
        alerts.append(dbc.Alert([html.Strong("No se pudo completar el registro. "), "Revise los campos marcados."],
                                color="danger", id=REGISTER_ERRORS))
    if errors.get("form"):
        alerts.append(dbc.Alert(errors["form"], color="warning"))
    captcha_error = errors.get("captcha")
    form = html.Form([
        dcc.Input(type="hidden", name="csrf_token", value=masked_csrf_token()),
        _field("Nombre usuario", REGISTER_USERNAME, "username", "text", values, errors, autocomplete="username",
               help_text="Entre 3 y 32 caracteres: letras, números, punto, guion o guion bajo."),
        _field("Clave", REGISTER_PASSWORD, "password", "password", values, errors, autocomplete="new-password",
               help_text="Al menos 10 caracteres, con letras y números.", keep=False),
        _field("Repita la clave", REGISTER_PASSWORD2, "password2", "password", values, errors,
               autocomplete="new-password", keep=False),
        _field("Correo", REGISTER_EMAIL, "email", "email", values, errors, autocomplete="email"),
        _field("RUT", REGISTER_RUT, "rut", "text", values, errors, help_text="Con o sin puntos y guion: 12.345.678-5."),
        html.Div([
            html.Div(id=REGISTER_CAPTCHA, className="ra-captcha",
                     **{"data-challenge": "/auth/captcha", "data-name": "altcha"}),
            html.Div(captcha_error, className="invalid-feedback d-block", id=f"{REGISTER_CAPTCHA}-error")
            if captcha_error else None,
        ], className="mb-3"),
        html.Button("REGISTRO", type="submit", className="btn btn-danger w-100 fw-semibold", id=REGISTER_SUBMIT),
    ], action="/auth/registro", method="POST", id=REGISTER_FORM)
    return dbc.Row(dbc.Col(dbc.Card([
        dbc.CardHeader(html.H1("REGISTRO", className="h5 mb-0")),
        dbc.CardBody([
            *alerts, form, html.Hr(),
            html.P("El registro sólo se utilizará por la empresa distribuidora para el seguimiento del acceso y en "
                   "ningún caso podrá ser utilizado para fines comerciales.", className="small text-muted"),
            html.P(["¿Ya tiene cuenta? ", dcc.Link("Ingresar", href="/login", id="register-login-link")],
                   className="small mb-0"),
        ]),
    ], className="shadow-sm my-4"), md=7, lg=5), justify="center")


PAGE = PageSpec(name="register", path="/registro", title="Registro", policy=PUBLIC, layout=layout,
                nav_label="Registrarse", nav_order=95)

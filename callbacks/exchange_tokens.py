"""Issue and revoke a company's exchange tokens (operators; scope checked by the service)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update

from auth.session import current_actor
from data.db import get_session
from pages.exchange_tokens import (OPERATORS, TOKENS_ISSUE, TOKENS_NAME, TOKENS_RESULT, TOKENS_REVOKE,
                                   TOKENS_REVOKE_SELECT, TOKENS_TABLE, revoke_options, token_table)
from services.exchange_admin import create_token, list_tokens, revoke_company_token


def manage(_issue, _revoke, name, token_id):
    """Issue (secret shown once) or revoke, then refresh the list."""
    session, actor = get_session(), current_actor()
    if ctx.triggered_id == TOKENS_ISSUE:
        try:
            plain, row = create_token(session, actor, name or "")
        except ValueError as exc:
            return dbc.Alert(str(exc), color="danger"), no_update, no_update, no_update
        message = dbc.Alert([html.Strong(f"Token {row.prefix} emitido. Cópielo ahora: no se volverá a mostrar."),
                             html.Pre(plain, id="exchange-token-plain", className="mb-0 mt-2 user-select-all")],
                            color="success")
        name_out = ""
    else:
        ok = token_id not in (None, "") and revoke_company_token(session, actor, int(token_id))
        message = dbc.Alert("Token revocado." if ok else "Seleccione un token activo de su empresa.",
                            color="success" if ok else "warning")
        name_out = no_update
    session.flush()
    tokens = list_tokens(session, actor)
    return message, token_table(tokens), revoke_options(tokens), name_out


def register(dash_app) -> None:
    """Register the token management callback."""
    from auth.policy import secure_callback

    secure_callback(dash_app, OPERATORS,
                    Output(TOKENS_RESULT, "children"), Output(TOKENS_TABLE, "children"),
                    Output(TOKENS_REVOKE_SELECT, "options"), Output(TOKENS_NAME, "value"),
                    Input(TOKENS_ISSUE, "n_clicks"), Input(TOKENS_REVOKE, "n_clicks"),
                    State(TOKENS_NAME, "value"), State(TOKENS_REVOKE_SELECT, "value"),
                    prevent_initial_call=True)(manage)

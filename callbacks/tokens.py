"""Personal API tokens: create (shown once in the response, never stored in clear) and revoke."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, no_update
from flask import current_app

from auth.policy import SIGNED_IN, secure_callback
from auth.scope import AccessDenied
from auth.session import client_ip, current_actor
from data.db import get_session
from pages.tokens import TOKENS_CREATE, TOKENS_LIST, TOKENS_NAME, TOKENS_NEW, TOKENS_REVOKE, new_token_box, token_table
from services.audit import record_access
from services.personal_tokens import TokenError, issue_personal_token, list_personal_tokens, revoke_personal_token


def manage_tokens(_create, _revoke, name):
    """Create a token or revoke one, then redraw the list."""
    trigger = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update
    db, actor = get_session(), current_actor()
    message = no_update
    try:
        if trigger == TOKENS_CREATE:
            limit = current_app.extensions["ra_settings"].max_personal_tokens
            plaintext, info = issue_personal_token(db, actor, name or "", limit)
            record_access(db, actor, "token_issue", target="/cuenta/tokens", object_type="api_token",
                          object_id=info.prefix, ip=client_ip())
            message = new_token_box(plaintext, info.name)
        elif isinstance(trigger, dict) and trigger.get("type") == TOKENS_REVOKE:
            info = revoke_personal_token(db, actor, int(trigger["index"]))
            record_access(db, actor, "token_revoke", target="/cuenta/tokens", object_type="api_token",
                          object_id=info.prefix, ip=client_ip())
            message = dbc.Alert(f"Token ra_{info.prefix}_… revocado: ya no autoriza solicitudes.", color="secondary")
    except (TokenError, AccessDenied) as exc:
        message = dbc.Alert(getattr(exc, "message", str(exc)), color="danger")
    return message, token_table(list_personal_tokens(db, actor))


def register(dash_app) -> None:
    """Register the token management callback."""
    secure_callback(dash_app, SIGNED_IN,
                    Output(TOKENS_NEW, "children"), Output(TOKENS_LIST, "children"),
                    Input(TOKENS_CREATE, "n_clicks"), Input({"type": TOKENS_REVOKE, "index": ALL}, "n_clicks"),
                    State(TOKENS_NAME, "value"), prevent_initial_call=True)(manage_tokens)

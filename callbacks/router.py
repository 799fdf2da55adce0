"""The router: URL -> page layout, after re-checking the page's policy on the server."""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import Input, Output
from flask import current_app

from auth.policy import PUBLIC, secure_callback, secure_clientside_callback
from auth.session import current_actor, masked_csrf_token, must_change_password
from components.shell import CONTENT, NAVBAR, PAGE_META, TITLE_SINK, URL, navbar
from pages import errors


def render(pathname: str | None, search: str | None):
    """Build (content, navbar, meta) for a path; never raises for bad paths."""
    actor = current_actor()
    registry = current_app.extensions["ra_pages"]
    items = [(p.nav_label, p.path) for p in registry.nav(actor.role)]
    user_label = actor.username if actor.role else None
    bar = navbar(items, user_label, actor.role, masked_csrf_token())
    match = registry.match(pathname or "/")
    if match is None:
        return errors.not_found(), bar, {"title": "No encontrada"}
    spec, params = match
    if must_change_password() and spec.name != "account":
        # First login with company-issued credentials: nothing else is usable until the change.
        spec, params, search = registry.pages["account"], {}, "?msg=forzada"
    if not spec.policy.allows(actor.role):
        return errors.forbidden(), bar, {"title": "Acceso no permitido"}
    query = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}
    return spec.layout(**params, query=query), bar, {"title": spec.title}


def register(dash_app) -> None:
    """Register the router and the document-title updater."""
    secure_callback(dash_app, PUBLIC,
                    Output(CONTENT, "children"), Output(NAVBAR, "children"), Output(PAGE_META, "data"),
                    Input(URL, "pathname"), Input(URL, "search"))(render)
    secure_clientside_callback(
        dash_app, PUBLIC,
        "function(meta){ if(meta && meta.title){ document.title = meta.title + ' · Red Abierta'; } return ''; }",
        Output(TITLE_SINK, "children"), Input(PAGE_META, "data"), prevent_initial_call=True,
    )

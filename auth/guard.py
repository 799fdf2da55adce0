"""The request guard: resolves the policy of every request before any view or callback runs."""
from __future__ import annotations

import json
from urllib.parse import quote

from flask import Flask, Response, abort, current_app, g, jsonify, redirect, request, session
from flask_login import logout_user

from auth.policy import PUBLIC, CallbackPolicies, Policy
from auth.scope import AccessDenied
from auth.session import csrf_token, csrf_valid, current_actor, must_change_password, session_expired

DASH_UPDATE = "/_dash-update-component"
ROUTER_OUTPUT = "..page-content.children...navbar.children...page-meta.data.."
PAGE_ENDPOINTS = {"/", "/<path:path>"}
# Dash's own endpoints that carry no data: the shell layout, the callback graph and static bundles.
DASH_STATIC_ENDPOINTS = {
    "static": PUBLIC,
    "_dash_assets.static": PUBLIC,
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>": PUBLIC,
    "/_dash-layout": PUBLIC,
    "/_dash-dependencies": PUBLIC,
    "/_favicon.ico": PUBLIC,
}


def endpoint_policy(app: Flask, endpoint: str | None) -> Policy | None:
    """The policy of a Flask endpoint (None: no policy, so denied)."""
    if endpoint is None:
        return None
    if endpoint in DASH_STATIC_ENDPOINTS:
        return DASH_STATIC_ENDPOINTS[endpoint]
    if endpoint == "/_reload-hash":
        return PUBLIC if app.debug else None
    view = app.view_functions.get(endpoint)
    return getattr(view, "_ra_policy", None)


def callback_output_key() -> str | None:
    """The ``output`` id of a Dash callback request."""
    try:
        body = request.get_json(force=True, silent=True) or {}
    except Exception:  # noqa: BLE001
        return None
    output = body.get("output")
    return output if isinstance(output, str) else None


def _deny(status: int, message: str) -> Response:
    if _wants_json():
        return jsonify(error=message, status=status), status
    abort(status, description=message)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == DASH_UPDATE or request.is_json


def _bearer_actor():
    """Resolve ``Authorization: Bearer ...`` on API requests (None when absent)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not request.path.startswith("/api/"):
        return None
    from auth.tokens import resolve_token, token_actor
    from data.db import get_session

    session_db = get_session()
    row = resolve_token(session_db, header[7:].strip())
    return token_actor(session_db, row) if row is not None else False


# What a user holding company-issued credentials may reach before changing the password (Anexo 1 §3.1).
PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "auth.login"}


def _allowed_before_password_change(app: Flask, endpoint: str | None) -> bool:
    if endpoint in DASH_STATIC_ENDPOINTS or endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return True
    if endpoint in PAGE_ENDPOINTS:
        return request.path.rstrip("/") == "/cuenta"
    if endpoint == DASH_UPDATE:
        return callback_output_key() == ROUTER_OUTPUT  # the router itself renders only /cuenta then
    return False


def _guard() -> Response | None:
    app = current_app
    endpoint = request.endpoint
    bearer = _bearer_actor()
    if bearer is False:
        return _deny(401, "Token inválido o revocado.")
    if bearer is not None:
        g.token_actor = bearer
        g.actor = bearer
        policy = endpoint_policy(app, endpoint)
        if policy is None:
            return _deny(403, "Operación no permitida.") if endpoint else None
        if not policy.allows(bearer.role):
            return _deny(403, "El token no tiene permiso para esta operación.")
        return None
    actor = current_actor()
    if actor.role is not None and session_expired():
        logout_user()
        session.clear()
        actor = current_actor()
        g.session_expired = True
    g.actor = actor
    if actor.role is not None and must_change_password() and not _allowed_before_password_change(app, endpoint):
        if endpoint in PAGE_ENDPOINTS:
            g.page = app.extensions["ra_pages"].match(request.path)  # keeps _after from turning this into a 404
            return redirect("/cuenta?msg=forzada")
        return _deny(403, "Debe cambiar la clave entregada por la empresa antes de continuar.")

    if endpoint == DASH_UPDATE:
        if not csrf_valid(request.headers.get("X-CSRFToken")):
            return _deny(403, "Token CSRF inválido: recargue la página.")
        key = callback_output_key()
        policy = app.extensions["ra_callback_policies"].get(key) if key else None
        if policy is None:
            return _deny(403, "Operación no permitida.")
        if not policy.allows(actor.role):
            return _deny(401 if actor.role is None else 403,
                         "Debe iniciar sesión." if actor.role is None else "No tiene permiso para esta operación.")
        return None

    if endpoint in PAGE_ENDPOINTS:
        page = app.extensions["ra_pages"].match(request.path)
        g.page = page
        if page is None:
            return None  # the shell renders the 404 page; after_request sets the status
        spec, _params = page
        if not spec.policy.allows(actor.role):
            if actor.role is None:
                target = request.full_path.rstrip("?")
                reason = "&expirada=1" if g.get("session_expired") else ""
                return redirect(f"/login?next={quote(target, safe='')}{reason}")
            g.page_forbidden = True
        return None

    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.path.startswith("/api/") \
            and actor.role is not None and not csrf_valid(request.headers.get("X-CSRFToken")):
        return _deny(403, "Token CSRF inválido.")
    policy = endpoint_policy(app, endpoint)
    if policy is None:
        if endpoint is None:
            return None  # 404/405 handled by Flask
        return _deny(403, "Operación no permitida.")
    if not policy.allows(actor.role):
        if actor.role is None:
            if _wants_json():
                return _deny(401, "Debe iniciar sesión.")
            return redirect(f"/login?next={quote(request.full_path.rstrip('?'), safe='')}")
        return _deny(403, "No tiene permiso para esta operación.")
    return None


def _after(response: Response) -> Response:
    if request.endpoint in PAGE_ENDPOINTS:
        if g.get("page") is None and request.path not in ("/",):
            response.status_code = 404
        elif g.get("page_forbidden"):
            response.status_code = 403
    if request.endpoint in PAGE_ENDPOINTS or request.endpoint == DASH_UPDATE:
        # Dash's renderer echoes this cookie as the X-CSRFToken header of callback requests.
        response.set_cookie("_csrf_token", csrf_token(), samesite="Lax",
                            secure=current_app.extensions["ra_settings"].behind_tls, httponly=False)
    return response


def init_app(app: Flask) -> None:
    """Install the guard, the callback policy registry and the AccessDenied handler."""
    app.extensions["ra_callback_policies"] = CallbackPolicies()
    app.before_request(_guard)
    app.after_request(_after)

    @app.errorhandler(AccessDenied)
    def _access_denied(exc: AccessDenied):
        if _wants_json():
            return jsonify(error=exc.message, status=exc.status), exc.status
        return Response(exc.message, status=exc.status, mimetype="text/plain")


def json_body_depth(value, limit: int) -> bool:
    """True when a decoded JSON value nests deeper than ``limit``."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def parse_json_limited(raw: bytes, limit: int):
    """Decode JSON, refusing documents nested deeper than ``limit``."""
    value = json.loads(raw)
    if json_body_depth(value, limit):
        raise ValueError("JSON demasiado anidado")
    return value

"""Error responses in Spanish: JSON for the API and Dash callbacks, a small HTML page otherwise.

* Database unreachable (``OperationalError``/``InterfaceError``/pool timeout) -> 503 with
  ``Retry-After``; the request's session is discarded, and the pool (``pool_pre_ping``) reconnects
  by itself when the database returns, so the app recovers without a restart.
* Any other unhandled error -> a generic 500 without traceback or internals (logged, masked).
* HTTP errors (404, 405, 400...) -> Spanish messages.
"""
from __future__ import annotations

import html
import logging

from flask import Flask, Response, g, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("redabierta.errors")

DB_UNAVAILABLE = "El servicio no está disponible en este momento: no se pudo conectar con la base de datos. " \
                 "Intente nuevamente en unos minutos."
GENERIC_500 = "Ocurrió un error inesperado. El equipo técnico fue notificado; intente nuevamente."
HTTP_MESSAGES = {
    400: "La solicitud no es válida.",
    401: "Debe iniciar sesión.",
    403: "No tiene permiso para esta operación.",
    404: "No se encontró la dirección solicitada.",
    405: "Método no permitido para esta dirección.",
    408: "La solicitud tardó demasiado.",
    413: "La solicitud es demasiado grande.",
    415: "Tipo de contenido no soportado.",
    429: "Demasiadas solicitudes: espere un momento antes de reintentar.",
}
TITLES = {503: "Servicio no disponible", 500: "Error inesperado", 404: "Página no encontrada",
          403: "Acceso no permitido", 401: "Debe iniciar sesión"}


def wants_json() -> bool:
    """API, Dash callback and JSON requests get JSON errors."""
    return request.path.startswith("/api/") or request.path == "/_dash-update-component" or request.is_json \
        or request.path.startswith("/reportes/") and "text/html" not in request.headers.get("Accept", "")


def error_page(status: int, message: str, title: str | None = None) -> str:
    """A self-contained Spanish error page (no scripts, so it works under the CSP and without Dash)."""
    title = title or TITLES.get(status, "Error")
    return f"""<!DOCTYPE html>
<html lang="es-CL"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · Red Abierta</title><link rel="stylesheet" href="/assets/00_bootstrap.min.css"></head>
<body class="bg-light"><main class="container py-5" style="max-width:40rem">
<div class="card shadow-sm"><div class="card-body">
<p class="text-muted small mb-1">Red Abierta · {status}</p>
<h1 class="h4">{html.escape(title)}</h1><p id="error-message">{html.escape(message)}</p>
<a class="btn btn-primary btn-sm" href="{html.escape(request.full_path.rstrip('?') if status == 503 else '/')}">
{"Reintentar" if status == 503 else "Volver al inicio"}</a></div></div></main></body></html>"""


def error_response(status: int, message: str, title: str | None = None) -> Response:
    """The error as JSON or as an HTML page, depending on the request."""
    if wants_json():
        response = jsonify(error=message, status=status)
        response.status_code = status
    else:
        response = Response(error_page(status, message, title), status=status, mimetype="text/html")
    return response


def _discard_request_session() -> None:
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; nothing to roll back
        pass
    try:
        session.close()
    except Exception:  # noqa: BLE001
        pass


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeoutError)
    def _database_unavailable(exc):
        _discard_request_session()
        log.error("database unavailable: %s", type(getattr(exc, "orig", exc)).__name__,
                  extra={"event": "db_unavailable", "path": request.path})
        response = error_response(503, DB_UNAVAILABLE)
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        if isinstance(exc, InternalServerError):
            return _internal(exc)
        description = exc.description if exc.description and _is_spanish(exc) else None
        response = error_response(exc.code, description or HTTP_MESSAGES.get(exc.code, "Error en la solicitud."))
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):
            value = exc.get_response().headers.get(name)
            if value:
                response.headers[name] = value
        return response

    @app.errorhandler(InternalServerError)
    def _internal(exc):
        original = getattr(exc, "original_exception", None) or exc
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=original,
                  extra={"event": "unhandled_error"})
        _discard_request_session()
        return error_response(500, GENERIC_500)


def _is_spanish(exc: HTTPException) -> bool:
    # Our own aborts carry Spanish descriptions; Werkzeug's defaults are English.
    return exc.description != type(exc).description

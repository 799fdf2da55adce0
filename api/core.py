"""API building blocks: ``ApiRegistry.route`` registers a Flask route, its policy and its OpenAPI operation.

Every domain module creates its routes with ``api_route(...)`` on the shared blueprint; the
OpenAPI document at ``/api/v1/openapi.json`` is assembled from the same registry, so an
undocumented route cannot exist.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint, Flask, current_app, jsonify, request

from auth.policy import Policy, protect

API_PREFIX = "/api/v1"
MAX_PAGE = 1_000_000  # beyond any real listing; keeps OFFSET within database integer range


class ApiError(Exception):
    """A client error with a Spanish message and optional itemised details."""

    def __init__(self, message: str, status: int = 400, details: list | None = None):
        super().__init__(message)
        self.message, self.status, self.details = message, status, details or []


@dataclass
class Operation:
    """OpenAPI metadata of one route."""

    rule: str
    methods: tuple[str, ...]
    summary: str
    tags: tuple[str, ...]
    policy: Policy
    parameters: list[dict] = field(default_factory=list)
    request_schema: dict | None = None
    response_schema: dict | None = None
    examples: dict | None = None
    responses: dict = field(default_factory=dict)


class ApiRegistry:
    """The shared /api/v1 blueprint and the operations registered on it."""

    def __init__(self) -> None:
        self.blueprint = Blueprint("api", __name__, url_prefix=API_PREFIX)
        self.operations: list[Operation] = []

    def route(self, rule: str, *, methods: tuple[str, ...] = ("GET",), policy: Policy, summary: str,
              tags: tuple[str, ...] = (), parameters: list[dict] | None = None, request_schema: dict | None = None,
              response_schema: dict | None = None, examples: dict | None = None,
              responses: dict | None = None) -> Callable:
        """Decorator: register ``view`` at ``rule`` with ``policy`` and OpenAPI metadata."""

        def decorate(view: Callable) -> Callable:
            protected = protect(policy)(view)
            self.blueprint.add_url_rule(rule, endpoint=view.__name__, view_func=protected, methods=list(methods))
            self.operations.append(Operation(rule, methods, summary, tags, policy, parameters or [], request_schema,
                                             response_schema, examples, responses or {}))
            return protected

        return decorate


registry = ApiRegistry()
api_route = registry.route


def query_param(name: str, default: str | None = None, *, required: bool = False, max_len: int = 100) -> str | None:
    """A query-string parameter, length-checked."""
    value = request.args.get(name, default)
    if value is None:
        if required:
            raise ApiError(f"Falta el parámetro '{name}'.")
        return None
    if len(value) > max_len:
        raise ApiError(f"El parámetro '{name}' es demasiado largo.")
    return value


def page_params() -> tuple[int, int]:
    """``page`` (1-based) and ``page_size`` bounded by the documented settings."""
    settings = current_app.extensions["ra_settings"]
    try:
        page = int(request.args.get("page", 1))
        size = int(request.args.get("page_size", settings.default_page_size))
    except ValueError:
        raise ApiError("Los parámetros 'page' y 'page_size' deben ser enteros.") from None
    if not 1 <= page <= MAX_PAGE or not 1 <= size <= settings.max_page_size:
        raise ApiError(f"'page' debe estar entre 1 y {MAX_PAGE} y 'page_size' entre 1 y {settings.max_page_size}.")
    return page, size


def paged(items: list, total: int, page: int, size: int, **extra: Any) -> dict:
    """The standard paginated envelope."""
    return {"items": items, "page": page, "page_size": size, "total": total, **extra}


PAGE_PARAMETERS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
]


def openapi_document() -> dict:
    """The OpenAPI 3.1 document of every registered operation."""
    paths: dict[str, dict] = {}
    for op in registry.operations:
        path = API_PREFIX + _openapi_path(op.rule)
        for method in op.methods:
            entry: dict[str, Any] = {
                "summary": op.summary,
                "tags": list(op.tags),
                "operationId": f"{method.lower()}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
                "parameters": [*_path_parameters(op.rule), *op.parameters],
                "responses": {
                    "200": {"description": "OK", "content": {"application/json": {"schema": op.response_schema or {}}}},
                    "400": {"description": "Entrada inválida", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
                    **({} if op.policy.anonymous else {
                        "401": {"description": "Sin autenticación", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
                        "403": {"description": "Sin permiso", "content": {"application/json": {"schema": ERROR_SCHEMA}}}}),
                    "404": {"description": "No encontrado", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
                    **op.responses,
                },
                "x-roles": sorted(op.policy.roles) if not op.policy.anonymous else ["anonymous"],
            }
            if not op.policy.anonymous:
                entry["security"] = [{"session": []}, {"bearer": []}]
            if op.request_schema is not None:
                body: dict[str, Any] = {"schema": op.request_schema}
                if op.examples:
                    body["examples"] = {k: {"value": v} for k, v in op.examples.items()}
                entry["requestBody"] = {"required": True, "content": {"application/json": body}}
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Red Abierta API", "version": "1.0.0",
                 "description": "Servicios JSON de Red Abierta (Anexo 1 SEC y Res. 248-2016-OS/CD). "
                                "Autenticación por sesión o por token personal/de empresa (Authorization: Bearer)."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "ra_session"},
            "bearer": {"type": "http", "scheme": "bearer"}}},
    }


ERROR_SCHEMA = {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"},
                                                  "details": {"type": "array"}}, "required": ["error"]}

_CONVERTER_TYPES = {"int": {"type": "integer"}, "string": {"type": "string"}, "path": {"type": "string"},
                    "float": {"type": "number"}}


def _openapi_path(rule: str) -> str:
    import re

    return re.sub(r"<(?:(\w+):)?(\w+)>", r"{\2}", rule)


def _path_parameters(rule: str) -> list[dict]:
    import re

    return [{"name": name, "in": "path", "required": True, "schema": _CONVERTER_TYPES.get(conv or "string", {"type": "string"})}
            for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule)]


def init_app(app: Flask) -> None:
    """Import every API module (which registers routes), then mount the blueprint and error handlers."""
    from api import modules  # noqa: F401  (registers the routes)

    if "api" not in app.blueprints:
        app.register_blueprint(registry.blueprint)

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(error=exc.message, status=exc.status, details=exc.details), exc.status

    @app.errorhandler(413)
    def _too_large(_exc):
        limit = app.extensions["ra_settings"].max_request_bytes
        return jsonify(error=f"La solicitud supera el tamaño máximo de {limit // 1024} KiB.", status=413), 413

"""The view registry: each view gets a page-independent JSON twin, a PDF and per-table CSV routes.

``@view("feeder-detail", title=..., policy=NETWORK, params={"feeder_id": int})`` on a builder
``build(session, actor, **params) -> Report`` registers, at import time:
  GET /api/v1/vistas/<name>?<params>           JSON twin (in the OpenAPI document)
  GET /reportes/<name>.pdf?<params>            Guardar (PDF)
  GET /reportes/<name>.csv?tabla=<key>&<params> CSV of one table
each protected by the view's policy through the one guard. Pages call ``build_view`` too.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Mapping

from flask import Blueprint, Response, jsonify, request

from api.core import ApiError, api_route
from auth.policy import Policy, protect
from reports.model import Report

reports_bp = Blueprint("reports", __name__, url_prefix="/reportes")


@dataclass(frozen=True)
class ViewSpec:
    """A registered view."""

    name: str
    title: str
    policy: Policy
    build: Callable[..., Report]
    params: dict[str, Callable[[str], object]]
    personal_data: bool
    pdf: Callable[..., bytes] | None = None  # a document-specific PDF (e.g. a boleta) instead of the report PDF
    shared: bool = False  # the same Report for every reader the policy admits: cached by data version


VIEWS: dict[str, ViewSpec] = {}
_RESERVED = {"tabla", "_"}
SHARED_TTL = 3600  # seconds; a data change moves the version in the key long before


def int_param(text: str) -> int:
    """A positive integer parameter."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,12}", text):
        raise ValueError("debe ser un entero positivo")
    return int(text)


def str_param(max_len: int = 80) -> Callable[[str], str]:
    """A bounded, trimmed string parameter."""

    def convert(text: str) -> str:
        text = (text if isinstance(text, str) else "").strip()
        if not text or len(text) > max_len:
            raise ValueError(f"debe tener entre 1 y {max_len} caracteres")
        return text

    return convert


def month_param(text: str) -> dt.date:
    """A ``YYYY-MM`` month parameter."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}", text.strip()):
        raise ValueError("debe tener el formato AAAA-MM")
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except (TypeError, ValueError):
        raise ValueError("debe tener el formato AAAA-MM") from None


def parse_params(spec: ViewSpec, raw: Mapping[str, str], *, optional: set[str] | None = None) -> dict:
    """Convert raw query/path values strictly: unknown or malformed parameters are a 400."""
    unknown = set(raw) - set(spec.params) - _RESERVED
    if unknown:
        raise ApiError(f"Parámetros desconocidos: {', '.join(sorted(unknown))}.")
    out, errors = {}, []
    for name, convert in spec.params.items():
        if name not in raw or raw[name] in (None, ""):
            if optional is None or name not in optional:
                if not getattr(convert, "optional", False):
                    errors.append({"field": name, "reason": "es obligatorio"})
            continue
        try:
            out[name] = convert(str(raw[name]))
        except ValueError as exc:
            errors.append({"field": name, "reason": str(exc)})
    if errors:
        raise ApiError("Parámetros inválidos.", 400, errors)
    return out


def optional(convert: Callable[[str], object]) -> Callable[[str], object]:
    """Mark a parameter converter as optional."""

    def wrapped(text: str):
        return convert(text)

    wrapped.optional = True
    return wrapped


def build_view(name: str, session, actor, raw: Mapping[str, str]) -> Report:
    """Parse ``raw`` parameters and build the named view's Report (the guard checked the policy)."""
    spec = VIEWS[name]
    params = parse_params(spec, raw)
    if spec.shared:
        report = shared_report(spec, session, actor, params)
    else:
        report = spec.build(session, actor, **params)
    from services.audit import record_access

    record_access(session, actor, "view", target=name, object_type=name,
                  object_id=",".join(f"{k}={v}" for k, v in sorted(params.items()))[:64],
                  personal_data=spec.personal_data)
    return report


def shared_report(spec: ViewSpec, session, actor, params: dict) -> Report:
    """A shared view's Report from the app's cache (Redis when configured), keyed by view, params and data version.

    Only views whose content is the same for every admitted reader are ``shared`` (the public network
    and capacity views): the policy was checked before, and the access log is still written per request.
    """
    from services.cache import shared_cache
    from services.dataversion import data_version

    args = "&".join(f"{k}={params[k]}" for k in sorted(params))
    key = f"view:{spec.name}:{args}:{data_version(session)}"

    def build() -> Report:
        report = spec.build(session, actor, **params)
        report.cache_key = key
        return report

    return shared_cache(key, SHARED_TTL, build)


def view(name: str, *, title: str, policy: Policy, params: dict[str, Callable[[str], object]] | None = None,
         personal_data: bool = False, pdf: Callable[..., bytes] | None = None, shared: bool = False) -> Callable:
    """Register a view builder and its JSON, PDF and CSV routes.

    ``pdf(session, actor, report) -> bytes`` replaces the generic report PDF for documents with
    their own printed form (a boleta, an annex); it still gets the scoped, logged Report.
    ``shared=True`` declares that the Report depends only on the parameters and the data, never on
    who asks: it is then cached by data version (``shared_report``).
    """
    if shared and personal_data:
        raise ValueError(f"view {name}: personal data is never shared between readers")

    def decorate(build: Callable[..., Report]) -> Callable[..., Report]:
        if name in VIEWS:
            raise ValueError(f"duplicate view {name}")
        spec = ViewSpec(name, title, policy, build, params or {}, personal_data, pdf, shared)
        VIEWS[name] = spec
        _register_routes(spec)
        return build

    return decorate


def _request_report(spec: ViewSpec) -> Report:
    from auth.session import current_actor
    from data.db import get_session

    return build_view(spec.name, get_session(), current_actor(), request.args.to_dict())


def _register_routes(spec: ViewSpec) -> None:
    endpoint = spec.name.replace("-", "_")
    query = [{"name": k, "in": "query", "required": not getattr(v, "optional", False), "schema": {"type": "string"}}
             for k, v in spec.params.items()]

    def json_twin():
        return jsonify(_request_report(spec).to_dict())

    json_twin.__name__ = f"view_{endpoint}"
    json_twin.__doc__ = f"JSON twin of the view '{spec.title}'."
    api_route(f"/vistas/{spec.name}", policy=spec.policy, summary=f"Vista: {spec.title}", tags=("vistas",),
              parameters=query, response_schema={"type": "object"})(json_twin)

    def pdf():
        from reports.pdf import PdfError, report_pdf

        report = _request_report(spec)
        try:
            if spec.pdf is not None:
                from auth.session import current_actor
                from data.db import get_session

                data = spec.pdf(get_session(), current_actor(), report)
            else:
                data = report_pdf(report)
        except PdfError as exc:
            from auth.errors import error_response

            return error_response(500, str(exc), "No se pudo generar el PDF")
        return Response(data, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{spec.name}.pdf"',
                                 "Cache-Control": "no-store"})

    pdf.__name__ = f"pdf_{endpoint}"
    reports_bp.add_url_rule(f"/{spec.name}.pdf", endpoint=pdf.__name__, view_func=protect(spec.policy)(pdf))

    def csv():
        from reports.csvexport import table_csv

        report = _request_report(spec)
        key = request.args.get("tabla", "")
        table = report.table(key)
        if table is None:
            raise ApiError(f"La vista no tiene una tabla '{key[:40]}'.", 404)
        return Response(table_csv(table), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{spec.name}-{table.key}.csv"',
                                 "Cache-Control": "no-store"})

    csv.__name__ = f"csv_{endpoint}"
    reports_bp.add_url_rule(f"/{spec.name}.csv", endpoint=csv.__name__, view_func=protect(spec.policy)(csv))


def init_app(app) -> None:
    """Mount the PDF/CSV routes (views register themselves when their modules are imported)."""
    if "reports" not in app.blueprints:
        app.register_blueprint(reports_bp)

"""Exchange web services (Anexo 1 §6.2): companies POST daily deltas; the change feed serves ours."""
from __future__ import annotations

from flask import current_app, jsonify, request
from sqlalchemy import select

from api.core import ApiError, api_route, query_param
from auth.policy import roles
from auth.session import current_actor
from data.db import get_session
from data.models import DistributionCompany
from exchange.batches import BatchRejected, submit_batch
from exchange.changes import changes_since
from exchange.entities import ENTITIES
from exchange.schemas import all_schemas, batch_schema

COMPANY_SYSTEM = roles("company_system", description="exchange token of a distribution company")
FEED_READERS = roles("company_system", "operator", "sec", description="company systems, operators and SEC")

RECEIPT_SCHEMA = {
    "type": "object",
    "properties": {
        "batch_id": {"type": "string"}, "sequence": {"type": "integer"}, "company": {"type": "string"},
        "status": {"type": "string", "enum": ["accepted"]}, "received_at": {"type": "string"},
        "operations": {"type": "integer"}, "changes": {"type": "integer"},
        "change_cursor": {"type": ["integer", "null"]},
        "counts": {"type": "object", "additionalProperties": {
            "type": "object", "properties": {k: {"type": "integer"} for k in ("insert", "update", "delete")}}},
    },
}

BATCH_EXAMPLES = {
    "alta_y_cambio": {
        "batch_id": "DEA-2026-10-02", "sequence": 12, "company": "DEA",
        "operations": [
            {"entity": "feeder_demands", "op": "insert", "key": {"feeder_code": "AL-DEA-001", "month": "2026-10-01"},
             "data": {"max_demand_kw": 5120.5, "min_demand_kw": 1830.0}},
            {"entity": "clients", "op": "update", "key": {"client_number": "11000010"},
             "data": {"phone": "+56 9 5555 1234", "email": "nuevo@correo.cl"}},
        ]},
    "baja_con_dependencias": {
        "batch_id": "DEA-2026-10-03", "sequence": 13,
        "operations": [
            {"entity": "transformer_demands", "op": "delete",
             "key": {"transformer_code": "TD-DEA-00099", "month": "2026-09-01"}},
            {"entity": "distribution_transformers", "op": "delete", "key": {"code": "TD-DEA-00099"}},
        ]},
}

MAX_CURSOR = 2**63 - 1  # change-log ids are 64-bit: a larger cursor is a client error, not a database overflow
FEED_SCHEMA = {
    "type": "object",
    "properties": {"company": {"type": "string"}, "since": {"type": "integer"}, "next_cursor": {"type": "integer"},
                   "has_more": {"type": "boolean"},
                   "operations": batch_schema()["properties"]["operations"]},
}


@api_route("/exchange/batches", methods=("POST",), policy=COMPANY_SYSTEM, tags=("intercambio",),
           summary="Enviar un lote diario de altas, cambios y bajas (token de intercambio de la empresa)",
           request_schema=batch_schema(), response_schema=RECEIPT_SCHEMA, examples=BATCH_EXAMPLES,
           responses={
               "201": {"description": "Lote aceptado: comprobante con conteos por entidad y operación"},
               "409": {"description": "Identificador reutilizado con otro contenido, secuencia con salto o repetida, "
                                      "o restricción de integridad"},
               "413": {"description": "Cuerpo mayor que settings.max_request_bytes (5 MiB por omisión)"},
               "422": {"description": "Esquema, entidad desconocida o referencias inválidas (errores detallados)"}})
def post_batch():
    """Validate and apply a delta batch atomically; the same batch id and content return the same receipt."""
    settings = current_app.extensions["ra_settings"]
    raw = request.get_data(cache=False)
    if len(raw) > settings.max_request_bytes:
        raise ApiError(f"La solicitud supera el tamaño máximo de {settings.max_request_bytes // 1024} KiB.", 413)
    try:
        # A JSON body was already decoded (within the depth limit) by the request guard: not twice.
        parsed = request.get_json(silent=True) if request.is_json else None
        outcome = submit_batch(get_session(), current_actor(), raw, settings.max_json_depth, parsed)
    except BatchRejected as exc:
        raise ApiError(exc.message, exc.status, exc.details) from None
    response = jsonify(outcome.body)
    response.status_code = outcome.status
    if outcome.replay:
        response.headers["Idempotent-Replay"] = "true"
    return response


def _feed_company() -> int:
    actor = current_actor()
    code = query_param("company", max_len=32)
    if actor.role in ("company_system", "operator"):
        if code is not None:
            own = get_session().scalar(select(DistributionCompany.code).where(DistributionCompany.id == actor.company_id))
            if code != own:
                raise ApiError("Sólo puede consultar los cambios de su propia empresa.", 403)
        return actor.company_id
    if code is None:
        raise ApiError("Indique la empresa con el parámetro 'company'.")
    company_id = get_session().scalar(select(DistributionCompany.id).where(DistributionCompany.code == code))
    if company_id is None:
        raise ApiError("Empresa desconocida.", 404)
    return company_id


@api_route("/exchange/changes", policy=FEED_READERS, tags=("intercambio",),
           summary="Cambios de la plataforma desde un cursor, en el mismo formato de los lotes",
           parameters=[
               {"name": "since", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0},
                "description": "Cursor: el next_cursor de la página anterior (0 al inicio)"},
               {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
               {"name": "company", "in": "query", "schema": {"type": "string"},
                "description": "Código de empresa (obligatorio para SEC)"}],
           response_schema=FEED_SCHEMA)
def get_changes():
    """A bounded page of the change log after ``since``, ready to be posted as a batch elsewhere."""
    settings = current_app.extensions["ra_settings"]
    try:
        since = int(request.args.get("since", 0))
        size = int(request.args.get("page_size", settings.default_page_size))
    except ValueError:
        raise ApiError("'since' y 'page_size' deben ser enteros.") from None
    if not 0 <= since <= MAX_CURSOR or not 1 <= size <= settings.max_page_size:
        raise ApiError(f"'since' debe estar entre 0 y {MAX_CURSOR} y 'page_size' entre 1 y {settings.max_page_size}.")
    company_id = _feed_company()
    page = changes_since(get_session(), company_id, since, size)
    page["company"] = get_session().scalar(select(DistributionCompany.code).where(DistributionCompany.id == company_id))
    return jsonify(page)


@api_route("/exchange/schemas/<name>", policy=FEED_READERS, tags=("intercambio",),
           summary="Esquema JSON de una entidad del formato de intercambio (o batch, company)")
def get_schema(name: str):
    """The JSON Schema of one entity file, ``company`` or ``batch``."""
    schemas = all_schemas()
    if f"{name}.json" not in schemas:
        raise ApiError(f"Esquema desconocido. Entidades: {', '.join(e.name for e in ENTITIES)}.", 404)
    return jsonify(schemas[f"{name}.json"])



"""JSON twin of the simple transformer search (Anexo 1 §2.4): the same service as the page."""
from __future__ import annotations

from flask import jsonify

from api.core import ApiError, api_route, query_param
from auth.policy import NETWORK
from auth.session import current_actor
from data.db import get_session
from services.transformer_search import MAX_IDENTIFIER, SearchError, search_transformer

HIT_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}, "kva": {"type": "number"},
    "pole_plate": {"type": "string"}, "company": {"type": "string"}, "comuna": {"type": "string"},
    "feeder_id": {"type": "integer"}, "feeder_code": {"type": "string"}, "feeder_name": {"type": "string"},
    "substation_id": {"type": "integer"}, "substation_name": {"type": "string"}, "href": {"type": "string"}}}


@api_route("/busqueda/transformador", policy=NETWORK, summary="Buscar un transformador por placa, placa de poste o "
           "N° de cliente (exactamente uno)", tags=("busquedas",),
           parameters=[{"name": k, "in": "query", "required": False, "description": d,
                        "schema": {"type": "string", "maxLength": MAX_IDENTIFIER}}
                       for k, d in (("placa", "Placa del transformador"), ("poste", "Placa del poste"),
                                    ("cliente", "Número de cliente (no revela datos del cliente)"))],
           response_schema={"type": "object", "properties": {
               "criterion": {"type": "string"}, "identifier": {"type": "string"}, "count": {"type": "integer"},
               "message": {"type": "string"}, "transformer_id": {"type": ["integer", "null"]},
               "items": {"type": "array", "items": HIT_SCHEMA}}})
def transformer_search():
    """Resolve an identifier; ``transformer_id`` is set when it designates exactly one transformer."""
    args = {k: query_param(k, max_len=MAX_IDENTIFIER * 2) for k in ("placa", "poste", "cliente")}
    try:
        outcome = search_transformer(get_session(), current_actor(), **args)
    except SearchError as exc:
        raise ApiError(str(exc)) from None
    if not outcome.hits:
        raise ApiError(outcome.message, 404)
    return jsonify(criterion=outcome.criterion, identifier=outcome.identifier, count=len(outcome.hits),
                   message=outcome.message,
                   transformer_id=outcome.hits[0].id if len(outcome.hits) == 1 else None,
                   items=[h.to_dict() for h in outcome.hits])

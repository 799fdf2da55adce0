"""JSON twins of the location filter and the feeder asset search (/api/v1/red/...): bounded, paginated.

The pages call the same ``services.network`` functions; every route requires the NETWORK policy.
"""
from __future__ import annotations

import json
import re

from flask import Response, jsonify, request

from api.core import PAGE_PARAMETERS, ApiError, api_route, page_params, paged, query_param
from auth.policy import NETWORK
from auth.session import current_actor
from data.db import get_session
from reports.views import SHARED_TTL
from services.cache import shared_cache
from services.dataversion import data_version
from services.network import hierarchy as h
from services.network.assets import MAX_QUERY, SearchError, equipment_history, search_assets
from services.network.maps import FEEDER_LAYER_KEYS, feeder_layer

TAGS = ("red",)
_ITEM = {"type": "object"}


def _list_schema(item: dict) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": item}, "page": {"type": "integer"},
                                             "page_size": {"type": "integer"}, "total": {"type": "integer"}}}


def _code(value: str, digits: int, label: str) -> str:
    if not re.fullmatch(rf"\d{{{digits}}}", value):
        raise ApiError(f"El código de {label} debe tener {digits} dígitos.", 404)
    return value


def _listing(fetch) -> Response:
    page, size = page_params()
    result = fetch((page - 1) * size, size)
    return jsonify(paged(result.rows, result.total, page, size))


CODE_NAME = {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}


@api_route("/red/regiones", policy=NETWORK, summary="Regiones donde operan las distribuidoras", tags=TAGS,
           parameters=PAGE_PARAMETERS, response_schema=_list_schema(CODE_NAME))
def network_regions():
    """Regions with at least one served comuna."""
    return _listing(lambda o, n: h.regions(get_session(), current_actor(), o, n))


@api_route("/red/regiones/<region_code>/comunas", policy=NETWORK, summary="Comunas atendidas de una región",
           tags=TAGS, parameters=PAGE_PARAMETERS, response_schema=_list_schema(CODE_NAME))
def network_comunas(region_code: str):
    """Served comunas of a region."""
    code = _code(region_code, 2, "región")
    return _listing(lambda o, n: h.comunas(get_session(), current_actor(), code, o, n))


@api_route("/red/comunas/<comuna_code>/subestaciones", policy=NETWORK, summary="Subestaciones de una comuna",
           tags=TAGS, parameters=PAGE_PARAMETERS, response_schema=_list_schema(_ITEM))
def network_substations(comuna_code: str):
    """Substations of a comuna."""
    code = _code(comuna_code, 5, "comuna")
    return _listing(lambda o, n: h.substations(get_session(), current_actor(), code, o, n))


@api_route("/red/subestaciones/<int:substation_id>/alimentadores", policy=NETWORK,
           summary="Alimentadores de una subestación", tags=TAGS, parameters=PAGE_PARAMETERS,
           response_schema=_list_schema(_ITEM))
def network_feeders(substation_id: int):
    """Feeders of a substation."""
    return _listing(lambda o, n: h.feeders(get_session(), current_actor(), substation_id, o, n))


@api_route("/red/alimentadores/<int:feeder_id>/transformadores", policy=NETWORK,
           summary="Transformadores de distribución de un alimentador", tags=TAGS, parameters=PAGE_PARAMETERS,
           response_schema=_list_schema(_ITEM))
def network_transformers(feeder_id: int):
    """Distribution transformers of a feeder."""
    return _listing(lambda o, n: h.transformers(get_session(), current_actor(), feeder_id, o, n))


SEARCH_PARAMETERS = [{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": MAX_QUERY},
                      "description": "Parte del identificador (sin distinguir mayúsculas); vacío: todos"},
                     *PAGE_PARAMETERS]


def _search(feeder_id: int, kind: str) -> dict:
    page, size = page_params()
    q = query_param("q", "", max_len=MAX_QUERY)
    try:
        result = search_assets(get_session(), current_actor(), feeder_id, kind, q, page, size)
    except SearchError as exc:
        raise ApiError(str(exc)) from None
    return paged(result.rows, result.total, page, size, q=q)


@api_route("/red/alimentadores/<int:feeder_id>/postes", policy=NETWORK, summary="Búsqueda de postes de un alimentador",
           tags=TAGS, parameters=SEARCH_PARAMETERS, response_schema=_list_schema(_ITEM))
def network_poles(feeder_id: int):
    """Poles of a feeder whose plate contains ``q``: location as recorded, MV/LV voltages, VNR code."""
    return jsonify(_search(feeder_id, "poste"))


@api_route("/red/alimentadores/<int:feeder_id>/vanos", policy=NETWORK, summary="Búsqueda de vanos de un alimentador",
           tags=TAGS, parameters=SEARCH_PARAMETERS, response_schema=_list_schema(_ITEM))
def network_spans(feeder_id: int):
    """Spans of a feeder: nodes, length, conductor, VNR code, ampacity, phases."""
    return jsonify(_search(feeder_id, "vano"))


@api_route("/red/alimentadores/<int:feeder_id>/equipos", policy=NETWORK,
           summary="Búsqueda de equipos de un alimentador (con historial mensual)", tags=TAGS,
           parameters=SEARCH_PARAMETERS, response_schema=_list_schema(_ITEM))
def network_equipment(feeder_id: int):
    """Equipment of a feeder with its last 12 monthly states."""
    out = _search(feeder_id, "equipo")
    history = equipment_history(get_session(), current_actor(), [r["id"] for r in out["items"]])
    by_id: dict[int, list] = {}
    for row in history:
        by_id.setdefault(row["equipment_id"], []).append(
            {**{k: v for k, v in row.items() if k not in ("equipment_id", "code")}, "month": row["month"].isoformat()})
    for item in out["items"]:
        item["history"] = by_id.get(item["id"], [])
    return jsonify(out)


@api_route("/red/alimentadores/<int:feeder_id>/mapa/<layer>.geojson", policy=NETWORK,
           summary=f"Capa GeoJSON (EPSG:4326) del mapa de un alimentador: {', '.join(FEEDER_LAYER_KEYS)}", tags=TAGS,
           response_schema={"type": "object", "properties": {"type": {"const": "FeatureCollection"},
                                                             "features": {"type": "array"}}})
def network_feeder_layer(feeder_id: int, layer: str):
    """One big layer of a feeder map, served apart from the page so the browser can cache it."""
    if layer not in FEEDER_LAYER_KEYS:
        raise ApiError("Capa desconocida.", 404)
    session, actor = get_session(), current_actor()

    def encode() -> str:
        features = feeder_layer(session, actor, feeder_id, layer).features
        return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"),
                          ensure_ascii=False)

    # Public network data, the same for every reader: cached by data version like the shared views.
    h.get_feeder(session, actor, feeder_id)  # 404 for an unknown feeder, never cached
    body = shared_cache(f"feeder-layer:{feeder_id}:{layer}:{data_version(session)}", SHARED_TTL, encode)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.add_etag()
    return response.make_conditional(request)

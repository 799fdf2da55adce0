"""/api/v1/capacidad/...: capacity tables (JSON, CSV, XLSX, GeoJSON), single items, point query and criteria."""
from __future__ import annotations

import re

from flask import Response, jsonify, request

from api.core import ApiError, api_route, query_param
from auth.policy import NETWORK
from auth.scope import AccessDenied
from auth.session import current_actor
from data.db import get_session
from services.capacity import queries as q
from services.capacity.criteria import SOURCES, current_criteria
from services.capacity.export import (
    DISCLAIMER,
    as_table,
    clean_value,
    feeder_rows,
    to_csv,
    to_geojson,
    to_xlsx,
    transformer_rows,
)
from services.capacity.point import QUERY_KEYS, PointInputError, parse_point, point_result

FORMATS = ("json", "csv", "xlsx", "geojson")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMAT_PARAM = {"name": "formato", "in": "query", "schema": {"type": "string", "enum": list(FORMATS), "default": "json"},
                "description": "json (por defecto), csv (';' y coma decimal), xlsx o geojson"}
SCOPE_PARAMS = [{"name": "comuna", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{5}$"},
                 "description": "Código CUT de la comuna"},
                {"name": "alimentador", "in": "query", "schema": {"type": "integer"}, "description": "Id del alimentador"}]
ITEM_SCHEMA = {"type": "object", "properties": {"data_as_of": {"type": ["string", "null"], "format": "date"},
                                                "disclaimer": {"type": "string"}, "item": {"type": "object"}}}
LIST_SCHEMA = {"type": "object", "properties": {"data_as_of": {"type": ["string", "null"], "format": "date"},
                                                "disclaimer": {"type": "string"}, "count": {"type": "integer"},
                                                "items": {"type": "array", "items": {"type": "object"}}}}
TRANSFORMER_KEYS = ["id", "code", "company_code", "feeder_id", "feeder_code", "comuna_code", "comuna_name", "kva",
                    "primary_kv", "secondary_v", "smmc_monitored", "scc_mv_kva", "scc_kva", "min_daytime_demand_kw",
                    "eg_connected_kw", "eg_connected_n", "eg_queue_kw", "eg_queue_n", "eg_total_kw", "cip_scc_kvs_kw",
                    "cip_scc_share_kw", "cip_kw", "cip_binding", "cip_available_kw", "iep_demand_kw", "iep_scc_kw",
                    "iep_kw", "iep_binding", "iep_floored", "simplified_max_kw", "simplified_applies", "available_kw",
                    "capacity_class", "lon", "lat"]
FEEDER_KEYS = ["id", "code", "name", "company_code", "substation_id", "substation_name", "comuna_code", "comuna_name",
               "nominal_kv", "capacity_kva", "scc_kva", "min_demand_kw", "max_demand_kw", "pmgd_connected_kw",
               "pmgd_connected_n", "pmgd_queue_kw", "pmgd_queue_n", "eg_connected_kw", "eg_queue_kw",
               "generation_total_kw", "limit_min_demand_kw", "limit_short_circuit_kw", "limit_thermal_kw",
               "ratio_gen_to_min_demand", "short_circuit_ratio", "ratio_export_to_capacity", "pmgd_available_kw",
               "pmgd_binding", "pmgd_floored", "capacity_class"]


def _scope() -> q.Scope:
    comuna = query_param("comuna", max_len=5)
    feeder = query_param("alimentador", max_len=12)
    if comuna is not None and not re.fullmatch(r"\d{5}", comuna):
        raise ApiError("El parámetro 'comuna' debe ser un código CUT de 5 dígitos.")
    if feeder is not None and not re.fullmatch(r"\d{1,12}", feeder):
        raise ApiError("El parámetro 'alimentador' debe ser un entero positivo.")
    if comuna is None and feeder is None:
        raise ApiError("Indique 'comuna' o 'alimentador' para acotar la descarga.")
    return q.Scope(comuna_code=comuna, feeder_id=int(feeder) if feeder else None)


def _format() -> str:
    fmt = (request.args.get("formato") or "json").lower()
    if fmt not in FORMATS:
        raise ApiError(f"Formato no soportado: use {', '.join(FORMATS)}.")
    return fmt


def _download(kind: str, rows: list[dict], keys: list[str], geometry, as_of, fmt: str):
    stamp = as_of.strftime("%Y-%m") if as_of else "sin-fecha"
    name = f"capacidad-{kind}-{stamp}"
    if fmt == "csv":
        return Response(to_csv(as_table(kind, rows)), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        return Response(to_xlsx(as_table(kind, rows), as_of, current_criteria().as_dict()), mimetype=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    if fmt == "geojson":
        return Response(_json(to_geojson(rows, keys, geometry, as_of)), mimetype="application/geo+json",
                        headers={"Content-Disposition": f'attachment; filename="{name}.geojson"'})
    return jsonify(data_as_of=as_of.isoformat() if as_of else None, disclaimer=DISCLAIMER, count=len(rows),
                   items=[{k: r.get(k) for k in keys} for r in rows])


def _json(data) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, default=str)


@api_route("/capacidad/transformadores", policy=NETWORK, tags=("capacidad",),
           summary="Capacidad EG (CIP, IEP, tramo simplificado) por transformador de una comuna o alimentador",
           parameters=[*SCOPE_PARAMS, FORMAT_PARAM], response_schema=LIST_SCHEMA)
def transformers_capacity():
    """Transformer EG capacity of a comuna or feeder as JSON, CSV, XLSX or GeoJSON (points)."""
    fmt, scope = _format(), _scope()
    frame, as_of = q.transformer_capacity(get_session(), scope)
    rows = transformer_rows(frame)
    return _download("transformadores", rows, TRANSFORMER_KEYS,
                     lambda r: {"type": "Point", "coordinates": [round(r["lon"], 6), round(r["lat"], 6)]}, as_of, fmt)


@api_route("/capacidad/alimentadores", policy=NETWORK, tags=("capacidad",),
           summary="Indicadores PMGD (indicativos) por alimentador de una comuna",
           parameters=[*SCOPE_PARAMS, FORMAT_PARAM], response_schema=LIST_SCHEMA)
def feeders_capacity():
    """Feeder PMGD indicators of a comuna as JSON, CSV, XLSX or GeoJSON (MV lines)."""
    fmt, scope = _format(), _scope()
    session = get_session()
    scope = q.Scope(comuna_code=scope.comuna_code, ids=(scope.feeder_id,) if scope.feeder_id else None)
    frame, as_of = q.feeder_capacity(session, scope)
    rows = feeder_rows(frame)
    lines = q.feeder_lines(session, frame["id"].tolist()) if fmt == "geojson" else {}
    return _download("alimentadores", rows, FEEDER_KEYS,
                     lambda r: {"type": "MultiLineString", "coordinates": lines[r["id"]]} if r["id"] in lines else None,
                     as_of, fmt)


@api_route("/capacidad/transformadores/<int:transformer_id>", policy=NETWORK, tags=("capacidad",),
           summary="Capacidad EG de un transformador, con cada criterio y el limitante", response_schema=ITEM_SCHEMA)
def transformer_capacity(transformer_id: int):
    """One transformer's EG criteria."""
    frame, as_of = q.transformer_capacity(get_session(), q.Scope(ids=(transformer_id,)))
    if frame.empty:
        raise ApiError("No existe el transformador solicitado.", 404)
    row = transformer_rows(frame)[0]
    return jsonify(data_as_of=as_of.isoformat() if as_of else None, disclaimer=DISCLAIMER,
                   item={k: row.get(k) for k in TRANSFORMER_KEYS})


@api_route("/capacidad/alimentadores/<int:feeder_id>", policy=NETWORK, tags=("capacidad",),
           summary="Indicadores PMGD de un alimentador (indicativos)", response_schema=ITEM_SCHEMA)
def feeder_capacity(feeder_id: int):
    """One feeder's PMGD indicators."""
    frame, as_of = q.feeder_capacity(get_session(), q.Scope(ids=(feeder_id,)))
    if frame.empty:
        raise ApiError("No existe el alimentador solicitado.", 404)
    row = feeder_rows(frame)[0]
    return jsonify(data_as_of=as_of.isoformat() if as_of else None, disclaimer=DISCLAIMER,
                   item={k: row.get(k) for k in FEEDER_KEYS})


@api_route("/capacidad/punto", policy=NETWORK, tags=("capacidad",),
           summary="Transformadores y alimentador más cercanos a un punto (lat/lon, UTM con datum y huso, o N° cliente)",
           parameters=[{"name": k, "in": "query", "schema": {"type": "string"}} for k in QUERY_KEYS],
           response_schema={"type": "object"})
def point_capacity():
    """Nearest network to a point with distances and available capacity."""
    session, actor = get_session(), current_actor()
    unknown = set(request.args) - set(QUERY_KEYS)
    if unknown:
        raise ApiError(f"Parámetros desconocidos: {', '.join(sorted(unknown))[:80]}.")
    try:
        req = parse_point(session, actor, {k: request.args.get(k, "")[:40] for k in QUERY_KEYS})
    except PointInputError as exc:
        raise ApiError(str(exc), 400, exc.errors) from None
    except AccessDenied as exc:
        raise ApiError(exc.message, exc.status) from None
    if req is None:
        raise ApiError("Indique lat/lon, este/norte/datum/huso o cliente.")
    result = point_result(session, req)
    rows = transformer_rows(result["transformers"]) if not result["transformers"].empty else []
    feeder = result["feeder"]
    return jsonify(data_as_of=result["as_of"].isoformat() if result["as_of"] else None, disclaimer=DISCLAIMER,
                   point={"lon": req.lon, "lat": req.lat, "mode": req.mode, "label": req.label},
                   transformers=[{**{k: r.get(k) for k in TRANSFORMER_KEYS}, "distance_m": r.get("distance_m")} for r in rows],
                   feeder=None if feeder is None else {**{k: clean_value(feeder.get(k)) for k in FEEDER_KEYS},
                                                       "distance_m": feeder["distance_m"]})


@api_route("/capacidad/criterios", policy=NETWORK, tags=("capacidad",),
           summary="Umbrales de los criterios de capacidad y su fuente", response_schema={"type": "object"})
def capacity_criteria():
    """The thresholds in use and the article or assumption each comes from."""
    values = current_criteria().as_dict()
    return jsonify(disclaimer=DISCLAIMER, criteria=[{"key": k, "value": v, "source": SOURCES.get(k, "")}
                                                   for k, v in values.items()])


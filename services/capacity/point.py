"""Point query: a place given as lat/lon, as UTM (datum + zone) or as a client number -> nearest network.

Input is validated strictly with Spanish messages; coordinates are reprojected with ``geo.crs``
(PSAD56/SAD69 through PROJ's regional transforms). Client numbers resolve only for users who may
see that supply (``auth.scope`` rules); others get the same "not found" answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import Actor, supply_ids
from data.models import Client, DistributionTransformer, Feeder, GenerationInstallation
from geo.crs import DATUM_LABELS, DATUMS, ZONES, CrsError, frame_to_wgs84, to_wgs84
from services.capacity import spatial
from services.capacity.criteria import CapacityCriteria, current_criteria
from services.capacity.queries import Scope, feeder_capacity, transformer_capacity
from services.formatting import fmt_number

QUERY_KEYS = ("lat", "lon", "este", "norte", "datum", "huso", "cliente", "k")
# Chile including Rapa Nui and the southern tip (a generous box; finer checks are the zone band).
LAT_RANGE = (-56.6, -17.4)
LON_RANGE = (-109.6, -66.0)
CLIENT_ROLES_ALLOWED = ("client", "eg_client", "sec", "operator")


class PointInputError(ValueError):
    """Invalid point input: ``errors`` is a list of {"field", "reason"} in Spanish."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(e["reason"] for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class PointRequest:
    """A validated place: WGS84 lon/lat, how it was given, and how many transformers to list."""

    mode: str  # latlon | utm | client
    lon: float
    lat: float
    label: str
    k: int


def parse_number(text: str) -> float:
    """A decimal in es-CL or plain notation: ``-33,0456``, ``6.354.321,5``, ``-71.25``."""
    t = (text or "").strip().replace(" ", "").replace("\u2212", "-")
    if not re.fullmatch(r"[-+]?[\d.,]+", t) or not re.search(r"\d", t):
        raise ValueError
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif t.count(".") > 1:
        t = t.replace(".", "")
    return float(t)


def _given(raw: Mapping[str, str], key: str) -> str:
    return str(raw.get(key) or "").strip()


def parse_point(session: Session, actor: Actor, raw: Mapping[str, str], criteria: CapacityCriteria | None = None
                ) -> PointRequest | None:
    """The place described by ``raw`` (None when nothing was given), or ``PointInputError``."""
    criteria = criteria or current_criteria()
    errors: list[dict] = []
    k = criteria.nearest_default_k
    if _given(raw, "k"):
        if re.fullmatch(r"\d{1,3}", _given(raw, "k")) and 1 <= int(_given(raw, "k")) <= criteria.nearest_max_k:
            k = int(_given(raw, "k"))
        else:
            errors.append({"field": "k", "reason": f"La cantidad de transformadores debe ser un entero entre 1 y "
                                                   f"{criteria.nearest_max_k}."})
    modes = [m for m, keys in (("latlon", ("lat", "lon")), ("utm", ("este", "norte")), ("client", ("cliente",)))
             if any(_given(raw, key) for key in keys)]
    if not modes:
        if errors:
            raise PointInputError(errors)
        return None
    if len(modes) > 1:
        raise PointInputError([{"field": "modo", "reason": "Indique la ubicación de una sola forma: latitud/longitud, "
                                                           "coordenadas UTM o número de cliente."}])
    mode = modes[0]
    if mode == "latlon":
        point = _latlon(raw, errors)
    elif mode == "utm":
        point = _utm(raw, errors)
    else:
        point = _client(session, actor, _given(raw, "cliente"), errors)
    if errors or point is None:
        raise PointInputError(errors)
    lon, lat, label = point
    return PointRequest(mode, lon, lat, label, k)


def _number(raw, key: str, label: str, errors: list) -> float | None:
    text = _given(raw, key)
    if not text:
        errors.append({"field": key, "reason": f"Falta {label}."})
        return None
    try:
        return parse_number(text)
    except ValueError:
        errors.append({"field": key, "reason": f"{label[0].upper()}{label[1:]} no es un número válido: «{text[:30]}»."})
        return None


def _in_chile(lon: float, lat: float) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def _latlon(raw, errors) -> tuple[float, float, str] | None:
    lat = _number(raw, "lat", "la latitud", errors)
    lon = _number(raw, "lon", "la longitud", errors)
    if lat is None or lon is None:
        return None
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        errors.append({"field": "lat", "reason": "La latitud debe estar entre -90 y 90 y la longitud entre -180 y 180 "
                                                 "(grados decimales)."})
        return None
    if lat > 0 and lon < 0 and _in_chile(lon, -lat):
        errors.append({"field": "lat", "reason": "La latitud en Chile es negativa (hemisferio sur): use el signo menos."})
        return None
    if not _in_chile(lon, lat):
        errors.append({"field": "lat", "reason": "La ubicación está fuera de Chile. Use grados decimales, p. ej. "
                                                 "latitud -33,0472 y longitud -71,6127."})
        return None
    return lon, lat, f"Latitud {fmt_number(lat, 5)}, longitud {fmt_number(lon, 5)} (WGS84)"


def _utm(raw, errors) -> tuple[float, float, str] | None:
    east = _number(raw, "este", "la coordenada Este", errors)
    north = _number(raw, "norte", "la coordenada Norte", errors)
    datum = _given(raw, "datum").upper().replace("-", "").replace(" ", "")
    zone = _given(raw, "huso").upper()
    if datum not in DATUMS:
        errors.append({"field": "datum", "reason": f"Datum no soportado: elija {', '.join(DATUM_LABELS[d] for d in DATUMS)}."})
    if zone not in ZONES:
        errors.append({"field": "huso", "reason": f"Huso no soportado: elija {', '.join(ZONES)}."})
    if east is not None and not 100_000 <= east <= 900_000:
        errors.append({"field": "este", "reason": "La coordenada Este debe estar entre 100.000 y 900.000 m."})
    if north is not None and not 1_000_000 <= north <= 10_000_000:
        errors.append({"field": "norte", "reason": "La coordenada Norte debe estar entre 1.000.000 y 10.000.000 m "
                                                   "(hemisferio sur)."})
    if errors:
        return None
    try:
        lon, lat = to_wgs84(east, north, datum, zone)
    except CrsError as exc:
        errors.append({"field": "datum", "reason": str(exc)})
        return None
    central = (int(zone[:-1]) - 1) * 6 - 180 + 3
    if not _in_chile(lon, lat) or abs(lon - central) > 4.5:
        errors.append({"field": "huso", "reason": f"Las coordenadas no caen en Chile con el huso {zone}: revise el huso, "
                                                  "el datum y que Este/Norte no estén invertidos."})
        return None
    label = f"E {fmt_number(east, 1)} · N {fmt_number(north, 1)} ({DATUM_LABELS[datum]}, huso {zone})"
    return float(lon), float(lat), label


def _client(session: Session, actor: Actor, number: str, errors: list) -> tuple[float, float, str] | None:
    if not re.fullmatch(r"[0-9A-Za-z-]{1,20}", number):
        errors.append({"field": "cliente", "reason": "El número de cliente tiene solo dígitos (hasta 20)."})
        return None
    if actor.role not in CLIENT_ROLES_ALLOWED:
        errors.append({"field": "cliente", "reason": "La búsqueda por número de cliente está disponible para el titular "
                                                     "del suministro, operadores de la distribuidora y la SEC."})
        return None
    candidates = list(session.scalars(select(Client).where(Client.client_number == number)))
    if actor.role == "operator":
        candidates = [c for c in candidates if c.company_id == actor.company_id]
    elif actor.role in ("client", "eg_client"):
        own = set(supply_ids(session, actor))
        candidates = [c for c in candidates if c.id in own]
    if not candidates:
        errors.append({"field": "cliente", "reason": f"No se encontró el cliente N° {number} entre los suministros que "
                                                     "usted puede consultar."})
        return None
    client = candidates[0]
    from services.audit import record_access

    record_access(session, actor, "capacity_point_client", target="capacidad-punto", object_type="client",
                  object_id=client.id, personal_data=True)
    eg = session.scalar(select(GenerationInstallation).where(GenerationInstallation.client_id == client.id))
    located = eg or session.get(DistributionTransformer, client.transformer_id)
    lon, lat = frame_to_wgs84([located.x], [located.y], [located.datum], [located.zone])
    where = "su instalación EG" if eg is not None else "su transformador de distribución"
    return float(lon[0]), float(lat[0]), f"Cliente N° {number} (ubicación de {where})"


def point_result(session: Session, req: PointRequest, criteria: CapacityCriteria | None = None) -> dict:
    """Nearest transformers (with EG capacity) and nearest feeder (with PMGD indicators) to a point."""
    criteria = criteria or current_criteria()
    index = spatial.network_index(session)
    near = spatial.nearest_transformers(index, req.lon, req.lat, req.k, criteria.nearest_max_distance_m)
    ids = tuple(tid for tid, _ in near)
    frame, as_of = transformer_capacity(session, Scope(ids=ids), criteria) if ids else (pd.DataFrame(), None)
    if ids:
        frame = frame.set_index("id").loc[list(ids)].reset_index()
        frame["distance_m"] = [d for _, d in near]
    feeder = None
    hit = spatial.nearest_feeder(index, req.lon, req.lat, criteria.nearest_max_distance_m)
    feeder_as_of = None
    if hit is not None:
        frame_f, feeder_as_of = feeder_capacity(session, Scope(ids=(hit[0],)), criteria)
        if not frame_f.empty:
            feeder = frame_f.iloc[0].to_dict() | {"distance_m": hit[1]}
    return {"request": req, "transformers": frame, "feeder": feeder, "as_of": as_of or feeder_as_of}


def feeder_name(session: Session, feeder_id: int) -> str:
    """``code · name`` of a feeder."""
    f = session.get(Feeder, feeder_id)
    return f"{f.code} · {f.name}" if f else str(feeder_id)

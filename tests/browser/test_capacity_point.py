"""Point query in the browser: typed lat/lon, PSAD56 UTM and a map click all list the nearest network."""
from __future__ import annotations

import numpy as np
from pyproj import Geod, Transformer
from sqlalchemy import select

from data.models import DistributionTransformer
from geo.crs import frame_to_wgs84
from tests.browser.conftest import wait_until, login, shot

GEOD = Geod(ellps="WGS84")
TABLE = "#view-capacidad-punto"


def place_and_expected(app):
    """A point 30 m north of a transformer whose nearest neighbour wins clearly, and that transformer's code."""
    with app.extensions["db"].session() as s:
        rows = s.execute(select(DistributionTransformer.code, DistributionTransformer.x, DistributionTransformer.y,
                                DistributionTransformer.datum, DistributionTransformer.zone)).all()
    codes = [r[0] for r in rows]
    lon, lat = frame_to_wgs84(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]),
                              np.array([r[3] for r in rows]), np.array([r[4] for r in rows]))
    for i in range(len(rows)):
        plon, plat, _ = GEOD.fwd(lon[i], lat[i], 0, 30)
        _, _, d = GEOD.inv(np.full(len(rows), plon), np.full(len(rows), plat), lon, lat)
        order = np.argsort(d)
        if d[order[1]] - d[order[0]] > 25:
            return plon, plat, codes[order[0]]
    raise AssertionError("no unambiguous place")


def first_code(page) -> str:
    return page.locator(f"{TABLE} table.table-hover tbody tr").first.locator("td").nth(1).inner_text()


def test_point_query_by_coordinates_and_map_click(page, live_server):
    plon, plat, expected = place_and_expected(live_server.app)
    login(page, live_server.url, "publico")
    page.goto(f"{live_server.url}/capacidad/punto")
    page.wait_for_selector("#view-capacidad-punto .leaflet-container")
    shot(page, "capacity_point_empty")

    page.fill("#capacity-point-lat", f"{plat:.6f}".replace(".", ","))
    page.fill("#capacity-point-lon", f"{plon:.6f}".replace(".", ","))
    page.click("#capacity-point-go-latlon")
    page.wait_for_selector(f"{TABLE} >> text=Transformadores más cercanos")
    assert "lat=" in page.url and first_code(page) == expected
    text = page.inner_text(TABLE)
    assert "Alimentador más cercano" in text and "Distancia (m)" in text and "no reemplazan el estudio" in text
    shot(page, "capacity_point_latlon")

    east, north = Transformer.from_crs("EPSG:4326", "EPSG:24879", always_xy=True).transform(plon, plat)
    page.fill("#capacity-point-east", f"{east:.1f}")
    page.fill("#capacity-point-north", f"{north:.1f}")
    page.select_option("#capacity-point-datum", "PSAD56")
    page.select_option("#capacity-point-zone", "19S")
    page.click("#capacity-point-go-utm")
    wait_until(page, "location.search.includes('datum=PSAD56')")
    page.wait_for_selector(f"{TABLE} >> text=PSAD56, huso 19S")
    assert first_code(page) == expected
    shot(page, "capacity_point_psad56")

    box = page.locator("#view-capacidad-punto .leaflet-container").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    wait_until(page, "location.search.startsWith('?lat=')")
    wait_until(page, "!document.querySelector('#view-capacidad-punto .kv-table').innerText.includes('PSAD56')")
    place = page.inner_text(f"{TABLE} .kv-table")
    assert place.startswith("Ubicación ingresada") and "Latitud" in place and "(WGS84)" in place
    assert page.locator(f"{TABLE} table.table-hover tbody tr").count() == 5
    shot(page, "capacity_point_click")


def test_point_query_explains_bad_input(page, live_server):
    login(page, live_server.url, "publico")
    page.goto(f"{live_server.url}/capacidad/punto?lat=33&lon=-71")
    page.wait_for_selector("#capacity-point-error")
    assert "use el signo menos" in page.inner_text("#capacity-point-error")
    page.wait_for_selector("#view-capacidad-punto .leaflet-container")  # the map to click is still there
    shot(page, "capacity_point_error")

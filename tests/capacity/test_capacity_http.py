"""Capacity over HTTP: views, downloads (CSV, XLSX, GeoJSON) with "data as of", queue awareness, access."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from data.models import ConnectionApplication, DistributionTransformer, TransformerDemand
from pages.capacity import POINT_CLICK, POINT_GO_LATLON, point_search


@pytest.fixture
def comuna(shared_app):
    with shared_app.extensions["db"].session() as s:
        return s.scalar(select(DistributionTransformer.comuna_code).order_by(DistributionTransformer.id).limit(1))


def last_month(app):
    with app.extensions["db"].session() as s:
        return s.scalar(select(func.max(TransformerDemand.month)))


@pytest.mark.parametrize("url", ["/api/v1/capacidad/transformadores?comuna=05501", "/api/v1/capacidad/punto?lat=-33&lon=-71",
                                 "/api/v1/vistas/capacidad-transformador?transformer_id=1", "/api/v1/capacidad/criterios"])
def test_capacity_requires_a_network_reader(shared_auth, url):
    assert shared_auth.client.get(url).status_code == 401
    shared_auth.login("supervisor")
    assert shared_auth.client.get(url).status_code == 403


def test_transformer_card_shows_each_criterion_the_binding_one_and_the_queue(app, auth):
    auth.login("publico")
    with app.extensions["db"].session() as s:
        t = s.get(DistributionTransformer, 2)
        s.add(ConnectionApplication(company_id=t.company_id, code="SOL-TEST-2", kind="eg", capacity_kw=3, feeder_id=t.feeder_id,
                                    transformer_id=t.id, submitted_on=last_month(app), status="in_process"))
    data = auth.client.get("/api/v1/vistas/capacidad-transformador?transformer_id=2").json
    sections = {s["key"]: s for s in data["sections"]}
    names = [r["name"] for r in sections["criterios"]["rows"]]
    assert "Scc / (Kvs · Kman)" in names and "Demanda mínima diurna − EG" in names and "Scc / 20 − EG" in names
    assert sum(1 for r in sections["criterios"]["rows"] if r["what"] == "CIP" and r["binding"]) == 1
    assert [r["code"] for r in sections["cola"]["rows"]] == ["SOL-TEST-2"]
    assert any("en trámite" in p for p in sections["advertencia"]["paragraphs"])
    assert data["as_of"]


def test_queue_lowers_the_published_capacity(app, auth):
    auth.login("publico")
    with app.extensions["db"].session() as s:
        t = s.scalar(select(DistributionTransformer).where(DistributionTransformer.smmc_monitored.is_(True)).limit(1))
        tid, feeder_id, company_id = t.id, t.feeder_id, t.company_id
    before = auth.client.get(f"/api/v1/capacidad/transformadores/{tid}").json["item"]
    with app.extensions["db"].session() as s:
        s.add(ConnectionApplication(company_id=company_id, code="SOL-TEST-1", kind="eg", capacity_kw=0.5, feeder_id=feeder_id,
                                    transformer_id=tid, submitted_on=last_month(app), status="in_process"))
    after = auth.client.get(f"/api/v1/capacidad/transformadores/{tid}").json["item"]
    assert after["eg_queue_kw"] == pytest.approx(before["eg_queue_kw"] + 0.5)
    assert after["cip_available_kw"] == pytest.approx(max(0, before["cip_available_kw"] - 0.5))
    feeder = auth.client.get(f"/api/v1/capacidad/alimentadores/{feeder_id}").json["item"]
    assert feeder["eg_queue_kw"] >= 0.5


def test_downloads_in_every_format_carry_the_data_date(shared_auth, shared_app, comuna):
    shared_auth.login("publico")
    client = shared_auth.client
    as_of = last_month(shared_app).isoformat()
    listing = client.get(f"/api/v1/capacidad/transformadores?comuna={comuna}").json
    assert listing["data_as_of"] == as_of and listing["count"] == len(listing["items"]) > 0
    csv = client.get(f"/api/v1/capacidad/transformadores?comuna={comuna}&formato=csv")
    assert csv.status_code == 200 and "capacidad-transformadores-" in csv.headers["Content-Disposition"]
    body = csv.get_data(as_text=True)
    assert body.startswith("\ufeffTransformador;Empresa;Alimentador") and body.count("\r\n") == listing["count"] + 1
    xlsx = client.get(f"/api/v1/capacidad/transformadores?comuna={comuna}&formato=xlsx")
    wb = load_workbook(io.BytesIO(xlsx.data))
    assert wb["transformadores"].max_row == listing["count"] + 1
    notes = {row[0]: row[1] for row in wb["Notas"].iter_rows(values_only=True) if row and row[0]}
    assert notes["Datos al"] == as_of and "estudio de conexión" in notes["Advertencia"] and notes["kvs_lv"] == 33
    geo = json.loads(client.get(f"/api/v1/capacidad/transformadores?comuna={comuna}&formato=geojson").data)
    assert geo["data_as_of"] == as_of and len(geo["features"]) == listing["count"]
    assert geo["features"][0]["geometry"]["type"] == "Point"
    feeders = json.loads(client.get(f"/api/v1/capacidad/alimentadores?comuna={comuna}&formato=geojson").data)
    assert feeders["features"] and feeders["features"][0]["geometry"]["type"] == "MultiLineString"
    view_csv = client.get(f"/reportes/capacidad-comuna.csv?comuna={comuna}&tabla=alimentadores")
    assert view_csv.status_code == 200 and "Disponible PMGD" in view_csv.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [("", "Indique 'comuna'"), ("comuna=5501", "CUT de 5 dígitos"),
                                            ("comuna=05501&formato=pdf", "Formato no soportado")])
def test_download_parameters_are_checked(shared_auth, query, message):
    shared_auth.login("publico")
    response = shared_auth.client.get(f"/api/v1/capacidad/transformadores?{query}")
    assert response.status_code == 400 and message in response.json["error"]


def test_comuna_view_colours_every_transformer_and_feeder(shared_auth, comuna):
    shared_auth.login("publico")
    data = shared_auth.client.get(f"/api/v1/vistas/capacidad-comuna?comuna={comuna}").json
    table = next(s for s in data["sections"] if s["key"] == "transformadores")
    layers = next(s for s in data["sections"] if s["type"] == "map")["layers"]
    points = [f for layer in layers if layer["name"].startswith("Transformadores") for f in layer["geojson"]["features"]]
    lines = [f for layer in layers if layer["name"].startswith("Alimentadores") for f in layer["geojson"]["features"]]
    assert len(points) == len(table["rows"]) and lines
    assert {f["properties"]["color"] for f in points} <= {"#D55E00", "#E69F00", "#F0E442", "#009E73", "#999999"}
    assert any(layer["name"] == "Transformadores: Sin capacidad (0 kW)" for layer in layers)


def test_feeder_view_and_pdf(shared_auth):
    shared_auth.login("publico")
    data = shared_auth.client.get("/api/v1/vistas/capacidad-alimentador?feeder_id=1").json
    screens = next(s for s in data["sections"] if s["key"] == "criterios")["rows"]
    assert len(screens) == 4 and sum(1 for r in screens if r["binding"]) == 1
    assert "indicativ" in data["subtitle"]
    pdf = shared_auth.client.get("/reportes/capacidad-transformador.pdf?transformer_id=1")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_point_view_rejects_bad_input_with_spanish_details(shared_auth):
    shared_auth.login("publico")
    response = shared_auth.client.get("/api/v1/vistas/capacidad-punto?este=283000&norte=6360000&datum=PSAD56&huso=18X")
    assert response.status_code == 400 and "Huso no soportado" in response.json["details"][0]["reason"]


def test_map_click_and_form_become_the_page_url():
    assert point_search(POINT_CLICK, {"lat": -33.1234567, "lng": -71.5, "at": 1}, {}) == "?lat=-33.123457&lon=-71.500000"
    assert point_search(POINT_GO_LATLON, None, {"lat": "-33,1", "lon": "-71,2", "k": "3"}) == "?lat=-33%2C1&lon=-71%2C2&k=3"


def test_pages_render_through_the_router(shared_auth, comuna):
    shared_auth.login("publico")
    for path, search, expected in (("/capacidad", f"?comuna={comuna}", "Capacidad de conexión"),
                                   ("/capacidad/punto", "?lat=33&lon=-71", "use el signo menos"),
                                   ("/capacidad/transformador/1", "", "Criterios y criterio limitante")):
        response = shared_auth.callback("..page-content.children...navbar.children...page-meta.data..",
                                        [{"id": "url", "property": "pathname", "value": path},
                                         {"id": "url", "property": "search", "value": search}])
        assert response.status_code == 200 and expected in json.dumps(response.json, ensure_ascii=False)


def test_network_detail_pages_show_capacity(shared_auth):
    shared_auth.login("publico")
    feeder = shared_auth.client.get("/api/v1/vistas/detalle-alimentador?feeder_id=1").json
    card = next(s for s in feeder["sections"] if s["key"] == "capacidad")
    assert card["items"][0]["label"] == "Disponible para PMGD" and "limita" in str(card["items"][0]["value"])
    cap_map = next(s for s in feeder["sections"] if s["key"] == "mapa-capacidad")
    assert any(layer["name"].startswith("Transformadores") and layer["geojson"]["features"] for layer in cap_map["layers"])
    sub = shared_auth.client.get("/api/v1/vistas/detalle-subestacion?substation_id=1").json
    assert any(s["key"] == "mapa-capacidad" for s in sub["sections"])
    tr = shared_auth.client.get("/api/v1/vistas/detalle-transformador?transformer_id=1").json
    assert any(s["key"] == "capacidad" and s["title"].startswith("Capacidad de conexión EG") for s in tr["sections"])

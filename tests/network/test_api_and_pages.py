"""JSON twins, list endpoints, filter callbacks and the router for the network pages (HTTP layer)."""
from __future__ import annotations

import io
import json

from pypdf import PdfReader
from sqlalchemy import text

ROUTER = "..page-content.children...navbar.children...page-meta.data.."


def first(app, query):
    with app.extensions["db"].engine.connect() as conn:
        return conn.execute(text(query)).first()


def test_list_endpoints_walk_the_hierarchy(shared_auth):
    shared_auth.login("publico")
    get = lambda p: shared_auth.client.get(p).json  # noqa: E731
    regions = get("/api/v1/red/regiones")
    assert [r["name"] for r in regions["items"]] == ["Valparaíso", "Maule"] and regions["total"] == 2  # north to south
    comunas = get("/api/v1/red/regiones/05/comunas")["items"]
    subs = get(f"/api/v1/red/comunas/{comunas[0]['code']}/subestaciones")["items"]
    feeders = get(f"/api/v1/red/subestaciones/{subs[0]['id']}/alimentadores")
    trs = get(f"/api/v1/red/alimentadores/{feeders['items'][0]['id']}/transformadores?page_size=2")
    assert len(trs["items"]) == 2 and trs["total"] > 2 and trs["page_size"] == 2
    assert shared_auth.client.get("/api/v1/red/regiones?page_size=501").status_code == 400
    assert shared_auth.client.get("/api/v1/red/regiones/13/comunas").status_code == 404
    assert shared_auth.client.get("/api/v1/red/regiones/x5/comunas").status_code == 404


def test_asset_endpoints_search_and_include_equipment_history(shared_auth):
    shared_auth.login("publico")
    feeder_id, eq_code = first(shared_auth.client.application, "SELECT feeder_id, code FROM equipment ORDER BY id")
    out = shared_auth.client.get(f"/api/v1/red/alimentadores/{feeder_id}/equipos?q={eq_code[-3:]}").json
    item = next(i for i in out["items"] if i["code"] == eq_code)
    assert len(item["history"]) == 12 and item["history"][0]["month"] == "2026-10-01"
    spans = shared_auth.client.get(f"/api/v1/red/alimentadores/{feeder_id}/vanos?page_size=3&page=2").json
    assert len(spans["items"]) == 3 and spans["page"] == 2
    assert shared_auth.client.get(f"/api/v1/red/alimentadores/{feeder_id}/postes?q={'x' * 41}").status_code == 400


def test_feeder_geojson_layer_has_one_feature_per_span_and_is_cacheable(shared_auth):
    shared_auth.login("publico")
    app = shared_auth.client.application
    feeder_id, n_mv = first(app, "SELECT feeder_id, COUNT(*) FROM spans WHERE voltage_level = 'MT' GROUP BY feeder_id "
                                 "ORDER BY feeder_id")
    url = f"/api/v1/red/alimentadores/{feeder_id}/mapa/vanos-mt.geojson"
    response = shared_auth.client.get(url)
    data = json.loads(response.data)
    assert response.mimetype == "application/geo+json" and len(data["features"]) == n_mv
    assert all("Vano V-" in f["properties"]["popup"] for f in data["features"])
    again = shared_auth.client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert shared_auth.client.get(f"/api/v1/red/alimentadores/{feeder_id}/mapa/nada.geojson").status_code == 404


def test_feeder_view_twin_has_every_fig_10_field_and_a_compact_map(shared_auth):
    shared_auth.login("publico")
    app = shared_auth.client.application
    feeder_id, n_spans = first(app, "SELECT feeder_id, COUNT(*) FROM spans GROUP BY feeder_id ORDER BY feeder_id")
    data = shared_auth.client.get(f"/api/v1/vistas/detalle-alimentador?feeder_id={feeder_id}").json
    labels = [i["label"] for s in data["sections"] if s["type"] == "key_values" for i in s["items"]]
    for label in ("Id alimentador", "Nombre", "Tipo", "Distribuidora propietaria", "Nodo de distribución (punto de compra)",
                  "Capacidad", "Potencia de cortocircuito en cabecera", "Plano KMZ"):
        assert label in labels
    kmz = next(i for s in data["sections"] if s["type"] == "key_values" for i in s["items"] if i["label"] == "Plano KMZ")
    assert kmz["href"] == f"/red/alimentador/{feeder_id}/plano.kmz"
    tables = {s["key"]: s for s in data["sections"] if s["type"] == "table"}
    assert len(tables["demandas"]["rows"]) == 12 and "Margen (kW)" in [c["label"] for c in tables["transformadores"]["columns"]]
    layers = {l["name"]: l for s in data["sections"] if s["type"] == "map" for l in s["layers"]}
    assert {"Vanos MT", "Vanos BT", "Postes", "Transformadores de distribución", "Subestación"} <= set(layers)
    assert any(name.startswith("Comuna ") for name in layers)
    merged = sum(len(f["geometry"]["coordinates"]) for n in ("Vanos MT", "Vanos BT") for f in layers[n]["geojson"]["features"])
    assert merged == n_spans  # every span drawn, merged into one MultiLineString per voltage level


def test_feeder_search_and_pdf_include_the_results(shared_auth):
    shared_auth.login("publico")
    app = shared_auth.client.application
    feeder_id, code = first(app, "SELECT feeder_id, code FROM poles ORDER BY id")
    query = f"feeder_id={feeder_id}&tipo=poste&q={code[-4:]}&pagina=1"
    data = shared_auth.client.get(f"/api/v1/vistas/detalle-alimentador?{query}").json
    table = next(s for s in data["sections"] if s.get("key") == "busqueda")
    assert code in [r["code"] for r in table["rows"]]
    bad = shared_auth.client.get(f"/api/v1/vistas/detalle-alimentador?feeder_id={feeder_id}&tipo=torre")
    assert bad.status_code == 400
    pdf = shared_auth.client.get(f"/reportes/detalle-alimentador.pdf?{query}")
    text_ = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert code in text_ and "Búsqueda de postes" in text_ and "Potencia de cortocircuito" in text_


def test_filter_chain_callbacks_and_buscar(shared_auth):
    shared_auth.login("publico")
    comunas = shared_auth.callback("..net-filter-comuna.options...net-filter-comuna.value...net-filter-comuna.disabled..",
                                   [{"id": "net-filter-region", "property": "value", "value": "05"}],
                                   [{"id": "net-filter-comuna", "property": "value", "value": "07101"}]).json
    out = comunas["response"]["net-filter-comuna"]
    assert [o["label"] for o in out["options"]] == ["Calera", "Quillota"] and out["value"] is None
    assert out["disabled"] is False
    buscar = next(k for k in shared_auth.client.application.extensions["ra_dash"].callback_map if "net-filter-msg" in k)
    state = [{"id": f"net-filter-{n}", "property": "value", "value": v}
             for n, v in (("region", "05"), ("comuna", None), ("substation", None), ("feeder", None), ("transformer", None))]
    missing = shared_auth.callback(buscar, [{"id": "net-filter-search", "property": "n_clicks", "value": 1}], state).json
    assert "región y la comuna" in json.dumps(missing["response"]["net-filter-msg"], ensure_ascii=False)
    state[1]["value"], state[2]["value"] = "05501", 1
    ok = shared_auth.callback(buscar, [{"id": "net-filter-search", "property": "n_clicks", "value": 1}], state).json
    assert ok["response"]["url"]["href"] == "/red/subestacion/1/alimentadores"


def test_filter_page_prefills_from_the_url(shared_auth):
    shared_auth.login("publico")
    body = shared_auth.callback(ROUTER, [{"id": "url", "property": "pathname", "value": "/red/buscar"},
                                         {"id": "url", "property": "search",
                                          "value": "?region=05&comuna=05501&subestacion=1&alimentador=2"}]).json
    dump = json.dumps(body)
    for ident, value in (("net-filter-region", '"05"'), ("net-filter-comuna", '"05501"'),
                         ("net-filter-substation", "1"), ("net-filter-feeder", "2")):
        assert f'"id": "{ident}"' in dump
        props = _component(body, ident)
        assert json.dumps(props["value"]) == value and props["options"]


def _component(node, ident):
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == ident:
            return node["props"]
        for v in node.values():
            found = _component(v, ident)
            if found:
                return found
    elif isinstance(node, list):
        for v in node:
            found = _component(v, ident)
            if found:
                return found
    return None


def test_result_and_detail_pages_render_with_breadcrumbs(shared_auth):
    shared_auth.login("publico")
    for path, expected in (("/red/comuna/05501/subestaciones", "Subestaciones de Quillota"),
                           ("/red/subestacion/1/alimentadores", "Alimentadores de"),
                           ("/red/alimentador/1/transformadores", "Transformadores del alimentador"),
                           ("/red/subestacion/1", "Detalle subestación"), ("/red/alimentador/1", "Detalle alimentador"),
                           ("/red/transformador/1", "Detalle transformador"),
                           ("/red/transformador/999999", "El transformador no existe.")):
        body = shared_auth.callback(ROUTER, [{"id": "url", "property": "pathname", "value": path},
                                             {"id": "url", "property": "search", "value": ""}]).json
        body = json.dumps(body, ensure_ascii=False)
        assert expected in body, path
        if "999999" not in path:
            assert "Valparaíso" in body and "breadcrumb" in body

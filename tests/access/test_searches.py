"""Simple transformer search (§2.4) and VNR search (§2.5): known answers, messages, ambiguity, JSON twins, PDF."""
from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from auth.scope import Actor
from data.models import Client, DistributionCompany, DistributionTransformer, VnrCode
from services.transformer_search import SearchError, search_transformer
from tests.access.conftest import render

PUBLIC = Actor(1, "publico", "public")


def _a_client(session) -> Client:
    return session.scalars(select(Client).order_by(Client.id).offset(5)).first()


def test_search_by_client_number_finds_its_transformer_only(shared_app):
    with shared_app.extensions["db"].session() as s:
        client = _a_client(s)
        outcome = search_transformer(s, PUBLIC, cliente=f"  {client.client_number} ")
        assert [h.id for h in outcome.hits] == [client.transformer_id]
        transformer = s.get(DistributionTransformer, client.transformer_id)
        hit = outcome.hits[0]
        assert (hit.code, hit.feeder_id, hit.href) == (transformer.code, transformer.feeder_id,
                                                      f"/red/transformador/{transformer.id}")
        # Nothing personal about the client travels with the result.
        text = json.dumps(hit.to_dict(), ensure_ascii=False)
        for private in (client.name, client.rut, client.address, client.email):
            assert private not in text


def test_plate_and_pole_searches_are_exact_trimmed_and_case_insensitive(shared_app):
    with shared_app.extensions["db"].session() as s:
        t = s.scalars(select(DistributionTransformer).order_by(DistributionTransformer.id).offset(3)).first()
        assert [h.id for h in search_transformer(s, PUBLIC, placa=f" {t.code.lower()} ").hits] == [t.id]
        assert t.id in [h.id for h in search_transformer(s, PUBLIC, poste=t.pole_plate.lower()).hits]
        assert search_transformer(s, PUBLIC, placa=t.code[:-1]).hits == []  # no partial matches
        with pytest.raises(SearchError, match="Ingrese solo un identificador"):
            search_transformer(s, PUBLIC, placa=t.code, poste=t.pole_plate)
        with pytest.raises(SearchError, match="Ingrese la placa"):
            search_transformer(s, PUBLIC, placa="  ")


def test_api_search_and_unknown_identifier(shared_auth, shared_app):
    client = shared_auth.client
    assert client.get("/api/v1/busqueda/transformador?placa=TD-DEA-00001").status_code == 401
    shared_auth.login("publico")
    with shared_app.extensions["db"].session() as s:
        c = _a_client(s)
    data = client.get(f"/api/v1/busqueda/transformador?cliente={c.client_number}").json
    assert data["transformer_id"] == c.transformer_id and data["count"] == 1 and data["criterion"] == "cliente"
    assert c.name not in json.dumps(data, ensure_ascii=False)
    missing = client.get("/api/v1/busqueda/transformador?placa=NO-EXISTE-1")
    assert missing.status_code == 404 and "No se encontró ningún transformador" in missing.json["error"]
    both = client.get("/api/v1/busqueda/transformador?placa=A&poste=B")
    assert both.status_code == 400 and "solo un identificador" in both.json["error"]


def test_buscar_goes_to_the_detail_page_or_to_the_outcome_url(shared_auth, shared_app):
    shared_auth.login("publico")
    dash_app = shared_app.extensions["ra_dash"]
    key = next(k for k in dash_app.callback_map if "tsearch-feedback" in k)
    with shared_app.extensions["db"].session() as s:
        c = _a_client(s)

    def buscar(placa="", poste="", cliente=""):
        response = shared_auth.callback(key, [{"id": "tsearch-submit", "property": "n_clicks", "value": 1},
                                              {"id": "tsearch-plate", "property": "n_submit", "value": None},
                                              {"id": "tsearch-pole", "property": "n_submit", "value": None},
                                              {"id": "tsearch-client", "property": "n_submit", "value": None}],
                                        state=[{"id": "tsearch-plate", "property": "value", "value": placa},
                                               {"id": "tsearch-pole", "property": "value", "value": poste},
                                               {"id": "tsearch-client", "property": "value", "value": cliente}])
        assert response.status_code == 200
        return json.dumps(response.get_json(), ensure_ascii=False)

    assert f'"href": "/red/transformador/{c.transformer_id}"' in buscar(cliente=c.client_number)
    assert '"href": "/red/buscar-transformador?placa=XX-1"' in buscar(placa="XX-1")
    assert "Ingrese la placa del transformador" in buscar()
    page = render(shared_auth, "/red/buscar-transformador", "?placa=XX-1")
    assert "No se encontró ningún transformador con placa del transformador «XX-1»" in page


def test_a_plate_shared_by_two_companies_offers_a_choice(app, auth):
    with app.extensions["db"].session() as s:
        t = s.scalars(select(DistributionTransformer).order_by(DistributionTransformer.id)).first()
        other = s.scalar(select(DistributionCompany.id).where(DistributionCompany.id != t.company_id))
        twin_feeder = s.scalar(select(DistributionTransformer.feeder_id)
                               .where(DistributionTransformer.company_id == other))
        twin = DistributionTransformer(
            company_id=other, feeder_id=twin_feeder, code=t.code.lower(), name="TD gemelo", comuna_code=s.scalar(
                select(DistributionTransformer.comuna_code).where(DistributionTransformer.feeder_id == twin_feeder)),
            kva=45, connection_group="Dyn1", primary_kv=13.2, secondary_v=380, pole_plate="P-OTRA-1",
            phase_type="trifasico", phase_id="RST", smmc_monitored=False, short_circuit_kva=5000, x=t.x, y=t.y,
            datum=t.datum, zone=t.zone)
        s.add(twin)
        s.flush()
        twin_id, code, first_id = twin.id, t.code, t.id
    auth.login("publico")
    data = auth.client.get(f"/api/v1/busqueda/transformador?placa={code}").json
    assert data["count"] == 2 and data["transformer_id"] is None
    assert {i["id"] for i in data["items"]} == {first_id, twin_id}
    page = render(auth, "/red/buscar-transformador", f"?placa={code}")
    assert "Elija el que busca" in page
    assert f"/red/transformador/{first_id}" in page and f"/red/transformador/{twin_id}" in page


KNOWN = dict(code="ZZ-TEST-01", description="Unidad de prueba", unit="c/u", base_cost=1_000_000, surcharges=100_000,
             assembly=250_000, subtotal_1=1_350_000, engineering_overhead=202_500, subtotal_2=1_552_500,
             interest_during_construction=54_338, total=1_606_838)
EXPECTED = {"Recargos 1": "$ 100.000", "Montaje": "$ 250.000", "Stotal 1": "$ 1.350.000", "ING + GG": "$ 202.500",
            "Stotal 2": "$ 1.552.500", "IntInt": "$ 54.338", "Total Instalac s/derechos": "$ 1.606.838"}


def test_vnr_breakdown_known_answer_page_json_and_pdf(app, auth):
    with app.extensions["db"].session() as s:
        company = s.scalars(select(DistributionCompany).order_by(DistributionCompany.id)).first()
        s.add(VnrCode(company_id=company.id, **KNOWN))
        company_name = company.name
    auth.login("publico")
    data = auth.client.get("/api/v1/vistas/vnr?codigo=zz-test-01").json
    sections = [sec for sec in data["sections"] if sec["type"] == "key_values"]
    assert len(sections) == 1
    items = {i["label"]: i["value"] for i in sections[0]["items"]}
    assert {k: items[k] for k in EXPECTED} == EXPECTED
    assert items["Empresa"] == company_name and items["Costo base"] == "$ 1.000.000"
    labels = [i["label"] for i in sections[0]["items"]]
    assert labels[labels.index("Recargos 1"):] == list(EXPECTED)  # in the order of fig. 18
    page = render(auth, "/red/vnr", "?codigo=ZZ-TEST-01")
    assert all(v in page for v in EXPECTED.values()) and "Guardar PDF" in page
    pdf = auth.client.get("/reportes/vnr.pdf?codigo=ZZ-TEST-01")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("Código VNR ZZ-TEST-01", *EXPECTED, "1.606.838", company_name, "Usuario: publico"):
        assert expected in text


def test_vnr_code_of_several_companies_shows_each_and_unknown_code_is_explained(shared_auth, shared_app):
    shared_auth.login("publico")
    with shared_app.extensions["db"].session() as s:
        rows = s.execute(select(VnrCode.total, DistributionCompany.name).join(DistributionCompany)
                         .where(VnrCode.code == "TD-3F-045")).all()
    assert len(rows) == 2
    data = shared_auth.client.get("/api/v1/vistas/vnr?codigo=TD-3F-045").json
    kv = [sec for sec in data["sections"] if sec["type"] == "key_values"]
    assert {next(i["value"] for i in sec["items"] if i["label"] == "Empresa") for sec in kv} == {n for _, n in rows}
    missing = shared_auth.client.get("/api/v1/vistas/vnr?codigo=NO-EXISTE")
    assert missing.status_code == 404 and "No existe el código VNR «NO-EXISTE»" in missing.json["error"]
    assert "No existe el código VNR" in render(shared_auth, "/red/vnr", "?codigo=no-existe")
    assert "BUSCAR POR VNR" in render(shared_auth, "/red/vnr")

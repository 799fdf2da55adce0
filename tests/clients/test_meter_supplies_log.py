"""OBIS codes, the meter section, the supply chooser and the access log of personal-data views."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from services.obis import ObisError, describe, display_sequence, parse_obis, unit_for

ROUTER = "..page-content.children...navbar.children...page-meta.data.."


@pytest.mark.parametrize("text, groups, display", [
    ("1-0:1.8.0*255", (1, 0, 1, 8, 0, 255), "1.8.0"), ("1-0:2.8.1", (1, 0, 2, 8, 1, 255), "2.8.1"),
    ("1.6.0", (1, 0, 1, 6, 0, 255), "1.6.0"), (" 1-1:32.7.0*101 ", (1, 1, 32, 7, 0, 101), "32.7.0"),
])
def test_obis_codes_parse(text, groups, display):
    code = parse_obis(text)
    assert (code.a, code.b, code.c, code.d, code.e, code.f) == groups and code.display == display


@pytest.mark.parametrize("text", ["", "1.8", "1-0:1.8.0*256", "7-0:1.8.0*255", "1-0:1.8.0;drop", "a.b.c", "1-0:1.8.0.0"])
def test_invalid_obis_codes_are_refused(text):
    with pytest.raises(ObisError):
        parse_obis(text)


def test_obis_explanations_say_what_to_check():
    assert "consumida" in describe("1.8.0") and "total" in describe("1.8.0")
    assert "inyectada" in describe("1-0:2.8.0*255") and "anexo" in describe("2.8.0")
    assert "punta" in describe("1.8.1") and "Demanda máxima" in describe("1.6.0")
    assert unit_for(parse_obis("1.6.0")) == "kW" and unit_for(parse_obis("2.8.0")) == "kWh"
    three = [d.display for d in display_sequence("trifasico_bidireccional")]
    assert {"1.8.0", "2.8.0", "72.7.0"} <= set(three)
    assert "72.7.0" not in [d.display for d in display_sequence("monofasico_bidireccional")]


def test_meter_view_lists_registers_with_unit_time_and_explanation(shared_auth, supplies):
    shared_auth.login("cliente_eg")
    data = shared_auth.client.get(f"/api/v1/vistas/cliente-eg-medidor?client_id={supplies.eg}").json
    registers = next(s for s in data["sections"] if s["key"] == "registros")["rows"]
    codes = {r["obis"] for r in registers}
    assert {"1-0:1.8.0*255", "1-0:2.8.0*255", "1-0:1.8.1*255", "1-0:1.6.0*255"} <= codes
    for r in registers:
        parse_obis(r["obis"])
        assert r["unit"] and r["read_at"] and len(r["explanation"]) > 20
    t1 = next(r for r in registers if r["display"] == "1.8.1")["value"]
    t2 = next(r for r in registers if r["display"] == "1.8.2")["value"]
    total = next(r for r in registers if r["display"] == "1.8.0")["value"]
    assert t1 + t2 == pytest.approx(total, abs=0.2)
    display = next(s for s in data["sections"] if s["key"] == "display")["rows"]
    assert display[0]["display"] == "1.8.0" and display[0]["value"] != "—"


def test_supplies_api_lists_only_the_users_supplies(shared_auth, supplies):
    shared_auth.login("cliente")
    items = shared_auth.client.get("/api/v1/clientes/suministros").json["items"]
    assert sorted(i["id"] for i in items) == supplies.cliente and all(not i["is_eg"] for i in items)
    shared_auth.logout()
    shared_auth.login("sec")
    assert shared_auth.client.get("/api/v1/clientes/suministros").status_code == 403


def _route(auth, path, search=""):
    auth.client.get("/")
    body = auth.callback(ROUTER, [{"id": "url", "property": "pathname", "value": path},
                                  {"id": "url", "property": "search", "value": search}]).get_data(as_text=True)
    return json.dumps(json.loads(body), ensure_ascii=False)


def test_supply_chooser_lists_two_and_redirects_one(shared_auth, supplies):
    shared_auth.login("cliente")
    body = _route(shared_auth, "/mis-suministros")
    assert all(f"supply-open-{cid}" in body for cid in supplies.cliente) and "supplies-redirect" not in body
    shared_auth.logout()
    shared_auth.login("cliente_eg")
    body = _route(shared_auth, "/mis-suministros")
    assert "supplies-redirect" in body and f"/cliente-eg/{supplies.eg}" in body


def test_home_and_nav_offer_mis_suministros_to_clients(shared_auth):
    shared_auth.login("cliente")
    body = _route(shared_auth, "/")
    assert "Mis suministros" in body and "/mis-suministros" in body


def test_plain_supply_has_no_eg_sections(shared_auth, supplies):
    shared_auth.login("cliente")
    response = shared_auth.client.get(f"/api/v1/vistas/cliente-eg-general?client_id={supplies.cliente[0]}")
    assert response.status_code == 404


def test_personal_data_views_and_downloads_are_logged(app, auth):
    from data.models import AccessLog, Invoice
    from tests.clients.conftest import supplies_of

    with app.extensions["db"].session() as s:
        sup = supplies_of(s)
        number = s.scalar(select(Invoice.number).where(Invoice.client_id == sup.eg))
    auth.login("cliente_eg")
    assert auth.client.get(f"/api/v1/vistas/cliente-eg-general?client_id={sup.eg}").status_code == 200
    assert auth.client.get(f"/reportes/cliente-eg-boleta.pdf?client_id={sup.eg}&numero={number}").status_code == 200
    with app.extensions["db"].session() as s:
        rows = s.scalars(select(AccessLog).where(AccessLog.username == "cliente_eg", AccessLog.action != "login")).all()
        seen = {(r.action, r.target, r.personal_data) for r in rows}
    assert ("view", "cliente-eg-general", True) in seen
    assert ("download", "boleta", True) in seen

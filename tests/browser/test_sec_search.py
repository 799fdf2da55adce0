"""An SEC auditor searches a client by partial RUT, reaches the EG view link and finds the access audited;
a company operator checks its exchange batches and issues a token."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from data.models import Client, GenerationInstallation
from services.rut import format_rut
from tests.browser.conftest import login, shot


def test_sec_searches_partial_rut_reaches_eg_view_and_audit_shows_it(page, live_server):
    with live_server.app.extensions["db"].session() as session:
        client = session.scalar(select(Client).join(GenerationInstallation, GenerationInstallation.client_id == Client.id)
                                .order_by(Client.id.desc()).limit(1))
        partial = format_rut(client.rut)[:7]  # e.g. "10.000." : with dots, without check digit
        client_id, number, name = client.id, client.client_number, client.name
    login(page, live_server.url, "sec")
    page.click("text=Buscar cliente")
    page.wait_for_selector("#sec-clients-form")
    page.check("input[name=por][value=rut]")
    page.fill("#sec-clients-q", partial)
    page.click("#sec-clients-submit")
    page.wait_for_selector("#view-sec-clientes table")
    assert f"q={partial}".replace(".", ".") in page.url.replace("%2E", ".")
    headers = page.inner_text("#view-sec-clientes thead")
    for label in ("NOMBRE", "RUT", "DIRECCIÓN", "N° CLIENTE"):
        assert label in headers
    shot(page, "sec_search_partial_rut")
    if not page.is_visible(f"a[href='/cliente-eg/{client_id}']"):  # the client may be on a later page
        page.goto(f"{live_server.url}/sec/clientes?por=numero&q={number}")
        page.wait_for_selector("#view-sec-clientes table")
    link = page.locator(f"a[href='/cliente-eg/{client_id}']")
    assert link.inner_text() == number
    row = page.locator("#view-sec-clientes tr", has=link)
    assert name in row.inner_text() and "EG" in row.inner_text()
    link.click()
    page.wait_for_url(re.compile(rf".*/cliente-eg/{client_id}$"))
    shot(page, "sec_eg_view_link_target")

    page.goto(f"{live_server.url}/sec/auditoria?usuario=sec")
    page.wait_for_selector("#view-sec-auditoria table")
    trail = page.inner_text("#view-sec-auditoria table")
    assert "Búsqueda de clientes" in trail and f"q={partial}" in trail
    shot(page, "sec_audit_trail")
    with page.expect_download() as download:
        page.click("#csv-accesos")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Fecha y hora;Usuario;Acción") and f"q={partial}" in text


def test_operator_sees_batches_and_issues_a_token(page, live_server):
    from tests.exchange.helpers import post, token

    client, tok = live_server.app.test_client(), token(live_server.app, "DEA")
    good = {"batch_id": "navegador-1", "sequence": 1, "operations": [
        {"entity": "feeder_demands", "op": "insert", "key": {"feeder_code": "AL-DEA-001", "month": "2032-01-01"},
         "data": {"max_demand_kw": 12.0, "min_demand_kw": 4.0}}]}
    post(client, tok, good)
    post(client, tok, {**good, "batch_id": "navegador-2", "sequence": 5})
    login(page, live_server.url, "operador_dea")
    page.goto(f"{live_server.url}/empresa/intercambio")
    page.wait_for_selector("#view-intercambio")
    body = page.inner_text("#view-intercambio")
    assert "navegador-1" in body and "Aceptado" in body
    assert "navegador-2" in body and "Rechazado" in body and "se esperaba el lote N° 2" in body
    shot(page, "operator_exchange_status")
    page.click("text=Administrar tokens de intercambio")
    page.fill("#exchange-tokens-name", "Integración SCADA")
    page.click("#exchange-tokens-issue")
    page.wait_for_selector("#exchange-token-plain")
    plain = page.inner_text("#exchange-token-plain").strip()
    assert plain.startswith("ra_")
    assert plain.split("_")[1] in page.inner_text("#exchange-tokens-table")
    shot(page, "operator_tokens_issued")
    assert json.loads(json.dumps(plain))  # plain text, copyable

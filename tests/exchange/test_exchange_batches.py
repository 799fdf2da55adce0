"""Daily delta batches (§6.2): every rejection is a clear 4xx that changes zero rows; accepted batches
are atomic, idempotent, ordered and logged."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import make_app
from tests.exchange.helpers import change_count, data_hash, first, post, token


@pytest.fixture
def dea(app):
    """(client, DEA token, a DEA feeder code, a CEM client number)."""
    feeder = first(app, "select f.code from feeders f join companies c on c.id=f.company_id where c.code='DEA' "
                        "order by f.code limit 1")[0]
    cem_client = first(app, "select k.client_number from clients k join companies c on c.id=k.company_id "
                            "where c.code='CEM' order by k.id limit 1")[0]
    return app.test_client(), token(app, "DEA"), feeder, cem_client


def demand(feeder: str, month: str = "2031-01-01", kw: float = 1500.0) -> dict:
    return {"entity": "feeder_demands", "op": "insert", "key": {"feeder_code": feeder, "month": month},
            "data": {"max_demand_kw": kw, "min_demand_kw": kw / 3}}


def batch(ops: list[dict], sequence: int = 1, batch_id: str | None = None) -> dict:
    return {"batch_id": batch_id or f"b-{uuid.uuid4().hex[:8]}", "sequence": sequence, "operations": ops}


def assert_unchanged(app, before: tuple, response, status: int, text: str):
    assert response.status_code == status, response.json
    assert text.lower() in json.dumps(response.json, ensure_ascii=False).lower()
    assert (data_hash(app, "DEA"), data_hash(app, "CEM"), change_count(app)) == before


def snapshot(app):
    return data_hash(app, "DEA"), data_hash(app, "CEM"), change_count(app)


def test_accepted_batch_returns_receipt_and_logs_every_change(app, dea):
    client, tok, feeder, _ = dea
    before = data_hash(app, "DEA")
    ops = [demand(feeder), {"entity": "feeders", "op": "update", "key": {"code": feeder}, "data": {"name": "Nuevo nombre"}}]
    response = post(client, tok, batch(ops))
    assert response.status_code == 201, response.json
    receipt = response.json
    assert receipt["status"] == "accepted" and receipt["company"] == "DEA"
    assert receipt["counts"] == {"feeder_demands": {"insert": 1}, "feeders": {"update": 1}}
    assert change_count(app) == 2
    assert data_hash(app, "DEA") != before
    assert first(app, f"select name from feeders where code='{feeder}'")[0] == "Nuevo nombre"


def test_malformed_json(app, dea):
    client, tok, *_ = dea
    before = snapshot(app)
    assert_unchanged(app, before, post(client, tok, raw=b'{"batch_id": "x", "sequence": 1, '), 400, "no es un JSON válido")


def test_deeply_nested_json_is_refused(app, dea):
    client, tok, *_ = dea
    before = snapshot(app)
    nested = "[" * 60 + "]" * 60
    raw = ('{"batch_id":"n1","sequence":1,"operations":' + nested + "}").encode()
    assert_unchanged(app, before, post(client, tok, raw=raw), 400, "profundidad máxima")


@pytest.mark.parametrize("mutate,text", [
    (lambda op: op["data"].update(max_demand_kw="mucho"), "tipo inválido"),
    (lambda op: op["data"].update(color="rojo"), "campo no permitido"),
    (lambda op: op["data"].pop("min_demand_kw"), "obligatorio"),
    (lambda op: op["key"].update(month="2031-13-01"), "formato inválido"),
    (lambda op: op.update(op="upsert"), "valor no permitido"),
])
def test_schema_violations_are_itemised(app, dea, mutate, text):
    client, tok, feeder, _ = dea
    before = snapshot(app)
    good, bad = demand(feeder, "2031-02-01"), demand(feeder)
    mutate(bad)
    response = post(client, tok, batch([good, bad]))
    assert_unchanged(app, before, response, 422, text)
    assert any(d.get("operation") == 1 for d in response.json["details"])


def test_unknown_entity(app, dea):
    client, tok, feeder, _ = dea
    before = snapshot(app)
    response = post(client, tok, batch([demand(feeder), {"entity": "dragones", "op": "insert", "key": {}, "data": {}}]))
    assert_unchanged(app, before, response, 422, "entidad desconocida: dragones")


def test_duplicate_batch_gives_same_receipt_and_no_duplicates(app, dea):
    client, tok, feeder, _ = dea
    body = batch([demand(feeder)])
    first_response = post(client, tok, body)
    assert first_response.status_code == 201
    after_first = snapshot(app)
    again = post(client, tok, body)
    assert again.status_code == 200 and again.headers["Idempotent-Replay"] == "true"
    assert again.json == first_response.json
    assert snapshot(app) == after_first


def test_reused_batch_id_with_other_content_is_409(app, dea):
    client, tok, feeder, _ = dea
    body = batch([demand(feeder)], batch_id="lote-1")
    assert post(client, tok, body).status_code == 201
    before = snapshot(app)
    other = batch([demand(feeder, "2031-05-01")], sequence=2, batch_id="lote-1")
    assert_unchanged(app, before, post(client, tok, other), 409, "ya fue aceptado con otro contenido")


def test_sequence_gap_and_repeat_are_409(app, dea):
    client, tok, feeder, _ = dea
    before = snapshot(app)
    assert_unchanged(app, before, post(client, tok, batch([demand(feeder)], sequence=3)), 409,
                     "se esperaba el lote N° 1 y llegó el N° 3")
    assert post(client, tok, batch([demand(feeder)], sequence=1)).status_code == 201
    before = snapshot(app)
    assert_unchanged(app, before, post(client, tok, batch([demand(feeder, "2031-03-01")], sequence=1)), 409,
                     "Secuencia repetida")


def test_reference_violations(app, dea):
    client, tok, feeder, _ = dea
    before = snapshot(app)
    dangling = demand("AL-NO-EXISTE")
    assert_unchanged(app, before, post(client, tok, batch([dangling])), 422, "referencia inexistente")
    delete_feeder = {"entity": "feeders", "op": "delete", "key": {"code": feeder}}
    response = post(client, tok, batch([delete_feeder]))
    assert_unchanged(app, before, response, 422, "aún lo referencian")
    assert "distribution_transformers" in json.dumps(response.json)


def test_delete_allowed_when_dependants_go_in_the_same_batch(app, dea):
    client, tok, feeder, _ = dea
    sub = first(app, f"select s.code from substations s join feeders f on f.substation_id=s.id where f.code='{feeder}'")[0]
    new_feeder = {"entity": "feeders", "op": "insert", "key": {"code": "AL-TMP-1"}, "data": {
        "substation_code": sub, "power_transformer_code": None, "name": "Temporal", "kind": "feeder",
        "owner_company_name": None, "purchase_point": None, "comuna_code": first(app, "select comuna_code from feeders limit 1")[0],
        "nominal_kv": 13.2, "capacity_kva": 8000.0, "capacity_a": 350.0, "short_circuit_kva": 90000.0}}
    new_pole = {"entity": "poles", "op": "insert", "key": {"code": "P-TMP-1"}, "data": {
        "feeder_code": "AL-TMP-1", "comuna_code": new_feeder["data"]["comuna_code"], "mv_kv": 13.2, "lv_v": None,
        "vnr_code": None, "x": 280000.0, "y": 6350000.0, "datum": "WGS84", "zone": "19S"}}
    created = post(client, tok, batch([new_pole, new_feeder, demand("AL-TMP-1")], 1))
    assert created.status_code == 201, created.json
    before = snapshot(app)
    alone = {"entity": "feeders", "op": "delete", "key": {"code": "AL-TMP-1"}}
    assert_unchanged(app, before, post(client, tok, batch([alone], 2)), 422, "poles")
    both = post(client, tok, batch([alone, {"entity": "poles", "op": "delete", "key": {"code": "P-TMP-1"}}], 2))
    assert both.status_code == 201, both.json
    assert first(app, "select count(*) from feeders where code='AL-TMP-1'")[0] == 0
    assert first(app, "select count(*) from feeder_demands d join feeders f on f.id=d.feeder_id "
                      "where f.code='AL-TMP-1'")[0] == 0


def test_missing_wrong_and_revoked_tokens_are_401(app, dea):
    client, tok, feeder, _ = dea
    before = snapshot(app)
    body = batch([demand(feeder)])
    assert_unchanged(app, before, post(client, None, body), 401, "iniciar sesión")
    assert_unchanged(app, before, post(client, tok[:-3] + "xyz", body), 401, "Token inválido")
    from auth.tokens import revoke_token
    from data.models import ApiToken
    from sqlalchemy import select

    with app.extensions["db"].session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.prefix == tok.split("_")[1]))
        revoke_token(session, row.id)
    assert_unchanged(app, before, post(client, tok, body), 401, "revocado")


def test_signed_in_users_cannot_post_batches(app, dea, auth):
    _, _, feeder, _ = dea
    auth.login("operador_dea")
    with auth.client.session_transaction() as sess:
        csrf = sess["csrf"]
    before = snapshot(app)
    response = auth.client.post("/api/v1/exchange/batches", json=batch([demand(feeder)]), headers={"X-CSRFToken": csrf})
    assert_unchanged(app, before, response, 403, "permiso")


def test_a_company_token_cannot_touch_another_company(app, dea):
    client, tok, _, cem_client = dea
    before = snapshot(app)
    update = {"entity": "clients", "op": "update", "key": {"client_number": cem_client}, "data": {"phone": "+56 9 0"}}
    assert_unchanged(app, before, post(client, tok, {**batch([update]), "company": "CEM"}), 403,
                     "no puede modificar datos de la empresa CEM")
    assert_unchanged(app, before, post(client, tok, batch([update])), 422, "no existe")


def test_oversized_payload_is_413(template_url, backend):
    small = make_app(backend.copy(template_url, "small" + uuid.uuid4().hex[:6]), max_request_bytes=2048)
    try:
        client, tok = small.test_client(), token(small, "DEA")
        before = snapshot(small)
        ops = [demand("AL-DEA-001", f"20{30 + i // 12}-{i % 12 + 1:02d}-01") for i in range(40)]
        response = post(client, tok, batch(ops))
        assert_unchanged(small, before, response, 413, "tamaño máximo de 2 KiB")
    finally:
        small.extensions["db"].engine.dispose()


def test_rejected_batches_are_recorded_with_reasons(app, dea):
    from sqlalchemy import select

    from data.models import ExchangeBatch

    client, tok, _, _ = dea
    post(client, tok, batch([demand("AL-NO-EXISTE")], batch_id="malo-1"))
    with app.extensions["db"].session() as session:
        row = session.scalar(select(ExchangeBatch).where(ExchangeBatch.batch_id == "malo-1"))
        assert row.status == "rejected"
        assert "referencia inexistente" in json.dumps(row.errors, ensure_ascii=False)


def test_openapi_documents_the_exchange_with_examples(shared_app):
    doc = shared_app.test_client().get("/api/v1/openapi.json").json
    post_op = doc["paths"]["/api/v1/exchange/batches"]["post"]
    assert "alta_y_cambio" in post_op["requestBody"]["content"]["application/json"]["examples"]
    assert {"409", "413", "422"} <= set(post_op["responses"])
    assert "since" in {p["name"] for p in doc["paths"]["/api/v1/exchange/changes"]["get"]["parameters"]}


def test_monthly_updates_resolve_only_the_named_keys_and_apply_set_based(app, dea, monkeypatch):
    """A delta of monthly rows reads just the clients it names (not the company's whole client list), updates
    every row with one statement per column set, and a missing or foreign key still fails the whole batch."""
    from exchange import codec

    client, tok, _feeder, cem_client = dea
    rows = first_rows(app, "select k.client_number, m.month, m.charge_clp from client_monthly m "
                                      "join clients k on k.id = m.client_id join companies c on c.id = k.company_id "
                                      "where c.code = 'DEA' order by m.client_id, m.month limit 40")
    full_loads = []
    real_load = codec.KeyIndex._load
    monkeypatch.setattr(codec.KeyIndex, "_load", lambda self, name: (full_loads.append(name), real_load(self, name)))
    ops = [{"entity": "client_monthly", "op": "update", "key": {"client_number": n, "month": str(m)[:10]},
            "data": {"charge_clp": int(c) + 7}} for n, m, c in rows]
    response = post(client, tok, batch(ops))
    assert response.status_code == 201, response.json
    assert response.json["counts"] == {"client_monthly": {"update": len(rows)}}
    assert "clients" not in full_loads and "client_monthly" not in full_loads
    after = first_rows(app, "select k.client_number, m.month, m.charge_clp from client_monthly m "
                            "join clients k on k.id = m.client_id join companies c on c.id = k.company_id "
                            "where c.code = 'DEA' order by m.client_id, m.month limit 40")
    assert [int(c) for *_k, c in after] == [int(c) + 7 for *_k, c in rows]
    assert change_count(app) == len(rows)

    before = snapshot(app)
    bad = ops[:5] + [{"entity": "client_monthly", "op": "update", "key": {"client_number": cem_client, "month": "2024-01-01"},
                      "data": {"charge_clp": 1}},
                     {"entity": "client_monthly", "op": "update", "key": {"client_number": "NO-EXISTE", "month": "2024-01-01"},
                      "data": {"charge_clp": 1}}]
    response = post(client, tok, batch(bad, sequence=2))
    assert_unchanged(app, before, response, 422, "referencia inexistente")
    assert {d["operation"] for d in response.json["details"]} == {5, 6}  # the other company's client is unknown here


def first_rows(app, sql: str) -> list:
    from sqlalchemy import text

    with app.extensions["db"].engine.connect() as conn:
        return conn.execute(text(sql)).all()

"""The columnar path of the delta engine gives exactly what the general engine gives, and falls back to
it (with its itemised errors) whenever a batch is not as expected."""
from __future__ import annotations

import copy
import json
import uuid

import pytest
from sqlalchemy import select

from data.models import ChangeLog
from exchange import columnar
from exchange.apply import ApplyError, apply_operations
from exchange.batches import validate_body
from exchange.codec import company_id_for, iter_snapshot
from tests.exchange.helpers import data_hash, post, token


def records(app, code: str = "DEA") -> dict[str, list[dict]]:
    with app.extensions["db"].engine.connect() as conn:
        return dict(iter_snapshot(conn, company_id_for(conn, code)))


def mixed_operations(recs: dict[str, list[dict]]) -> list[dict]:
    """Inserts and updates over several entities: new clients (derived search text), their months, a new
    invoice with its lines (parent in the same batch), instants in a key, updates by id and by composite
    key, a soft reference and a negative zero."""
    ops: list[dict] = []
    client = recs["clients"][0]
    for i in range(3):
        new = {**client, "client_number": f"9{i:07d}", "name": f"Cliente Nuevo {i}", "address": f"Calle Ñandú {i}"}
        ops.append({"entity": "clients", "op": "insert", "key": {"client_number": new["client_number"]},
                    "data": {k: v for k, v in new.items() if k != "client_number"}})
        for month in ("2031-01-01", "2031-02-01"):
            ops.append({"entity": "client_monthly", "op": "insert",
                        "key": {"client_number": new["client_number"], "month": month},
                        "data": {"consumption_kwh": 100.5 + i, "charge_clp": 20000 + i, "reading_kwh": -0.0}})
    for row in recs["client_monthly"][:40]:
        ops.append({"entity": "client_monthly", "op": "update", "key": {"client_number": row["client_number"],
                                                                        "month": row["month"]},
                    "data": {"charge_clp": row["charge_clp"] + 7}})
    for row in recs["client_monthly"][40:45]:
        ops.append({"entity": "client_monthly", "op": "update", "key": {"client_number": row["client_number"],
                                                                        "month": row["month"]},
                    "data": {"consumption_kwh": -0.0, "reading_kwh": row["reading_kwh"] + 1.25}})
    invoice = recs["invoices"][0]
    ops.append({"entity": "invoices", "op": "insert", "key": {"number": "900000001"},
                "data": {**{k: v for k, v in invoice.items() if k != "number"}, "client_number": "90000001"}})
    for line in recs["invoice_lines"][:3]:
        ops.append({"entity": "invoice_lines", "op": "insert",
                    "key": {"invoice_number": "900000001", "line_no": line["line_no"]},
                    "data": {k: v for k, v in line.items() if k not in ("invoice_number", "line_no")}})
    register = recs["meter_registers"][0]
    ops.append({"entity": "meter_registers", "op": "insert",
                "key": {"meter_serial": register["meter_serial"], "obis_code": register["obis_code"],
                        "read_at": "2031-01-01T10:15:00-03:00"}, "data": {"value": 1.5, "unit": "kW"}})
    for tr in recs["distribution_transformers"][:4]:
        ops.append({"entity": "distribution_transformers", "op": "update", "key": {"code": tr["code"]},
                    "data": {"kva": tr["kva"] + 15, "pole_plate": "NO-ES-UN-POSTE"}})
    feeder = recs["feeder_demands"][0]["feeder_code"]
    ops.append({"entity": "feeder_demands", "op": "insert", "key": {"feeder_code": feeder, "month": "2031-01-01"},
                "data": {"max_demand_kw": 1500.0, "min_demand_kw": 0}})
    return ops


def apply_body(app, body: dict, use_columnar: bool):
    ops = validate_body(copy.deepcopy(body))
    with app.extensions["db"].engine.begin() as conn:
        return apply_operations(conn, company_id_for(conn, "DEA"), ops, "batch:prueba", "pruebas",
                                columnar=use_columnar)


def change_log(app) -> list[tuple]:
    with app.extensions["db"].engine.connect() as conn:
        rows = conn.execute(select(ChangeLog.entity, ChangeLog.op, ChangeLog.key, ChangeLog.data)
                            .order_by(ChangeLog.id)).all()
    return [(e, o, json.loads(k), d) for e, o, k, d in rows]


def test_columnar_and_general_engines_write_the_same_data_and_change_log(app):
    original, before = data_hash(app, "DEA"), records(app)
    body = {"batch_id": "b1", "sequence": 1, "operations": mixed_operations(before)}
    fast = apply_body(app, body, use_columnar=True)
    assert set(fast.columnar) == {"clients", "client_monthly", "invoices", "invoice_lines", "meter_registers",
                                  "distribution_transformers", "feeder_demands"}
    fast_hash, fast_log = data_hash(app, "DEA"), change_log(app)
    with app.extensions["db"].engine.begin() as conn:  # undo, then the general engine on the same data
        conn.execute(ChangeLog.__table__.delete())
    inverse = undo_operations(body["operations"], before)
    apply_body(app, {"batch_id": "b2", "sequence": 2, "operations": inverse}, use_columnar=False)
    assert data_hash(app, "DEA") == original
    with app.extensions["db"].engine.begin() as conn:
        conn.execute(ChangeLog.__table__.delete())
    slow = apply_body(app, body, use_columnar=False)
    assert slow.columnar == []
    assert (fast.counts, fast.changes) == (slow.counts, slow.changes)
    assert data_hash(app, "DEA") == fast_hash
    assert change_log(app) == fast_log
    assert len(fast_log) == len(body["operations"])


def undo_operations(ops: list[dict], recs: dict[str, list[dict]]) -> list[dict]:
    """Operations that bring the data back to before ``ops`` (deletes of inserts, reverse updates)."""
    from exchange.entities import BY_NAME, ORDER

    originals = {name: {tuple(r[k] for k in BY_NAME[name].key): r for r in rows} for name, rows in recs.items()}
    undo = []
    for op in sorted(ops, key=lambda o: -ORDER[o["entity"]]):
        if op["op"] == "insert":
            undo.append({"entity": op["entity"], "op": "delete", "key": op["key"]})
        else:
            key = tuple(op["key"][k] for k in BY_NAME[op["entity"]].key)
            before = originals[op["entity"]][key]
            undo.append({"entity": op["entity"], "op": "update", "key": op["key"],
                         "data": {f: before[f] for f in op["data"]}})
    return undo


def test_the_api_applies_a_homogeneous_batch_set_based(app, monkeypatch):
    applied = []
    real = columnar.apply
    monkeypatch.setattr(columnar, "apply", lambda ap, ent, ops: applied.append(ent.name) or real(ap, ent, ops))
    recs = records(app)
    ops = [{"entity": "client_monthly", "op": "update", "key": {"client_number": r["client_number"],
                                                                "month": r["month"]},
            "data": {"charge_clp": r["charge_clp"] + 1}} for r in recs["client_monthly"][:500]]
    response = post(app.test_client(), token(app, "DEA"), {"batch_id": "c1", "sequence": 1, "operations": ops})
    assert response.status_code == 201, response.json
    assert applied == ["client_monthly"]
    assert response.json["counts"] == {"client_monthly": {"update": 500}} and response.json["changes"] == 500
    after = {(r["client_number"], r["month"]): r["charge_clp"] for r in records(app)["client_monthly"]}
    assert all(after[(r["client_number"], r["month"])] == r["charge_clp"] + 1 for r in recs["client_monthly"][:500])


def _months(recs, n):
    return [{"entity": "client_monthly", "op": "update", "key": {"client_number": r["client_number"],
                                                                 "month": r["month"]},
             "data": {"charge_clp": 1}} for r in recs["client_monthly"][:n]]


@pytest.mark.parametrize("spoil,reason", [
    (lambda ops, recs, cem: ops.append({**ops.pop(57), "key": {**ops[57]["key"], "month": "2040-01-01"}}),
     "no existe un registro con esta clave"),
    (lambda ops, recs, cem: ops.append({**ops.pop(57), "key": {**ops[57]["key"], "client_number": cem}}),
     "referencia inexistente"),
    (lambda ops, recs, cem: ops.append({"entity": "client_monthly", "op": "insert", "key": {
        "client_number": recs["client_monthly"][300]["client_number"], "month": recs["client_monthly"][300]["month"]},
                                        "data": {"consumption_kwh": 1.0, "charge_clp": 1, "reading_kwh": 1.0}}),
     "ya existe un registro con esta clave"),
    (lambda ops, recs, cem: ops.append({"entity": "distribution_transformers", "op": "update",
                                        "key": {"code": "TD-NO-EXISTE"}, "data": {"kva": 1.0}}),
     "no existe un registro con esta clave"),
    (lambda ops, recs, cem: ops.append({"entity": "substations", "op": "update",
                                        "key": {"code": recs["substations"][0]["code"]},
                                        "data": {"comuna_code": "99999"}}), "comuna desconocida"),
])
def test_a_bad_operation_among_many_falls_back_to_the_itemised_rejection(app, spoil, reason):
    recs = records(app)
    cem = records(app, "CEM")["clients"][0]["client_number"]
    ops = _months(recs, 200)
    spoil(ops, recs, cem)
    before = (data_hash(app, "DEA"), data_hash(app, "CEM"), len(change_log(app)))
    body = {"batch_id": f"x-{uuid.uuid4().hex[:6]}", "sequence": 1, "operations": ops}
    with pytest.raises(ApplyError) as failure:
        apply_body(app, body, use_columnar=True)
    errors = failure.value.errors
    assert len(errors) == 1 and reason in errors[0]["reason"], errors
    assert errors[0]["operation"] == len(ops) - 1  # the spoilt operation is the last one
    assert (data_hash(app, "DEA"), data_hash(app, "CEM"), len(change_log(app))) == before
    # The general engine says exactly the same.
    with pytest.raises(ApplyError) as general:
        apply_body(app, body, use_columnar=False)
    assert general.value.errors == errors



def test_a_large_body_pauses_the_cyclic_collector_only_while_it_is_handled(app, monkeypatch):
    import gc

    import exchange.batches as batches

    seen = []
    real = batches.apply_operations
    monkeypatch.setattr(batches, "apply_operations", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    recs = records(app)
    client, tok = app.test_client(), token(app, "DEA")
    small = {"batch_id": "g1", "sequence": 1, "operations": _months(recs, 10)}
    large = {"batch_id": "g2", "sequence": 2, "operations": _months(recs, 3000)}  # > 256 KiB of JSON
    assert len(json.dumps(large)) > 256 * 1024
    assert post(client, tok, small).status_code == 201 and post(client, tok, large).status_code == 201
    assert seen == [True, False] and gc.isenabled()
    spoilt = {"batch_id": "g3", "sequence": 3, "operations": _months(recs, 3000) + [
        {"entity": "client_monthly", "op": "update", "key": {"client_number": "NO", "month": "2040-01-01"},
         "data": {"charge_clp": 1}}]}
    assert post(client, tok, spoilt).status_code == 422 and gc.isenabled()  # resumed on a rejection too
    assert post(client, tok, raw=b"[" * 300_000).status_code == 400 and gc.isenabled()  # and on a refusal

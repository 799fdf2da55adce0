"""Delta-ingest throughput: batches POSTed to /api/v1/exchange/batches vs a raw bulk write of the same rows.

Two shapes of a daily delta, 5 batches of 10,000 operations each:
- updates: corrected charges of existing monthly rows (the shape of the issue's target);
- inserts: a new billing month for 10,000 clients each batch (what a company sends every day).
The inserted rows and their change-log rows are deleted afterwards, untimed, so runs stay comparable.
"""
from __future__ import annotations

import json
import time
import uuid

from sqlalchemy import text

from bench.harness import Client, Result

BATCH_OPS = 10_000
BATCHES = 5
NEW_MONTH = "2031-01-01"  # after every month of the generated data


def ingest_results(base: str, engine, url: str) -> list[Result]:
    """Operations per second through the API, and the ratio to a raw bulk write of the same rows."""
    from sqlalchemy.orm import Session

    from auth.tokens import issue_token

    with Session(engine) as s:
        company_id, code = s.execute(text("SELECT id, code FROM companies ORDER BY id LIMIT 1")).one()
        token, _row = issue_token(s, "exchange", f"bench-{uuid.uuid4().hex[:6]}", company_id=company_id)
        s.commit()
        rows = s.execute(text("SELECT c.client_number, m.month, m.charge_clp FROM client_monthly m JOIN clients c "
                              "ON c.id = m.client_id WHERE c.company_id = :c ORDER BY m.client_id, m.month LIMIT :n"),
                         {"c": company_id, "n": BATCH_OPS * BATCHES}).all()
        clients = [r[0] for r in s.execute(text("SELECT client_number FROM clients WHERE company_id = :c ORDER BY id "
                                                "LIMIT :n"), {"c": company_id, "n": BATCH_OPS * BATCHES})]
    # A text() query returns SQLite dates as ISO strings: one form for both databases.
    rows = [(n, m if isinstance(m, str) else m.isoformat(), c) for n, m, c in rows]
    client = Client(base)
    client.http.headers["Authorization"] = f"Bearer {token}"
    postgres = url.startswith("postgresql")
    target = 50_000 if postgres else 20_000
    label = "PostgreSQL" if postgres else "SQLite"
    updates = [[{"entity": "client_monthly", "op": "update", "key": {"client_number": n, "month": m},
                 "data": {"charge_clp": int(c) + 1}} for n, m, c in rows[b * BATCH_OPS:(b + 1) * BATCH_OPS]]
               for b in range(BATCHES)]
    inserts = [[{"entity": "client_monthly", "op": "insert", "key": {"client_number": n, "month": NEW_MONTH},
                 "data": {"consumption_kwh": 180.5, "charge_clp": 31_250, "reading_kwh": 40_125.0}}
                for n in clients[b * BATCH_OPS:(b + 1) * BATCH_OPS]] for b in range(BATCHES)]
    raw_rate = _raw_rate(engine, rows)
    out = []
    try:
        for kind, batches in (("cambios", updates), ("altas de un mes nuevo", inserts)):
            rate, server_rate = _post_batches(engine, client, company_id, code, batches)
            out.append(Result(f"ingesta de deltas ({label}, {kind}), operaciones/s",
                              f"≥ {target:,} ops/s".replace(",", "."), "ops/s", rate, rate, BATCH_OPS * BATCHES,
                              rate >= target, ratio=raw_rate / rate, ratio_label="raw bulk/API",
                              extra={"server_ops_per_s": round(server_rate), "batch_ops": BATCH_OPS,
                                     "batches": BATCHES}))
    finally:
        _remove_new_month(engine, company_id)
    return out


def _post_batches(engine, client: Client, company_id: int, code: str, batches: list[list[dict]]) -> tuple[float, float]:
    """(ops/s from the client's side, ops/s of server time) over ``batches`` posted in sequence."""
    with engine.connect() as conn:
        last = conn.execute(text("SELECT COALESCE(MAX(sequence), 0) FROM exchange_batches WHERE company_id = :c "
                                 "AND status = 'accepted'"), {"c": company_id}).scalar()
    elapsed = server = 0.0
    ops = 0
    for b, operations in enumerate(batches):
        body = {"batch_id": f"bench-{uuid.uuid4().hex}", "sequence": last + b + 1, "company": code,
                "operations": operations}
        # The company's file is encoded before the clock starts: what is timed is the request, from its
        # first byte sent to the receipt (not the benchmark client's own JSON encoding).
        raw = json.dumps(body).encode()
        t0 = time.perf_counter()
        _ms, server_ms, _size, _r = client.timed("POST", "/api/v1/exchange/batches", data=raw,
                                                 headers={"Content-Type": "application/json"})
        elapsed += time.perf_counter() - t0
        server += server_ms / 1000
        ops += len(operations)
    return ops / elapsed, ops / server


def _remove_new_month(engine, company_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM client_monthly WHERE month = :m AND client_id IN "
                          "(SELECT id FROM clients WHERE company_id = :c)"), {"m": NEW_MONTH, "c": company_id})
        conn.execute(text("DELETE FROM change_log WHERE company_id = :c AND entity = 'client_monthly' "
                          "AND op = 'insert' AND key LIKE :k"), {"c": company_id, "k": f'%"{NEW_MONTH}"]'})


def _raw_rate(engine, rows) -> float:
    """Rows per second of a raw bulk write of the same rows into a scratch table."""
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE bench_raw (client_number VARCHAR(20), month DATE, charge_clp BIGINT)"))
        t0 = time.perf_counter()
        if conn.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy("COPY bench_raw FROM STDIN") as copy:  # month as ISO text
                for r in rows:
                    copy.write_row(r)
        else:
            conn.connection.driver_connection.executemany("INSERT INTO bench_raw VALUES (?, ?, ?)",
                                                          rows)
        rate = len(rows) / (time.perf_counter() - t0)
        conn.execute(text("DROP TABLE bench_raw"))
    return rate

"""Delta-ingest throughput: batches of updates POSTed to /api/v1/exchange/batches vs a raw bulk insert."""
from __future__ import annotations

import json
import time
import uuid

from sqlalchemy import text

from bench.harness import Client, Result

BATCH_OPS = 10_000
BATCHES = 5


def ingest_results(base: str, engine, url: str) -> list[Result]:
    """Operations per second through the API, and the ratio to a raw bulk write of the same rows."""
    from sqlalchemy.orm import Session

    from auth.tokens import issue_token

    with Session(engine) as s:
        company_id, code = s.execute(text("SELECT id, code FROM companies ORDER BY id LIMIT 1")).one()
        token, _row = issue_token(s, "exchange", f"bench-{uuid.uuid4().hex[:6]}", company_id=company_id)
        s.commit()
        last = s.execute(text("SELECT COALESCE(MAX(sequence), 0) FROM exchange_batches WHERE company_id = :c "
                              "AND status = 'accepted'"), {"c": company_id}).scalar()
        rows = s.execute(text("SELECT c.client_number, m.month, m.charge_clp FROM client_monthly m JOIN clients c "
                              "ON c.id = m.client_id WHERE c.company_id = :c ORDER BY m.client_id, m.month LIMIT :n"),
                         {"c": company_id, "n": BATCH_OPS * BATCHES}).all()
    # A text() query returns SQLite dates as ISO strings: one form for both databases.
    rows = [(n, m if isinstance(m, str) else m.isoformat(), c) for n, m, c in rows]
    client = Client(base)
    client.http.headers["Authorization"] = f"Bearer {token}"
    elapsed, server, ops = 0.0, 0.0, 0
    for b in range(BATCHES):
        chunk = rows[b * BATCH_OPS:(b + 1) * BATCH_OPS]
        body = {"batch_id": f"bench-{uuid.uuid4().hex}", "sequence": last + b + 1, "company": code, "operations": [
            {"entity": "client_monthly", "op": "update", "key": {"client_number": n, "month": m},
             "data": {"charge_clp": int(c) + 1}} for n, m, c in chunk]}
        # The company's file is encoded before the clock starts: what is timed is the request, from its
        # first byte sent to the receipt (not the benchmark client's own JSON encoding).
        raw = json.dumps(body).encode()
        t0 = time.perf_counter()
        _ms, server_ms, _size, _r = client.timed("POST", "/api/v1/exchange/batches", data=raw,
                                                 headers={"Content-Type": "application/json"})
        elapsed += time.perf_counter() - t0
        server += server_ms / 1000
        ops += len(chunk)
    api_rate = ops / elapsed
    raw_rate = _raw_rate(engine, rows)
    postgres = url.startswith("postgresql")
    target = 50_000 if postgres else 20_000
    return [Result(f"ingesta de deltas ({'PostgreSQL' if postgres else 'SQLite'}), operaciones/s",
                   f"≥ {target:,} ops/s".replace(",", "."), "ops/s", api_rate, api_rate, ops, api_rate >= target,
                   ratio=raw_rate / api_rate, ratio_label="raw bulk/API",
                   extra={"server_ops_per_s": round(ops / server), "batch_ops": BATCH_OPS, "batches": BATCHES})]


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

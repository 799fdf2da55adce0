"""Benchmark suite: ``python -m bench.run`` (or ``make bench``) against gunicorn with 2 workers.

Builds the ``large`` dataset into the benchmark database when it is empty (timed: that is the
load target too), starts ``gunicorn app:server`` with 2 workers, measures each target over HTTP,
compares each query path with the bare SQL it needs, prints metric/target/p50/p95/ratio and
writes the same as JSON under bench/results/.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import text

from bench.harness import Client, Result, cold_then_warm, percentiles, print_table, repeat, write_json

ROOT = Path(__file__).resolve().parents[1]


def build_dataset(url: str, profile: str, seed: int) -> dict:
    """Migrate and seed the benchmark database when empty; returns timings."""
    from data.db import Database
    from data.migrate import upgrade
    from data.seeding import is_empty, seed as run_seed

    upgrade(url)
    db = Database(url)
    out = {"built": False}
    if is_empty(db):
        t0 = time.perf_counter()
        counts = run_seed(db, profile, seed, dt.date(2026, 10, 1), progress=lambda m: print(f"  {m}", flush=True),
                          bar=True)
        out = {"built": True, "seconds": time.perf_counter() - t0, "rows": sum(counts.values()),
               "clients": counts.get("clients"), "client_monthly": counts.get("client_monthly")}
    db.engine.dispose()
    return out


def start_server(url: str, port: int, redis_url: str = "") -> subprocess.Popen:
    """gunicorn with 2 workers on the benchmark database (and Redis, as in production, when given)."""
    # As deployed: behind one reverse proxy (X-Forwarded-For gives each simulated user its own address).
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "b" * 48, "RA_ENV": "production", "RA_PROXY_HOPS": "1",
           "REDIS_URL": redis_url, "RA_REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:6]}"}
    # Threads, timeout and keep-alive come from gunicorn.conf.py, as in production.
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2",
                             "--bind", f"127.0.0.1:{port}", "app:server"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def sql_timer(engine, sql: str, params: dict, n: int = 50) -> float:
    """p50 (ms) of a bare SQL statement: the floor a query path cannot beat."""
    times = []
    with engine.connect() as conn:
        for _ in range(n + 3):
            t0 = time.perf_counter()
            conn.execute(text(sql), params).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
    return percentiles(times[3:])[0]


def _result(metric, target, limit, samples, ratio_base=None, unit="ms", stat="p95", extra=None):
    p50, p95 = percentiles(samples)
    value = p95 if stat == "p95" else p50
    return Result(metric, target, unit, p50, p95, len(samples), value <= limit,
                  ratio=(p50 / ratio_base) if ratio_base else None, ratio_label="vs SQL" if ratio_base else "",
                  extra=extra or {})


def _cold(samples: list[float]) -> dict:
    p50, p95 = percentiles(samples)
    return {"cold_p50_ms": round(p50, 1), "cold_p95_ms": round(p95, 1)}


def run(base: str, engine, n: int) -> list[Result]:
    """Every HTTP target."""
    from data.models import DistributionTransformer
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    results: list[Result] = []
    with Session(engine) as s:
        region, comuna = s.execute(text("SELECT c.region_code, c.code FROM comunas c JOIN company_comunas cc ON "
                                        "cc.comuna_code = c.code ORDER BY c.code LIMIT 1")).one()
        substation = s.execute(text("SELECT id FROM substations WHERE comuna_code = :c ORDER BY id LIMIT 1"),
                               {"c": comuna}).scalar()
        feeder = s.execute(text("SELECT id FROM feeders WHERE substation_id = :s ORDER BY id LIMIT 1"),
                           {"s": substation}).scalar()
        big_feeder, spans = s.execute(text("SELECT feeder_id, COUNT(*) n FROM spans GROUP BY feeder_id ORDER BY n DESC "
                                           "LIMIT 1")).one()
        plates = s.execute(select(DistributionTransformer.code, DistributionTransformer.pole_plate)
                           .order_by(func.random()).limit(n)).all()
        client_numbers = [r[0] for r in s.execute(text("SELECT client_number FROM clients ORDER BY random() LIMIT :n"),
                                                    {"n": n})]
        client_ids = [r[0] for r in s.execute(text("SELECT id FROM clients ORDER BY random() LIMIT :n"), {"n": n})]

    user = Client(base)
    user.login("publico")
    chain = [("region→comuna", "net-filter-region", "net-filter-comuna", region,
              "SELECT c.code, c.name FROM comunas c JOIN company_comunas cc ON cc.comuna_code=c.code WHERE c.region_code=:v",
              {"v": region}),
             ("comuna→subestación", "net-filter-comuna", "net-filter-substation", comuna,
              "SELECT id, code, name FROM substations WHERE comuna_code=:v ORDER BY code", {"v": comuna}),
             ("subestación→alimentador", "net-filter-substation", "net-filter-feeder", str(substation),
              "SELECT id, code, name FROM feeders WHERE substation_id=:v ORDER BY code", {"v": substation}),
             ("alimentador→transformador", "net-filter-feeder", "net-filter-transformer", str(feeder),
              "SELECT id, code, name FROM distribution_transformers WHERE feeder_id=:v ORDER BY code", {"v": feeder})]
    for label, parent, child, value, sql, params in chain:
        output = f"..{child}.options...{child}.value...{child}.disabled.."
        samples = repeat(lambda _i: user.callback(output, [{"id": parent, "property": "value", "value": value}],
                                                  [{"id": child, "property": "value", "value": None}])[0], n)
        results.append(_result(f"filtro {label} (callback)", "p95 ≤ 30 ms", 30, samples, sql_timer(engine, sql, params)))

    for label, key, values, sql in (
            ("placa transformador", "placa", [p[0] for p in plates],
             "SELECT id FROM distribution_transformers WHERE code = :v"),
            ("placa poste", "poste", [p[1] for p in plates], "SELECT id FROM distribution_transformers WHERE pole_plate = :v"),
            ("N° cliente", "cliente", client_numbers,
             "SELECT transformer_id FROM clients WHERE client_number = :v")):
        cold, samples = cold_then_warm(
            lambda i: user.timed("GET", f"/api/v1/busqueda/transformador?{key}={values[i % len(values)]}")[0], n)
        results.append(_result(f"búsqueda transformador por {label}", "p95 ≤ 20 ms", 20, samples,
                               sql_timer(engine, sql, {"v": values[0]}), extra=_cold(cold)))

    # Feeder detail as the browser loads it: the router callback (page) + the layer URLs its map fetches.
    from services.network.maps import FEEDER_LAYER_KEYS

    sizes = {}

    def feeder_detail(_i):
        _c, server, transferred, _r = user.callback("..page-content.children...navbar.children...page-meta.data..",
                                                    [{"id": "url", "property": "pathname",
                                                      "value": f"/red/alimentador/{big_feeder}"},
                                                     {"id": "url", "property": "search", "value": ""}])
        sizes["page"] = transferred
        for layer in FEEDER_LAYER_KEYS:
            _c, srv, size, _resp = user.timed("GET", f"/api/v1/red/alimentadores/{big_feeder}/mapa/{layer}.geojson")
            server += srv
            sizes[layer] = size  # bytes on the wire (gzip)
        return server

    cold = feeder_detail(0)  # the first request after start-up: nothing cached yet
    samples = repeat(feeder_detail, max(10, n // 3))
    kb = sum(sizes.values()) / 1024
    results.append(_result(f"detalle alimentador + capas ({spans} vanos), tiempo servidor", "p95 ≤ 150 ms", 150, samples,
                           extra={"sizes_bytes": sizes, "cold_ms": cold}))
    results.append(Result(f"detalle alimentador ({spans} vanos), KB transferidos (gzip)", "≤ 300 KB", "KB", kb, kb, 1,
                          kb <= 300, extra={"sizes_bytes": sizes}))

    sec = Client(base)
    sec.login("sec")
    cold, samples = cold_then_warm(
        lambda i: sec.timed("GET", f"/api/v1/vistas/cliente-consumos?client_id={client_ids[i % len(client_ids)]}")[0], n)
    results.append(_result("vista cliente 36 meses (JSON)", "p95 ≤ 50 ms", 50, samples,
                           sql_timer(engine, "SELECT month, consumption_kwh, charge_clp FROM client_monthly "
                                             "WHERE client_id=:v ORDER BY month DESC LIMIT 36", {"v": client_ids[0]}),
                           extra=_cold(cold)))
    samples = repeat(lambda i: sec.timed("GET", f"/reportes/cliente-consumos.pdf?client_id={client_ids[i % len(client_ids)]}")[0],
                     max(10, n // 5))
    results.append(_result("Guardar PDF vista cliente con gráfico", "p50 ≤ 600 ms", 600, samples, stat="p50"))
    return results


def main() -> None:
    """Parse arguments, build data if needed, run the suite and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/redabierta_bench")
    parser.add_argument("--profile", default="large")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0",
                        help="Redis shared by the workers (as in production); '' for per-process caches")
    parser.add_argument("--skip-locust", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="only generate and load the dataset")
    args = parser.parse_args()
    url = args.database_url
    if url.startswith("postgresql"):
        _ensure_pg_database(url)
    print(f"Base de datos: {url}")
    build = build_dataset(url, args.profile, args.seed)
    if args.build_only:
        print(json.dumps(build, default=str))
        return
    results: list[Result] = []
    if build.get("built"):
        limit = 600 if url.startswith("postgresql") else 1200
        results.append(Result(f"generar y cargar perfil {args.profile} ({build['clients']:,} clientes)",
                              f"≤ {limit // 60} min", "s", build["seconds"], build["seconds"], 1,
                              build["seconds"] <= limit, extra=build))
    from data.db import make_engine

    engine = make_engine(url)
    redis_url = args.redis_url if _redis_up(args.redis_url) else ""
    print(f"Redis: {redis_url or 'no disponible (cachés por proceso)'}")
    proc = start_server(url, args.port, redis_url)
    base = f"http://127.0.0.1:{args.port}"
    try:
        results += run(base, engine, args.samples)
        if not args.skip_ingest:
            from bench.ingest import ingest_results

            results += ingest_results(base, engine, url)
        if not args.skip_locust:
            from bench.load import locust_result

            results.append(locust_result(base, engine))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    table = print_table(results)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = ROOT / "bench" / "results" / f"bench-{stamp}.json"
    write_json(results, out, {"database": url.split("@")[-1], "profile": args.profile, "build": build,
                              "when": stamp, "table": table})
    print(f"\nResultados: {out}")


def _redis_up(url: str) -> bool:
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001 - Redis is optional
        return False


def _ensure_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()

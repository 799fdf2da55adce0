"""Run locust headless (100 users, 1–3 s think time) and summarise p95 and errors.

The users arrive at ``SPAWN_RATE`` a second and sign in (argon2id verification, ~0.12 s each); statistics
are reset once all of them are in (``--reset-stats``), so p95 is the steady browsing load.
"""
from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import DEMO_PASSWORD, Result


def ensure_users(engine, users: int) -> None:
    """The simulated users' public accounts ``bench_u001``... (created once per benchmark database)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from data.models import User
    from services.users import create_user

    with Session(engine) as session:
        existing = set(session.scalars(select(User.username).where(User.username.like("bench_u%"))))
        for n in range(1, users + 1):
            name = f"bench_u{n:03d}"
            if name not in existing:
                create_user(session, name, DEMO_PASSWORD, "public", f"{name}@bench.example.cl",
                            full_name=f"Usuario de carga {n}")
        session.commit()


SPAWN_RATE = 2  # sign-ins per second: each is an argon2id verification (~0.12 s on both cores)


def locust_result(base: str, engine, users: int = 100, seconds: int = 60) -> Result:
    """p95 of all requests and the error count of a public-flow load test (one account per simulated user)."""
    ensure_users(engine, users)
    out = Path(tempfile.mkdtemp()) / "locust"
    locust = Path(sys.executable).parent / "locust"
    subprocess.run([str(locust), "-f", str(Path(__file__).parent / "locustfile.py"), "--headless", "-u", str(users),
                    # Users arrive at SPAWN_RATE; statistics restart once all are in: ``seconds`` of steady load.
                    "-r", str(SPAWN_RATE), "--reset-stats", "-t", f"{seconds + users // SPAWN_RATE + 5}s",
                    "--host", base, "--csv", str(out), "--only-summary"],
                   check=False, capture_output=True, timeout=seconds + users // SPAWN_RATE + 180)
    with open(f"{out}_stats.csv", newline="") as fh:
        agg = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    p50, p95 = float(agg["50%"]), float(agg["95%"])
    failures = int(agg["Failure Count"])
    with open(f"{out}_stats.csv", newline="") as fh:
        per_request = {r["Name"]: {"n": int(r["Request Count"]), "p50": float(r["50%"]), "p95": float(r["95%"]),
                                   "failures": int(r["Failure Count"])} for r in csv.DictReader(fh) if r["Name"] != "Aggregated"}
    return Result(f"{users} usuarios simultáneos, flujo público (locust)", "p95 ≤ 300 ms, 0 errores", "ms", p50, p95,
                  int(agg["Request Count"]), p95 <= 300 and failures == 0,
                  extra={"failures": failures, "requests": per_request})

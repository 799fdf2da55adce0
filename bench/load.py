"""Run locust headless (100 users, 1–3 s think time) and summarise p95 and errors."""
from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import Result


def locust_result(base: str, users: int = 100, seconds: int = 60) -> Result:
    """p95 of all requests and the error count of a public-flow load test."""
    out = Path(tempfile.mkdtemp()) / "locust"
    locust = Path(sys.executable).parent / "locust"
    subprocess.run([str(locust), "-f", str(Path(__file__).parent / "locustfile.py"), "--headless", "-u", str(users),
                    "-r", "20", "-t", f"{seconds}s", "--host", base, "--csv", str(out), "--only-summary"],
                   check=False, capture_output=True, timeout=seconds + 120)
    with open(f"{out}_stats.csv", newline="") as fh:
        agg = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    p50, p95 = float(agg["50%"]), float(agg["95%"])
    failures = int(agg["Failure Count"])
    return Result(f"{users} usuarios simultáneos, flujo público (locust)", "p95 ≤ 300 ms, 0 errores", "ms", p50, p95,
                  int(agg["Request Count"]), p95 <= 300 and failures == 0, extra={"failures": failures})

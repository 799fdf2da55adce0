"""Measurement helpers: timed HTTP sessions, percentiles, the printed table and the JSON report."""
from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import requests

DEMO_PASSWORD = "RedAbierta2026"


@dataclass
class Result:
    """One metric: its target, the measured percentiles and a comparison ratio."""

    metric: str
    target: str
    unit: str
    p50: float
    p95: float
    n: int
    ok: bool
    ratio: float | None = None
    ratio_label: str = ""
    extra: dict = field(default_factory=dict)


class Client:
    """A signed-in HTTP client that records client time, server time (Server-Timing) and bytes."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.http = requests.Session()

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the real form (CSRF token from the session cookie flow)."""
        self.http.get(f"{self.base}/login", timeout=30)
        token = self.http.cookies.get("_csrf_token")
        r = self.http.post(f"{self.base}/auth/login", data={"username": username, "password": password,
                                                             "csrf_token": token}, allow_redirects=False, timeout=30)
        if r.status_code != 302 or "error" in r.headers.get("Location", ""):
            raise RuntimeError(f"login failed for {username}: {r.status_code} {r.headers.get('Location')}")
        self.http.get(f"{self.base}/", timeout=30)  # refresh the CSRF cookie of the new session

    def timed(self, method: str, path: str, **kwargs) -> tuple[float, float, int, requests.Response]:
        """(client ms, server ms, bytes transferred, response)."""
        headers = kwargs.pop("headers", {})
        if method.upper() == "POST" and "_csrf_token" in self.http.cookies:
            headers.setdefault("X-CSRFToken", self.http.cookies.get("_csrf_token"))
        headers.setdefault("Accept-Encoding", "gzip")
        t0 = time.perf_counter()
        r = self.http.request(method, f"{self.base}{path}", headers=headers, timeout=60, **kwargs)
        client_ms = (time.perf_counter() - t0) * 1000
        match = re.search(r"dur=([\d.]+)", r.headers.get("Server-Timing", ""))
        server_ms = float(match.group(1)) if match else client_ms
        size = int(r.headers.get("Content-Length") or len(r.content))
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {r.status_code}: {r.text[:200]}")
        return client_ms, server_ms, size, r

    def callback(self, output: str, inputs: list[dict], state: list[dict] | None = None):
        """POST a Dash callback as the browser does."""
        outputs = [dict(zip(("id", "property"), p.rsplit(".", 1))) for p in output.strip(".").split("...") if p]
        body = {"output": output, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
                "state": state or [], "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}
        return self.timed("POST", "/_dash-update-component", json=body)


def percentiles(values: list[float]) -> tuple[float, float]:
    """(p50, p95) of a sample."""
    arr = np.asarray(values, dtype=float)
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95))


def repeat(fn: Callable[[int], float], n: int, warmup: int = 3) -> list[float]:
    """Call ``fn(i)`` ``warmup + n`` times and keep the last ``n`` measurements."""
    for i in range(warmup):
        fn(i)
    return [fn(warmup + i) for i in range(n)]


def cold_then_warm(fn: Callable[[int], float], n: int) -> tuple[list[float], list[float]]:
    """A first pass over ``n`` distinct inputs, then the same ``n`` again: (cold, warm) measurements.

    The first pass reads rows no cache holds yet (on this machine the kernel reclaims idle page cache
    within minutes, so a random client of a 6 GB database is a disk read); the second is the steady
    state of a server whose working set is in memory. Targets use the warm pass; both are reported.
    """
    cold = [fn(i) for i in range(n)]
    return cold, [fn(i) for i in range(n)]


def print_table(results: list[Result]) -> str:
    """The report table: metric, target, p50, p95, ratio, met, and the cold figures where measured."""
    header = f"{'metric':58} {'target':>16} {'p50':>10} {'p95':>10} {'ratio':>22}  ok   note"
    lines = [header, "-" * len(header)]
    for r in results:
        ratio = f"{r.ratio:.2f}x {r.ratio_label}" if r.ratio is not None else ""
        note = ""
        if "cold_p95_ms" in r.extra:
            note = f"frío: p50 {r.extra['cold_p50_ms']:.1f} / p95 {r.extra['cold_p95_ms']:.1f} ms"
        elif "cold_ms" in r.extra:
            note = f"primera solicitud (sin caché): {r.extra['cold_ms']:.0f} ms"
        lines.append(f"{r.metric:58} {r.target:>16} {r.p50:>9.1f}{r.unit[:1]} {r.p95:>9.1f}{r.unit[:1]} {ratio:>22}  "
                     f"{'yes' if r.ok else 'NO ':3}  {note}".rstrip())
    text = "\n".join(lines)
    print(text)
    return text


def write_json(results: list[Result], path: Path, meta: dict) -> None:
    """Save the results so runs can be compared."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "results": [asdict(r) for r in results]}, indent=2, default=str))


def median(values: list[float]) -> float:
    """The median."""
    return statistics.median(values)

"""Two gunicorn workers on PostgreSQL and Redis: a login, the login rate limit and a cached result hold
across workers (sessions are signed cookies; counters and cache live in Redis)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _redis_url():
    try:
        import redis

        r = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1)
        r.ping()
        return "redis://127.0.0.1:6379/0", r
    except Exception:  # noqa: BLE001
        pytest.skip("Redis no disponible en 127.0.0.1:6379")


@pytest.fixture(scope="module")
def cluster(request, tmp_path_factory):
    from tests.conftest import AS_OF, SEED, Backend, _pg_available

    if not _pg_available():
        pytest.skip("PostgreSQL no disponible en 127.0.0.1:5432")
    redis_url, redis_client = _redis_url()
    backend = Backend("postgres", tmp_path_factory.mktemp("dep"))
    url = backend.empty("deploy")
    from data.db import Database
    from data.migrate import upgrade
    from data.seeding import seed

    upgrade(url)
    db = Database(url)
    seed(db, "tiny", SEED, AS_OF)
    db.engine.dispose()
    from tests.browser.conftest import _free_port

    port = _free_port()
    prefix = f"ra-test-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "RA_ENV": "production", "SECRET_KEY": "s" * 48, "DATABASE_URL": url, "REDIS_URL": redis_url,
           "RA_REDIS_PREFIX": prefix}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--threads", "2",
                             "--bind", f"127.0.0.1:{port}", "app:server"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).ok:
                break
        except requests.RequestException:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("gunicorn no inició: " + proc.stderr.read().decode()[-2000:])
    yield base, redis_client, proc
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(10)
    backend.drop_all()


def _login(base: str, username: str, password: str = "RedAbierta2026") -> requests.Session:
    s = requests.Session()
    s.get(f"{base}/login", timeout=10)
    r = s.post(f"{base}/auth/login", data={"username": username, "password": password,
                                          "csrf_token": s.cookies.get("_csrf_token")}, allow_redirects=False, timeout=10)
    s.last_location = r.headers.get("Location", "") or f"{r.status_code}:{r.text[:80]}"
    return s


def test_two_workers_are_running(cluster):
    _base, _redis, proc = cluster
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) == 2


def test_login_holds_across_workers(cluster):
    base, _redis, _proc = cluster
    session = _login(base, "publico")
    assert session.last_location == "/"
    # Fresh connections spread over both workers; every one accepts the signed session cookie.
    cookies = session.cookies.get_dict()
    for _ in range(12):
        r = requests.get(f"{base}/api/v1/me", cookies=cookies, timeout=10, headers={"Connection": "close"})
        assert r.json()["username"] == "publico"


def test_login_rate_limit_holds_across_workers(cluster):
    base, redis_client, _proc = cluster
    user = f"nadie{uuid.uuid4().hex[:6]}"
    outcomes = [_login(base, user, "clave-incorrecta-1").last_location for _ in range(6)]
    assert outcomes[:5] == ["/login?error=1"] * 5
    assert "bloqueo" in outcomes[5]
    # The throttle keeps its counters in Redis (hashed account keys), shared by both workers.
    assert any(redis_client.scan_iter(match="*login*", count=1000))


def test_cached_result_is_shared_through_redis(cluster):
    base, redis_client, _proc = cluster
    session = _login(base, "publico")
    statuses = []
    for _ in range(10):
        r = session.get(f"{base}/api/v1/vistas/distribuidoras", timeout=10, headers={"Connection": "close"})
        assert r.ok
        statuses.append(r.headers.get("X-Cache"))
    assert statuses.count("miss") <= 1 and statuses[-1] == "hit"
    assert any(redis_client.scan_iter(match="*view:distribuidoras:*", count=1000))

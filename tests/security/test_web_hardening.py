"""Web hardening: CSRF, security headers and CSP, no version leaks, no data in static layouts, production mode."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD, AuthActions, make_app
from tests.security.conftest import csrf_of

ROOT = Path(__file__).resolve().parents[2]


# -- CSRF ----------------------------------------------------------------------------------------
def test_form_posts_need_the_csrf_token(shared_app):
    client = shared_app.test_client()
    client.get("/login")
    no_token = client.post("/auth/login", data={"username": "sec", "password": DEMO_PASSWORD})
    forged = client.post("/auth/login", data={"username": "sec", "password": DEMO_PASSWORD, "csrf_token": "x" * 43})
    assert "error=csrf" in no_token.headers["Location"] and "error=csrf" in forged.headers["Location"]
    assert client.get("/cuenta").status_code == 302  # not signed in


def test_session_authenticated_api_writes_and_callbacks_need_the_csrf_header(sec_app, clients):
    client = clients["sec"].client
    # Any API write with a session cookie but without X-CSRFToken is refused before routing.
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.open("/api/v1/me", method=method, json={})
        assert response.status_code == 403 and "CSRF" in response.get_json()["error"]
    with_token = client.post("/api/v1/me", json={}, headers={"X-CSRFToken": csrf_of(client)})
    assert with_token.status_code == 405  # the token passes the guard; the route only has GET
    body = {"output": "title-sink.children", "inputs": []}
    assert client.post("/_dash-update-component", json=body).status_code == 403


def test_csrf_token_differs_between_sessions(shared_app):
    a, b = AuthActions(shared_app.test_client()), AuthActions(shared_app.test_client())
    assert a.csrf() != b.csrf()


# -- headers -------------------------------------------------------------------------------------
EXPECTED_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "strict-origin-when-cross-origin"}


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/api/v1/openapi.json", "/_dash-layout",
                                  "/assets/10_app.css", "/no-existe", "/api/v1/no-existe"])
def test_security_headers_on_every_response(shared_app, path):
    response = shared_app.test_client().get(path)
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # not behind TLS
    assert "X-Powered-By" not in response.headers and "Server" not in response.headers


def test_csp_hashes_cover_every_inline_script_and_allow_the_tile_server(shared_app):
    response = shared_app.test_client().get("/")
    csp = response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    page = re.sub(r"<!--.*?-->", "", page, flags=re.S)  # the IE conditional comment is not parsed
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", page, flags=re.S)
    executable = [body for attrs, body in inline if "application/json" not in attrs]
    assert len(executable) >= 2  # clientside callbacks + renderer bootstrap
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, body[:80]
    assert "img-src 'self' data: blob: https://*.tile.openstreetmap.org" in csp


def test_hsts_and_secure_upgrade_only_behind_tls(template_url, backend):
    import uuid

    app = make_app(backend.copy(template_url, "h" + uuid.uuid4().hex[:6]), behind_tls=True)
    response = app.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "upgrade-insecure-requests" in response.headers["Content-Security-Policy"]
    app.extensions["db"].engine.dispose()


def test_api_and_callback_responses_are_not_cached(clients):
    client = clients["publico"].client
    assert client.get("/api/v1/vistas/distribuidoras").headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"


# -- versions ------------------------------------------------------------------------------------
def test_page_shell_reveals_no_versions(shared_app):
    import dash
    import plotly

    page = shared_app.test_client().get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page).group(1))
    for key in ("dash_version", "python_version", "plotly_version", "dash_version_url", "ddk_version"):
        assert key not in config
    assert dash.__version__ not in page and dash.__version__.replace(".", "_") not in page
    assert plotly.__version__ not in page and sys.version.split()[0] not in page
    # Fingerprinted bundles still load (the version part is a keyed digest).
    src = re.search(r'src="(/_dash-component-suites/dash/dash-renderer/[^"]+)"', page).group(1)
    assert shared_app.test_client().get(src).status_code == 200


# -- no data in static layouts -------------------------------------------------------------------
def test_static_layout_and_shell_hold_no_client_data(shared_app):
    from data.models import Client, User
    from services.rut import format_rut

    client = shared_app.test_client()
    texts = [client.get(p).get_data(as_text=True) for p in ("/", "/_dash-layout", "/_dash-dependencies", "/login")]
    blob = "\n".join(texts)
    with shared_app.extensions["db"].session() as s:
        rows = list(s.execute(select(Client.name, Client.rut, Client.email, Client.phone, Client.address).limit(300)))
        users = list(s.execute(select(User.email, User.rut, User.full_name)))
    assert rows
    for name, rut, email, phone, address in rows:
        for value in (name, rut, format_rut(rut), email, phone, address):
            assert not value or value not in blob, value
    for email, rut, full_name in users:
        for value in (email, rut, full_name):
            assert not value or value not in blob, value


# -- production mode ------------------------------------------------------------------------------
def test_production_app_has_debug_off_and_generic_errors(template_url, backend):
    import uuid

    url = backend.copy(template_url, "p" + uuid.uuid4().hex[:6])
    app = make_app(url, env="production")
    assert not app.debug and not app.config["PROPAGATE_EXCEPTIONS"]

    @app.get("/api/v1/_boom")
    def boom():  # pragma: no cover - body raises
        raise RuntimeError("secreto interno /etc/passwd")

    from auth.policy import PUBLIC

    boom._ra_policy = PUBLIC
    response = app.test_client().get("/api/v1/_boom")
    assert response.status_code == 500
    assert "secreto" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)
    assert "error inesperado" in response.get_json()["error"]
    assert app.test_client().get("/_reload-hash").status_code == 403
    app.extensions["db"].engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_in_production_leaks_no_versions(template_url, backend):
    """The real production server: no version banner, no Werkzeug debugger, versions absent from the page."""
    import uuid

    url = backend.copy(template_url, "g" + uuid.uuid4().hex[:6])
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "RA_ENV": "production", "SECRET_KEY": "s" * 48, "DATABASE_URL": url}
    proc = subprocess.Popen([str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:server"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.5)
        headers = response.headers
        page = response.read().decode()
        assert headers.get("Server") == "gunicorn"  # no version
        assert "X-Powered-By" not in headers
        assert "Content-Security-Policy" in headers
        assert '"dash_version"' not in page and '"python_version"' not in page
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/no-existe", timeout=5)
        except urllib.error.HTTPError as exc:
            assert exc.code == 404 and "Werkzeug" not in exc.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=20)

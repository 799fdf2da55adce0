"""Shared fixtures: apps on SQLite or PostgreSQL seeded from a template, clients and a login helper.

Backend: ``--db=sqlite`` (default) or ``--db=postgres`` (PostgreSQL at 127.0.0.1:5432, trust auth;
tests skip with a visible reason when it is absent). The tiny profile is generated once per
session into a template and copied per test that needs its own database.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest

AS_OF = dt.date(2026, 10, 1)
SEED = 7
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEMO_PASSWORD = "RedAbierta2026"


def pytest_addoption(parser):
    parser.addoption("--db", default="sqlite", choices=["sqlite", "postgres"], help="database backend for the suite")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives headless Chromium through Playwright")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001
        return False


class Backend:
    """Creates, copies and drops test databases for one backend."""

    def __init__(self, kind: str, workdir: Path):
        self.kind = kind
        self.workdir = workdir
        self.prefix = f"ra_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.created: list[str] = []

    def url(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.db')}"
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(sql)

    def empty(self, name: str) -> str:
        """A new empty database; returns its URL."""
        full = f"{self.prefix}_{name}"
        if self.kind == "postgres":
            self._admin(f'CREATE DATABASE "{full}"')
            self.created.append(full)
        return self.url(full)

    def copy(self, template_url: str, name: str) -> str:
        """A copy of a template database; returns its URL."""
        full = f"{self.prefix}_{name}"
        if self.kind == "sqlite":
            src = Path(template_url.split("///", 1)[1])
            dst = self.workdir / f"{full}.db"
            shutil.copyfile(src, dst)
            return self.url(full)
        template = template_url.rsplit("/", 1)[1]
        self._admin(f'CREATE DATABASE "{full}" TEMPLATE "{template}"')
        self.created.append(full)
        return self.url(full)

    def drop_all(self) -> None:
        if self.kind == "postgres":
            for name in self.created:
                try:
                    self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                except Exception:  # noqa: BLE001
                    pass


@pytest.fixture(scope="session")
def backend(request, tmp_path_factory):
    kind = request.config.getoption("--db")
    if kind == "postgres" and not _pg_available():
        pytest.skip("PostgreSQL no disponible en 127.0.0.1:5432 (se omiten las pruebas con --db=postgres)")
    b = Backend(kind, tmp_path_factory.mktemp("db"))
    yield b
    b.drop_all()


@pytest.fixture(scope="session")
def template_url(backend):
    """A database migrated and seeded with the tiny profile (never modified by tests)."""
    from data.db import Database
    from data.migrate import upgrade
    from data.seeding import seed

    url = backend.empty("template")
    upgrade(url)
    db = Database(url)
    seed(db, "tiny", SEED, AS_OF)
    db.engine.dispose()
    return url


def make_app(url: str, **overrides):
    from app import create_app

    # Many tests sign in from the same test-client address: a generous login rate (the throttle's
    # own tests set strict limits explicitly).
    return create_app({"env": "test", "database_url": url, "secret_key": "test-secret-" + "x" * 32,
                       "login_rate_per_ip": "10000 per minute", "login_ip_max_failures": 10000, **overrides},
                      environ={})


@pytest.fixture(scope="session")
def shared_app(template_url, backend):
    """An app on a read-only copy of the template, shared by tests that do not write."""
    url = backend.copy(template_url, "shared")
    app = make_app(url)
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture
def app(template_url, backend):
    """An app on its own copy of the seeded template (tests may write)."""
    url = backend.copy(template_url, "t" + uuid.uuid4().hex[:8])
    app = make_app(url)
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture
def empty_app(backend):
    """An app on a migrated, empty database."""
    from data.migrate import upgrade

    url = backend.empty("e" + uuid.uuid4().hex[:8])
    upgrade(url)
    app = make_app(url)
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture
def db_session(app):
    """A session on the per-test database (committed by the test when needed)."""
    session = app.extensions["db"].sessionmaker()
    yield session
    session.close()


class AuthActions:
    """Log a Flask test client in and out through the real form endpoints."""

    def __init__(self, client):
        self.client = client

    def csrf(self) -> str:
        page = self.client.get("/login")
        assert page.status_code == 200
        with self.client.session_transaction() as sess:
            return sess["csrf"]

    def login(self, username: str, password: str = DEMO_PASSWORD):
        token = self.csrf()
        return self.client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})

    def logout(self):
        with self.client.session_transaction() as sess:
            token = sess.get("csrf", "")
        return self.client.post("/auth/logout", data={"csrf_token": token})

    def callback(self, output: str, inputs: list[dict], state: list[dict] | None = None, changed: list[str] | None = None):
        """POST a Dash callback request as the renderer would (with the CSRF header)."""
        with self.client.session_transaction() as sess:
            token = sess.get("csrf", "")
        body = {"output": output, "outputs": _outputs(output), "inputs": inputs, "state": state or [],
                # A pattern-matching (ALL) input is a list of dicts: nothing changed unless told.
                "changedPropIds": changed or [f"{i['id']}.{i['property']}" for i in inputs[:1] if isinstance(i, dict)]}
        return self.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": token})


def _outputs(output: str):
    parts = [p for p in output.strip(".").split("...") if p]
    outs = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        outs.append({"id": ident, "property": prop})
    return outs if len(outs) > 1 else outs[0]


@pytest.fixture
def auth(app):
    return AuthActions(app.test_client())


@pytest.fixture
def shared_auth(shared_app):
    return AuthActions(shared_app.test_client())


def strip_html(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text)

"""Faults: the database goes away and comes back, PDF rendering fails, a load is killed halfway."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from tests.conftest import AS_OF, AuthActions, make_app
from tests.security.matrix import ROUTER_KEY

ROUTER_INPUTS = [{"id": "url", "property": "pathname", "value": "/red/distribuidoras"},
                 {"id": "url", "property": "search", "value": ""}]


class Outage:
    """Make the app's database unreachable and bring it back, for SQLite or PostgreSQL."""

    def __init__(self, app, backend):
        self.app, self.backend = app, backend
        self.url = app.extensions["db"].url

    def stop(self):
        """SQLite: the file disappears (a directory takes its place); PostgreSQL: the database is renamed
        and its connections are killed, as when a server restarts."""
        if self.backend.kind == "sqlite":
            self.app.extensions["db"].engine.dispose()  # the open handles of a crashed disk are gone too
            self.path = Path(self.url.split("///", 1)[1])
            self.away = self.path.with_suffix(".away")
            self.away.mkdir()
            for suffix in ("", "-wal", "-shm"):
                src = Path(str(self.path) + suffix)
                if src.exists():
                    shutil.move(src, self.away / (src.name))
            self.path.mkdir()  # opening a directory as a database fails
        else:
            name = self.url.rsplit("/", 1)[1]
            self.backend._admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            self.backend._admin(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"')

    def start(self):
        """Bring the database back exactly as it was."""
        if self.backend.kind == "sqlite":
            self.path.rmdir()
            for item in self.away.iterdir():
                shutil.move(item, self.path.parent / item.name)
            self.away.rmdir()
        else:
            name = self.url.rsplit("/", 1)[1]
            self.backend._admin(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')


def test_database_outage_gives_friendly_503_and_recovers_without_restart(app, backend):
    actions = AuthActions(app.test_client())
    actions.login("publico")
    client = actions.client
    assert client.get("/red/distribuidoras").status_code == 200
    outage = Outage(app, backend)
    outage.stop()
    try:
        page = client.get("/red/distribuidoras")
        assert page.status_code == 503 and page.mimetype == "text/html"
        assert "Servicio no disponible" in page.get_data(as_text=True)
        assert "base de datos" in page.get_data(as_text=True) and page.headers["Retry-After"]
        api = client.get("/api/v1/vistas/distribuidoras")
        assert api.status_code == 503 and "no está disponible" in api.get_json()["error"]
        callback = actions.callback(ROUTER_KEY, ROUTER_INPUTS)
        assert callback.status_code == 503 and "error" in callback.get_json()
        assert client.get("/healthz").status_code == 503
        anonymous = app.test_client()
        assert anonymous.get("/login").status_code == 200  # the shell itself needs no database
    finally:
        outage.start()
    # Same app object, no restart: everything works again.
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/red/distribuidoras").status_code == 200
    assert client.get("/api/v1/vistas/distribuidoras").status_code == 200
    assert actions.callback(ROUTER_KEY, ROUTER_INPUTS).status_code == 200
    assert AuthActions(app.test_client()).login("sec").headers["Location"] == "/"


# -- PDF failures --------------------------------------------------------------------------------
@pytest.fixture
def publico(shared_app):
    actions = AuthActions(shared_app.test_client())
    actions.login("publico")
    return actions.client


def _instance_files():
    root = Path(__file__).resolve().parents[2] / "instance"
    return {p for p in root.rglob("*")} if root.exists() else set()


@pytest.mark.parametrize("failure", ["weasyprint", "kaleido"])
def test_pdf_failure_gives_a_clear_error_and_writes_nothing(publico, monkeypatch, failure):
    import reports.pdf

    if failure == "weasyprint":
        import weasyprint

        def broken(self, *args, **kwargs):
            raise OSError("disk full while writing PDF")

        monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
        monkeypatch.setattr(weasyprint.HTML, "render", broken)  # reports lay out first, then stamp figures
    else:
        from reports.charts import ChartExportError

        def broken_svg(*args, **kwargs):
            raise ChartExportError("No se pudieron dibujar los gráficos del PDF (servicio de gráficos detenido).")

        monkeypatch.setattr(reports.pdf, "figure_pdf", broken_svg)
        monkeypatch.setattr(reports.pdf, "report_html", _html_with_chart_call(reports.pdf.report_html, broken_svg))
    before = _instance_files()
    as_json = publico.get("/reportes/distribuidoras.pdf", headers={"Accept": "application/json"})
    as_page = publico.get("/reportes/distribuidoras.pdf", headers={"Accept": "text/html,*/*"})
    for response in (as_json, as_page):
        assert response.status_code == 500
        assert "Content-Disposition" not in response.headers
        assert not response.data.startswith(b"%PDF")
    assert "PDF" in as_json.get_json()["error"] or "gráficos" in as_json.get_json()["error"]
    assert as_page.mimetype == "text/html" and "No se pudo generar el PDF" in as_page.get_data(as_text=True)
    assert _instance_files() == before
    monkeypatch.undo()
    ok = publico.get("/reportes/distribuidoras.pdf")
    assert ok.status_code == 200 and ok.data.startswith(b"%PDF")


def _html_with_chart_call(real, broken_svg):
    # The companies view may have no chart: make sure the chart path runs during rendering.
    def wrapped(report, username="", generated_at=None, slots=None):
        broken_svg()
        return real(report, username, generated_at, slots)

    return wrapped


# -- loads killed halfway -------------------------------------------------------------------------
def _hash(db) -> str:
    from data.canonical import database_hash

    with db.engine.connect() as conn:
        return database_hash(conn)


@pytest.mark.parametrize("kill_at", ["tables", "accounts"])
def test_seed_killed_halfway_leaves_no_partial_data(backend, kill_at, monkeypatch):
    from data.db import Database
    from data.migrate import upgrade
    from data.seeding import is_empty, seed

    url = backend.empty("k" + uuid.uuid4().hex[:8])
    upgrade(url)
    db = Database(url)
    before = _hash(db)
    loaded = []

    def progress(message):
        if message.startswith("cargando "):
            loaded.append(message)
            if kill_at == "tables" and len(loaded) == 4:
                raise KeyboardInterrupt  # Ctrl-C / SIGINT in the middle of the load

    if kill_at == "accounts":
        import services.users

        real = services.users.create_user

        def dying_create_user(session, username, *args, **kwargs):
            if username == "sec":
                raise KeyboardInterrupt
            return real(session, username, *args, **kwargs)

        monkeypatch.setattr(services.users, "create_user", dying_create_user)
    with pytest.raises(KeyboardInterrupt):
        seed(db, "tiny", 7, AS_OF, progress=progress)
    assert len(loaded) >= 4
    assert _hash(db) == before and is_empty(db)
    monkeypatch.undo()
    seed(db, "tiny", 7, AS_OF)  # a clean retry loads everything
    assert not is_empty(db) and _hash(db) != before
    db.engine.dispose()


@pytest.mark.slow
def test_seed_process_killed_leaves_all_or_nothing(backend, tmp_path):
    """A real ``flask seed`` killed with SIGKILL while loading: the database is empty or complete."""
    import os
    import signal
    import subprocess
    import sys

    from data.db import Database
    from data.migrate import upgrade

    url = backend.empty("q" + uuid.uuid4().hex[:8])
    upgrade(url)
    db = Database(url)
    empty_hash = _hash(db)
    root = Path(__file__).resolve().parents[2]
    flask = Path(sys.executable).with_name("flask")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "k" * 40, "RA_ENV": "development",
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([str(flask), "--app", "app", "seed", "--profile", "tiny", "--seed", "7", "--as-of",
                             AS_OF.strftime("%Y-%m")], cwd=root, env=env, stdout=subprocess.PIPE, text=True)
    killed_while_loading = False
    for line in proc.stdout:
        if line.startswith("cargando "):
            proc.send_signal(signal.SIGKILL)
            killed_while_loading = True
            break
    proc.wait(timeout=120)
    assert killed_while_loading
    db.engine.dispose()
    after = _hash(db)
    assert after == empty_hash, "a killed load left partial data"
    db.engine.dispose()

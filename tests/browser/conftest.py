"""Browser fixtures: the app served on a free local port and Playwright driving Debian's Chromium."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import DEMO_PASSWORD, make_app

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A threaded WSGI server for one app."""

    def __init__(self, app):
        self.port = _free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def live_server(template_url, backend):
    """The app on its own copy of the seeded template, served over HTTP."""
    import uuid

    url = backend.copy(template_url, "live" + uuid.uuid4().hex[:6])
    app = make_app(url)
    server = LiveServer(app)
    server.app = app
    yield server
    server.stop()
    app.extensions["db"].engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium no está instalado en /usr/bin/chromium (make test lo instala)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="es-CL", accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under tests/screenshots/ (ignored by git)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form as a person would."""
    page.goto(f"{base_url}/login")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_selector("#nav-user")


def wait_until(page, expression: str, timeout: float = 20_000) -> None:
    """Poll a JS expression from Python (``page.evaluate`` goes through CDP, so the app's strict CSP,
    which forbids eval, does not block it the way ``page.wait_for_function`` is blocked)."""
    import time

    deadline = time.monotonic() + timeout / 1000  # milliseconds, like Playwright
    while time.monotonic() < deadline:
        if page.evaluate(f"() => Boolean({expression})"):
            return
        page.wait_for_timeout(150)
    raise AssertionError(f"timed out waiting for: {expression}")

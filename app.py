"""Red Abierta: the app factory. ``server`` is the WSGI app for gunicorn (``gunicorn app:server``)."""
from __future__ import annotations

from pathlib import Path

import dash
from flask import Flask, jsonify

from settings import ROOT, Settings

ASSETS = ROOT / "assets"


def create_app(overrides: dict | None = None, environ: dict | None = None) -> Flask:
    """Build a configured Flask server with the Dash app mounted on it."""
    settings = Settings.from_env(environ).with_overrides(overrides)
    server = Flask(__name__, instance_path=str(ROOT / "instance"))
    server.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_request_bytes,
                         TESTING=settings.env == "test", JSON_SORT_KEYS=False)
    server.extensions["ra_settings"] = settings
    _harden(server, settings)

    from data.db import Database

    Database(settings.database_url).init_app(server)
    from services.cache import make_store

    server.extensions["ra_store"] = make_store(settings.redis_url, settings.redis_prefix)
    _register_timing(server)  # first, so the guard's work is timed too
    _register_compression(server)

    from auth import cli as auth_cli
    from auth import errors, guard, session as auth_session, throttle
    from auth.registration import bp as registration_bp
    from auth.views import bp as auth_bp

    auth_session.init_app(server)
    guard.init_app(server)
    errors.init_app(server)
    throttle.init_app(server)
    server.register_blueprint(auth_bp)
    server.register_blueprint(registration_bp)
    auth_cli.init_app(server)

    from data import cli as data_cli

    data_cli.init_app(server)
    from exchange import cli as exchange_cli

    exchange_cli.init_app(server)
    _register_health(server)
    from api.core import init_app as init_api

    init_api(server)
    from geo.views import bp as geo_files_bp
    from reports import views as report_views

    server.register_blueprint(geo_files_bp)

    report_views.init_app(server)
    from realtime import init_app as init_realtime

    init_realtime(server)

    from pages import all_pages
    from pages.registry import PageRegistry

    server.extensions["ra_pages"] = PageRegistry(all_pages())
    dash_app = _create_dash(server, settings)
    server.extensions["ra_dash"] = dash_app
    from auth.headers import build_csp

    server.extensions["ra_csp"] = build_csp(server)  # after every (clientside) callback is registered
    return server


def _harden(server: Flask, settings: Settings) -> None:
    """Security wiring that must precede routes: proxies, id bounds, debug off, masked logs."""
    from auth import inputs, logmask

    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    inputs.install(server)
    if settings.is_production:
        server.debug = False
        server.config.update(DEBUG=False, PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False)
    logmask.configure_logging(server)


def _create_dash(server: Flask, settings: Settings) -> dash.Dash:
    from auth.headers import HardenedDash
    from callbacks import register_all
    from components.shell import shell

    dash_app = HardenedDash(
        __name__,
        server=server,
        assets_folder=str(ASSETS),
        # Page layouts are built only inside the guarded router callback: see REFERENCE.md pitfalls.
        use_pages=False,
        suppress_callback_exceptions=True,
        title="Red Abierta",
        update_title=None,
        serve_locally=True,
        compress=False,
    )
    dash_app.layout = shell
    dash_app.index_string = dash_app.index_string.replace("<html>", '<html lang="es-CL">')
    register_all(dash_app)
    return dash_app


def _register_timing(server: Flask) -> None:
    """Expose the server time of every response as ``Server-Timing`` (read by the benchmarks)."""
    import time

    from flask import g

    @server.before_request
    def _start_timer():
        g.t0 = time.perf_counter()

    @server.after_request
    def _server_timing(response):
        if "t0" in g:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.t0) * 1000:.1f}"
        if "cache_status" in g:
            response.headers["X-Cache"] = g.cache_status
        return response


def _register_compression(server: Flask) -> None:
    """gzip for text responses (pages, callbacks, JSON, GeoJSON, CSV): a feeder page is ~10x smaller on the wire.

    Compressed responses that carry a secret next to reflected input are what BREACH attacks: pages embed
    the CSRF token only masked with a fresh pad (``auth.session.masked_csrf_token``). PDFs and KMZ are
    already compressed and are left alone.
    """
    from flask_compress import Compress

    server.config.update(
        COMPRESS_ALGORITHM=["gzip"], COMPRESS_LEVEL=5, COMPRESS_MIN_SIZE=1024, COMPRESS_REGISTER=True,
        COMPRESS_MIMETYPES=["text/html", "text/css", "text/csv", "text/plain", "application/json",
                            "application/geo+json", "application/javascript", "text/javascript", "image/svg+xml"])
    Compress(server)


def _tune_gc() -> None:
    """Served processes: move start-up objects out of the collector's view and collect young objects less often.

    After start-up a worker holds ~250,000 long-lived objects (modules, Dash layouts, caches) that every
    full collection would walk again; a page that builds tens of thousands of short-lived objects then spent
    ~20 % of its time in the collector (measured on the feeder detail). Frozen, it spends ~1 %.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def _register_health(server: Flask) -> None:
    from sqlalchemy import text

    from auth.policy import PUBLIC, protect
    from data.db import get_session

    @server.get("/healthz")
    @protect(PUBLIC)
    def healthz():
        """Liveness and database reachability."""
        get_session().execute(text("SELECT 1"))
        return jsonify(status="ok")


def __getattr__(name: str):
    # ``server`` is built lazily so importing this module does no I/O (gunicorn asks for it).
    if name == "server":
        global server
        server = create_app()
        from realtime import autostart

        autostart(server)  # the MQTT ingest runs only in served processes (settings.mqtt_url)
        _tune_gc()
        return server
    raise AttributeError(name)

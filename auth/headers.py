"""HTTP security headers, the Content-Security-Policy for Dash, and a Dash that does not advertise versions.

The CSP allows scripts only from this origin plus the SHA-256 hashes of Dash's own inline scripts
(``Dash.csp_hashes()``: clientside callbacks and the renderer bootstrap), so no injected inline
script can run. Styles allow 'unsafe-inline' because Plotly and Leaflet inject <style> elements at
run time (style injection cannot execute code). Images may come from this origin, ``data:`` URIs
(Bootstrap icons, map markers) and the configured web-tile server.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import urlsplit

import dash
from flask import Flask, Response, current_app, request

VERSION_KEYS = ("dash_version", "python_version", "dash_version_url", "ddk_version", "plotly_version")
_FINGERPRINT = re.compile(r"\.v([\w-]+?)m([0-9a-fA-F]+)\.")
_FAVICON_VERSION = re.compile(r"(_favicon\.ico\?v=)[^\"']+")
NO_STORE_PREFIXES = ("/api/", "/reportes/", "/auth/", "/_dash-update-component", "/healthz")


class HardenedDash(dash.Dash):
    """``dash.Dash`` whose page shell reveals no Dash/Plotly/Python versions.

    The front-end config drops the version fields (used only by the debug dev-tools UI), and the
    version part of fingerprinted bundle URLs is replaced by a keyed digest (still a cache buster).
    """

    def _config(self):
        config = super()._config()
        for key in VERSION_KEYS:
            config.pop(key, None)
        return config

    def _version_tag(self, version: str) -> str:
        key = (self.server.config.get("SECRET_KEY") or "ra").encode()
        return "r" + hmac.new(key, version.encode(), hashlib.sha256).hexdigest()[:10]

    def interpolate_index(self, **kwargs):
        """Rewrite versioned URLs in the script/css/favicon tags, then build the page as Dash does."""
        for name in ("scripts", "css", "favicon"):
            text = kwargs.get(name) or ""
            text = _FINGERPRINT.sub(lambda m: f".v{self._version_tag(m.group(1))}m{m.group(2)}.", text)
            text = _FAVICON_VERSION.sub(lambda m: m.group(1) + self._version_tag(dash.__version__), text)
            kwargs[name] = text
        return super().interpolate_index(**kwargs)


def tile_source(tiles_url: str) -> str | None:
    """The CSP source of the web-tile server (``https://{s}.tile.x.org/...`` -> ``https://*.tile.x.org``)."""
    if not tiles_url:
        return None
    parts = urlsplit(tiles_url.replace("{s}", "tiles-sub"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.replace("tiles-sub", "*")
    return f"{parts.scheme}://{host}"


def build_csp(app: Flask) -> str:
    """The Content-Security-Policy of this app (computed once, after every callback is registered)."""
    settings = app.extensions["ra_settings"]
    dash_app = app.extensions.get("ra_dash")
    hashes = list(dash_app.csp_hashes()) if dash_app is not None else []
    tiles = tile_source(settings.tiles_url)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *([tiles] if tiles else [])],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    if settings.behind_tls:
        directives["upgrade-insecure-requests"] = []
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


def security_headers(app: Flask) -> dict[str, str]:
    """Headers added to every response."""
    settings = app.extensions["ra_settings"]
    csp = app.extensions.get("ra_csp")
    if csp is None:
        csp = app.extensions["ra_csp"] = build_csp(app)
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
                              "interest-cohort=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if settings.behind_tls:
        headers["Strict-Transport-Security"] = f"max-age={settings.hsts_seconds}; includeSubDomains"
    return headers


def apply(response: Response) -> Response:
    """Add the security headers and remove server-identifying ones."""
    app = current_app._get_current_object()
    for name, value in security_headers(app).items():
        response.headers.setdefault(name, value)
    response.headers.pop("X-Powered-By", None)
    response.headers.pop("Server", None)  # gunicorn adds a bare "Server: gunicorn" (no version)
    if request.path.startswith(NO_STORE_PREFIXES) and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response

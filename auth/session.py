"""Flask-Login wiring, the current Actor, CSRF tokens and session timeouts."""
from __future__ import annotations

import base64
import datetime as dt
import hmac
import secrets

from flask import Flask, current_app, request, session
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user

from auth.scope import Actor
from data.db import get_session
from data.models import User, utcnow

login_manager = LoginManager()


class SessionUser(UserMixin):
    """The signed-in user as Flask-Login sees it (a detached snapshot of ``User``)."""

    def __init__(self, user: User):
        self.id = user.id
        self.username = user.username
        self.role = user.role
        self.full_name = user.full_name
        self.company_id = user.company_id
        self.supervised_company_id = user.supervised_company_id
        self.must_change_password = user.must_change_password
        self.session_version = user.session_version

    def get_id(self) -> str:
        """Session identifier: user id and session version (bumping it logs every session out)."""
        return f"{self.id}:{self.session_version}"


@login_manager.user_loader
def _load_user(token: str):
    try:
        user_id, version = (int(p) for p in token.split(":"))
    except ValueError:
        return None
    user = get_session().get(User, user_id)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return SessionUser(user)


def current_actor() -> Actor:
    """The Actor of the current request: a bearer token's, the session user's, or anonymous."""
    from flask import g, has_request_context

    if has_request_context() and g.get("token_actor") is not None:
        return g.token_actor
    user = current_user
    if user is None or isinstance(user, AnonymousUserMixin) or not user.is_authenticated:
        return Actor(None, "", None)
    return Actor(user.id, user.username, user.role, user.company_id, user.supervised_company_id)


def must_change_password() -> bool:
    """True when the signed-in user still holds company-issued credentials (first login)."""
    user = current_user
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "must_change_password", False))


def csrf_token() -> str:
    """The session's CSRF token (created on first use)."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def masked_csrf_token() -> str:
    """The session's CSRF token under a fresh one-time pad, for embedding in (compressed) pages.

    Responses are gzip-compressed; a secret that appears identically in every compressed response next
    to reflected input is what BREACH recovers byte by byte. Masked, the token's bytes differ in every
    response while ``csrf_valid`` still accepts it.
    """
    raw = csrf_token().encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(pad, raw))).decode().rstrip("=")


def _unmask(candidate: str) -> str | None:
    try:
        data = base64.urlsafe_b64decode(candidate + "=" * (-len(candidate) % 4))
    except (ValueError, TypeError):
        return None
    half = len(data) // 2
    if half == 0 or len(data) % 2:
        return None
    try:
        return bytes(a ^ b for a, b in zip(data[:half], data[half:])).decode()
    except UnicodeDecodeError:
        return None


def csrf_valid(candidate: str | None) -> bool:
    """Constant-time comparison of a submitted token (plain, as in the cookie, or masked) with the session's."""
    expected = session.get("csrf")
    if not (expected and candidate and isinstance(candidate, str) and len(candidate) <= 256):
        return False
    if hmac.compare_digest(expected, candidate):
        return True
    unmasked = _unmask(candidate)
    return unmasked is not None and hmac.compare_digest(expected, unmasked)


def start_session(user: User) -> None:
    """Begin a fresh session for ``user`` (no fixation: the old session is discarded)."""
    from flask_login import login_user

    session.clear()
    now = utcnow().timestamp()
    session["login_at"] = now
    session["seen_at"] = now
    session.permanent = True
    login_user(SessionUser(user))
    csrf_token()


def session_expired() -> bool:
    """True when the idle or absolute timeout has passed (and refresh the idle clock otherwise)."""
    settings = current_app.extensions["ra_settings"]
    now = utcnow().timestamp()
    login_at = session.get("login_at", now)
    seen_at = session.get("seen_at", now)
    if now - seen_at > settings.session_idle_minutes * 60 or now - login_at > settings.session_absolute_hours * 3600:
        return True
    session["seen_at"] = now
    return False


def init_app(app: Flask) -> None:
    """Configure Flask-Login and secure cookie flags."""
    settings = app.extensions["ra_settings"]
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.behind_tls,
        SESSION_COOKIE_NAME="ra_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.behind_tls,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_absolute_hours),
    )


def client_ip() -> str:
    """The client's address (the proxy's X-Forwarded-For is trusted only through ProxyFix)."""
    return request.remote_addr or ""

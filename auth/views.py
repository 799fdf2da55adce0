"""Sign-in, sign-out and password change: plain form posts with CSRF tokens."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, redirect, request, session
from flask_login import logout_user
from sqlalchemy import func, select

from auth.passwords import PasswordPolicyError, check_policy, hash_password, verify_password
from auth.policy import PUBLIC, SIGNED_IN, protect
from auth.session import client_ip, csrf_valid, current_actor, start_session
from data.db import get_session
from data.models import User, utcnow
from services.audit import record_access

bp = Blueprint("auth", __name__, url_prefix="/auth")

HOME_BY_ROLE = {"public": "/", "client": "/", "eg_client": "/", "sec": "/", "operator": "/", "supervisor": "/"}


def safe_next(value: str | None) -> str | None:
    """A same-site path to go back to after login, or None (no open redirects)."""
    if value and len(value) <= 500 and re.fullmatch(r"/(?![/\\])[^\s\\\x00-\x1f\x7f]*", value):
        return value
    return None


_safe_next = safe_next


@bp.post("/login")
@protect(PUBLIC)
def login():
    """Check credentials and start a fresh session.

    Unknown accounts, wrong passwords and inactive accounts get the same redirect after the same
    argon2 work; locked account names (existing or not) get the same lockout message.
    """
    from auth.throttle import throttle

    limiter = throttle()
    next_url = _safe_next(request.form.get("next"))
    suffix = f"&next={quote(next_url, safe='/')}" if next_url else ""
    if not limiter.request_allowed(client_ip()):
        return redirect(f"/login?error=limite{suffix}")
    if not csrf_valid(request.form.get("csrf_token")):
        return redirect(f"/login?error=csrf{suffix}")
    username = (request.form.get("username") or "").strip()[:64]
    password = (request.form.get("password") or "")[:256]
    locked = limiter.locked_for(username, client_ip())
    if locked:
        verify_password(None, password)  # same cost as a real check
        return redirect(f"/login?error=bloqueo&min={max(1, -(-locked // 60))}{suffix}")
    db = get_session()
    user = db.scalar(select(User).where(func.lower(User.username) == username.lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        limiter.failure(username, client_ip())
        return redirect(f"/login?error=1{suffix}")
    limiter.success(username)
    user.last_login_at = utcnow()
    start_session(user)
    record_access(db, current_actor(), "login", target="/auth/login", ip=client_ip())
    if user.must_change_password:
        return redirect("/cuenta?msg=forzada")
    return redirect(next_url or HOME_BY_ROLE.get(user.role, "/"))


@bp.post("/logout")
@protect(PUBLIC)
def logout():
    """End the session."""
    actor = current_actor()
    if actor.role is not None and csrf_valid(request.form.get("csrf_token")):
        record_access(get_session(), actor, "logout", target="/auth/logout", ip=client_ip())
        logout_user()
        session.clear()
        return redirect("/login?salida=1")
    return redirect("/")


@bp.post("/password")
@protect(SIGNED_IN)
def change_password():
    """Change the signed-in user's password (and log out their other sessions)."""
    if not csrf_valid(request.form.get("csrf_token")):
        return redirect("/cuenta?msg=csrf")
    actor = current_actor()
    db = get_session()
    user = db.get(User, actor.user_id)
    if not verify_password(user.password_hash, (request.form.get("current") or "")[:256]):
        return redirect("/cuenta?msg=actual")
    new, new2 = request.form.get("new") or "", request.form.get("new2") or ""
    if new != new2:
        return redirect("/cuenta?msg=distintas")
    try:
        check_policy(new, user.username)
    except PasswordPolicyError as exc:
        return redirect(f"/cuenta?politica={quote(str(exc))}")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.session_version += 1
    db.flush()
    record_access(db, actor, "password_change", target="/auth/password", ip=client_ip())
    start_session(user)
    return redirect("/cuenta?msg=ok")

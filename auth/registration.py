"""Registration (Anexo 1 §2.2, fig. 3): the captcha challenge and the form post.

Errors travel back to the form through the session (never the URL), with what the person typed
except the passwords; the page reads them once.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, session

from auth.captcha import new_challenge
from auth.policy import PUBLIC, protect
from auth.session import client_ip, csrf_valid, current_actor, start_session
from data.db import get_session
from services.audit import record_access
from services.registration import RegistrationError, RegistrationForm, register_public_user

bp = Blueprint("registration", __name__, url_prefix="/auth")

FLASH_KEY = "registro_form"
# Where a registered user of the public profile starts (the location filter, Anexo 1 §2.3).
FILTERS_PATH = "/red/buscar"


@bp.get("/captcha")
@protect(PUBLIC)
def captcha_challenge():
    """A fresh signed proof-of-work challenge for the ALTCHA widget."""
    response = jsonify(new_challenge(current_app.extensions["ra_settings"]))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/registro")
@protect(PUBLIC)
def register():
    """Create a public-profile account, sign it in and go to the filters."""
    if current_actor().role is not None:
        return redirect(FILTERS_PATH)
    form = RegistrationForm.from_mapping(request.form)
    if not csrf_valid(request.form.get("csrf_token")):
        session[FLASH_KEY] = {"values": form.echo(), "errors": {"form": "El formulario expiró. Vuelva a intentarlo."}}
        return redirect("/registro")
    db = get_session()
    try:
        user = register_public_user(db, current_app.extensions["ra_settings"], form)
    except RegistrationError as exc:
        session[FLASH_KEY] = {"values": form.echo(), "errors": exc.errors}
        return redirect("/registro")
    start_session(user)
    actor = current_actor()
    record_access(db, actor, "register", target="/auth/registro", object_type="user", object_id=user.id, ip=client_ip())
    record_access(db, actor, "login", target="/auth/registro", ip=client_ip())
    return redirect(FILTERS_PATH)


def pop_form_state() -> dict:
    """The values and errors of the last failed registration (read once)."""
    return session.pop(FLASH_KEY, None) or {"values": {}, "errors": {}}

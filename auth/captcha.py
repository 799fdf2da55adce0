"""Offline captcha for registration: ALTCHA proof of work (v2 protocol), signed with the app secret.

The server issues a signed challenge whose answer is a counter it chose at random
(deterministic mode), so a browser must try on average ~3/4 of ``captcha_max_counter`` PBKDF2
derivations while the server checks a solution with one. No third-party service is involved:
the widget script is vendored in ``assets/`` and the challenge comes from ``/auth/captcha``.
A solved challenge is accepted once: its signature goes to ``captcha_uses`` until it expires.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import altcha
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.models import CaptchaUse, utcnow

ALGORITHM = "PBKDF2/SHA-256"
MAX_PAYLOAD_CHARS = 4000


class CaptchaError(ValueError):
    """A missing, invalid, expired or already used captcha solution (message in Spanish)."""


def _keys(secret_key: str) -> tuple[str, str]:
    # Derived keys: the Flask secret itself never signs anything outside the session.
    base = hashlib.sha256(("altcha:" + secret_key).encode()).hexdigest()
    return base, hashlib.sha256(("altcha-key:" + secret_key).encode()).hexdigest()


def new_challenge(settings) -> dict:
    """A fresh signed challenge as the widget expects it (JSON object)."""
    top = max(2, settings.captcha_max_counter)
    counter = top // 2 + secrets.randbelow(top - top // 2)
    expires = utcnow() + dt.timedelta(minutes=settings.captcha_ttl_minutes)
    hmac_secret, key_secret = _keys(settings.secret_key)
    challenge = altcha.create_challenge(ALGORITHM, settings.captcha_cost, counter=counter, expires_at=expires,
                                        hmac_secret=hmac_secret, hmac_key_secret=key_secret)
    return challenge.to_dict()


def verify_and_consume(session: Session, settings, payload: str | None) -> None:
    """Accept a solved challenge once, or raise ``CaptchaError`` with a Spanish message."""
    payload = (payload or "").strip()
    if not payload:
        raise CaptchaError("Confirme que no es un robot (marque la casilla y espere la verificación).")
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise CaptchaError("La verificación anti-robot no es válida. Vuelva a marcar la casilla.")
    hmac_secret, key_secret = _keys(settings.secret_key)
    try:
        result = altcha.verify_solution(payload, hmac_secret, hmac_key_secret=key_secret)
    except (ValueError, TypeError, AttributeError, KeyError):
        result = None
    if result is not None and result.expired:
        raise CaptchaError("La verificación anti-robot expiró. Vuelva a marcar la casilla.")
    if result is None or not result.verified:
        raise CaptchaError("La verificación anti-robot no es válida. Vuelva a marcar la casilla.")
    parsed = altcha.Payload.from_base64(payload)
    signature = parsed.challenge.signature
    expires_at = dt.datetime.fromtimestamp(parsed.challenge.parameters.expires_at or 0, dt.timezone.utc)
    now = utcnow()
    session.execute(delete(CaptchaUse).where(CaptchaUse.expires_at < now))
    if session.scalar(select(CaptchaUse.signature).where(CaptchaUse.signature == signature)):
        raise CaptchaError("Esta verificación anti-robot ya fue usada. Vuelva a marcar la casilla.")
    session.add(CaptchaUse(signature=signature, expires_at=expires_at))
    try:
        session.flush()
    except IntegrityError:  # a concurrent request used it first (nothing else is pending yet)
        session.rollback()
        raise CaptchaError("Esta verificación anti-robot ya fue usada. Vuelva a marcar la casilla.") from None


"""API tokens: random secrets shown once, stored as SHA-256 hashes, revocable.

Format ``ra_<prefix>_<secret>``; the prefix identifies the token in listings and logs.
SHA-256 (not argon2) is right here: tokens carry 256 bits of entropy, so a fast hash is safe
and keeps per-request verification cheap.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import ApiToken, User, utcnow

SCOPES = ("exchange", "personal", "realtime")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, scope: str, name: str, *, company_id: int | None = None, user_id: int | None = None,
                supervised_company_id: int | None = None) -> tuple[str, ApiToken]:
    """Create a token; returns the plaintext (shown once) and the stored row."""
    if scope not in SCOPES:
        raise ValueError(f"unknown token scope {scope}")
    if scope == "exchange" and company_id is None or scope == "personal" and user_id is None or \
            scope == "realtime" and supervised_company_id is None:
        raise ValueError("token owner missing for scope")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    row = ApiToken(prefix=prefix, token_hash=_hash(secret), name=name[:120], scope=scope, company_id=company_id,
                   user_id=user_id, supervised_company_id=supervised_company_id)
    session.add(row)
    session.flush()
    return f"ra_{prefix}_{secret}", row


def resolve_token(session: Session, presented: str) -> ApiToken | None:
    """The active token matching ``presented``, or None (constant-time hash comparison)."""
    parts = (presented or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "ra":
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == parts[1]))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, _hash(parts[2])):
        return None
    row.last_used_at = utcnow()
    return row


def revoke_token(session: Session, token_id: int, company_id: int | None = None) -> bool:
    """Revoke a token (optionally only if it belongs to ``company_id``)."""
    row = session.get(ApiToken, token_id)
    if row is None or (company_id is not None and row.company_id != company_id) or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def token_actor(session: Session, row: ApiToken) -> Actor | None:
    """The identity a token acts as."""
    if row.scope == "personal":
        user = session.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        return Actor(user.id, user.username, user.role, user.company_id, user.supervised_company_id)
    if row.scope == "exchange":
        return Actor(None, f"token:{row.prefix}", "company_system", row.company_id)
    return Actor(None, f"token:{row.prefix}", "gas_company_system", None, row.supervised_company_id)

"""Personal API tokens of signed-in users: issue (shown once), list by prefix, revoke."""
from __future__ import annotations

from dataclasses import dataclass
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import AccessDenied, Actor, NotFound
from auth.tokens import issue_token, revoke_token
from data.models import ApiToken


class TokenError(ValueError):
    """A token request that cannot be fulfilled (Spanish message)."""


@dataclass(frozen=True)
class TokenInfo:
    """What the owner may see of a token: never its secret."""

    id: int
    prefix: str
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        """True until revoked."""
        return self.revoked_at is None


def _require_user(actor: Actor) -> int:
    if actor.user_id is None or actor.role is None:
        raise AccessDenied("Debe iniciar sesión para administrar tokens.", 401)
    return actor.user_id


def list_personal_tokens(session: Session, actor: Actor) -> list[TokenInfo]:
    """The actor's own personal tokens, newest first."""
    user_id = _require_user(actor)
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.scope == "personal")
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return [TokenInfo(r.id, r.prefix, r.name, r.created_at, r.last_used_at, r.revoked_at) for r in rows]


def issue_personal_token(session: Session, actor: Actor, name: str, limit: int) -> tuple[str, TokenInfo]:
    """Create a token for the actor; returns the plaintext (to show once) and its listing entry."""
    user_id = _require_user(actor)
    name = " ".join((name or "").split())[:120]
    if not name:
        raise TokenError("Indique un nombre para el token (por ejemplo, «script de consulta»).")
    active = session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user_id, ApiToken.scope == "personal", ApiToken.revoked_at.is_(None)))
    if active >= limit:
        raise TokenError(f"Ya tiene {limit} tokens activos: revoque alguno antes de crear otro.")
    plaintext, row = issue_token(session, "personal", name, user_id=user_id)
    return plaintext, TokenInfo(row.id, row.prefix, row.name, row.created_at, None, None)


def revoke_personal_token(session: Session, actor: Actor, token_id: int) -> TokenInfo:
    """Revoke one of the actor's own tokens (another user's token is reported as not found)."""
    user_id = _require_user(actor)
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id or row.scope != "personal":
        raise NotFound("Token no encontrado.")
    if row.revoked_at is None:
        revoke_token(session, token_id)
        session.flush()
    return TokenInfo(row.id, row.prefix, row.name, row.created_at, row.last_used_at, row.revoked_at)

"""Data-scope checks shared by services: which supplies and companies a user may see."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import Client, UserSupply


class AccessDenied(Exception):
    """The user may not see or change this object (rendered as 403 or 404)."""

    def __init__(self, message: str = "No tiene permiso para ver esta información.", status: int = 403):
        super().__init__(message)
        self.message = message
        self.status = status


class NotFound(AccessDenied):
    """The object does not exist, or its existence must not be revealed."""

    def __init__(self, message: str = "No se encontró la información solicitada."):
        super().__init__(message, 404)


@dataclass(frozen=True)
class Actor:
    """The identity a service acts for (decoupled from Flask-Login)."""

    user_id: int | None
    username: str
    role: str | None  # None: anonymous
    company_id: int | None = None
    supervised_company_id: int | None = None

    @property
    def is_anonymous(self) -> bool:
        """True for visitors who have not signed in."""
        return self.role is None


def supply_ids(session: Session, actor: Actor) -> list[int]:
    """The client ids a client user holds."""
    if actor.user_id is None:
        return []
    return list(session.scalars(select(UserSupply.client_id).where(UserSupply.user_id == actor.user_id)))


def require_client_access(session: Session, actor: Actor, client_id: int) -> Client:
    """Load a client the actor may see, or raise NotFound (never reveal other clients' existence)."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound()
    if actor.role == "sec":
        return client
    if actor.role == "operator" and actor.company_id == client.company_id:
        return client
    if actor.role in ("client", "eg_client") and client_id in supply_ids(session, actor):
        return client
    raise NotFound()

"""The SEC audit trail: every access by an SEC user (who, what, when), filtered (Anexo 1 §3)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import AccessDenied, Actor
from data.models import AccessLog

MAX_ROWS = 5000  # bounded export: narrow the filters beyond this
CHILE = ZoneInfo("America/Santiago")
ACTION_LABELS = {"login": "Ingreso", "logout": "Salida", "view": "Consulta de vista", "search": "Búsqueda",
                 "download": "Descarga", "password_change": "Cambio de clave"}


@dataclass(frozen=True)
class AuditFilters:
    """Filters of the audit trail (all optional); dates are Chilean calendar days, inclusive."""

    username: str | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def _conditions(filters: AuditFilters) -> list:
    where = [AccessLog.role == "sec"]
    if filters.username:
        where.append(AccessLog.username == filters.username)
    if filters.action:
        where.append(AccessLog.action == filters.action)
    if filters.since:
        where.append(AccessLog.at >= dt.datetime.combine(filters.since, dt.time(), CHILE).astimezone(dt.timezone.utc))
    if filters.until:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), CHILE)
        where.append(AccessLog.at < end.astimezone(dt.timezone.utc))
    return where


def audit_entries(session: Session, actor: Actor, filters: AuditFilters, limit: int = MAX_ROWS) -> tuple[list[AccessLog], int]:
    """SEC users' accesses matching ``filters``, newest first; returns (rows, total)."""
    if actor.role != "sec":
        raise AccessDenied()
    where = _conditions(filters)
    total = session.scalar(select(func.count()).select_from(AccessLog).where(*where)) or 0
    rows = list(session.scalars(select(AccessLog).where(*where).order_by(AccessLog.at.desc(), AccessLog.id.desc())
                                .limit(limit)))
    return rows, total


def audit_choices(session: Session) -> tuple[list[str], list[str]]:
    """The SEC usernames and actions present in the log (for the filter menus)."""
    users = sorted(session.scalars(select(AccessLog.username).where(AccessLog.role == "sec").distinct()))
    actions = sorted(session.scalars(select(AccessLog.action).where(AccessLog.role == "sec").distinct()))
    return users, actions

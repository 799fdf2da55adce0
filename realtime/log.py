"""The LOG (Annex 6.3.3): failures with their nature, visible to the company and the regulator."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import RtLogEntry, SupervisedCompany

NATURES = {
    "dataset": "Creación de dataset",
    "connection": "Conexión",
    "validation": "Validación",
    "latency": "Latencia",
    "uncertain": "Calidad Incierto",
    "auth": "Credenciales",
    "maintenance": "Programa de mantenimiento",
}


def record(session: Session, company_id: int | None, nature: str, message: str, at: dt.datetime,
           detail: dict | None = None) -> RtLogEntry:
    """Append one LOG entry."""
    if nature not in NATURES:
        raise ValueError(f"unknown LOG nature {nature}")
    entry = RtLogEntry(company_id=company_id, at=at, nature=nature, message=message[:2000], detail=detail)
    session.add(entry)
    return entry


def entries(session: Session, actor: Actor, company_id: int | None = None, nature: str | None = None,
            limit: int = 200, offset: int = 0) -> tuple[list[RtLogEntry], int]:
    """LOG entries the actor may see (a company only its own), newest first, with the total."""
    query = select(RtLogEntry)
    if actor.role != "supervisor":
        company_id = actor.supervised_company_id if actor.supervised_company_id is not None else -1
    if company_id is not None:
        query = query.where(RtLogEntry.company_id == company_id)
    if nature:
        query = query.where(RtLogEntry.nature == nature)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(RtLogEntry.at.desc(), RtLogEntry.id.desc()).limit(limit).offset(offset)))
    return rows, total


def as_dict(entry: RtLogEntry, codes: dict[int, str]) -> dict:
    """JSON form of an entry."""
    return {"id": entry.id, "at": entry.at.isoformat() if entry.at else None, "company": codes.get(entry.company_id),
            "nature": entry.nature, "nature_label": NATURES.get(entry.nature, entry.nature), "message": entry.message,
            "detail": entry.detail}


def company_codes(session: Session) -> dict[int, str]:
    """Company id -> code."""
    return dict(session.execute(select(SupervisedCompany.id, SupervisedCompany.code)).all())

"""Alarm list (emergency first) and acknowledgement (who and when)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from auth.scope import AccessDenied, Actor, NotFound
from data.models import RtAlarm, RtInstallation, Signal, SupervisedCompany

SEVERITY_LABELS = {"emergency": "Emergencia", "high": "Alta", "normal": "Normal"}


def list_alarms(session: Session, actor: Actor, company_id: int | None = None, only_open: bool = False,
                limit: int = 200) -> list[dict]:
    """Alarms the actor may see: emergency first, then unacknowledged, then newest."""
    query = (select(RtAlarm, Signal, RtInstallation, SupervisedCompany)
             .join(Signal, Signal.id == RtAlarm.signal_id)
             .join(RtInstallation, RtInstallation.id == Signal.installation_id)
             .join(SupervisedCompany, SupervisedCompany.id == Signal.company_id))
    if actor.role != "supervisor":
        company_id = actor.supervised_company_id if actor.supervised_company_id is not None else -1
    if company_id is not None:
        query = query.where(Signal.company_id == company_id)
    if only_open:
        query = query.where(RtAlarm.cleared_at.is_(None))
    severity_rank = case((RtAlarm.severity == "emergency", 0), (RtAlarm.severity == "high", 1), else_=2)
    acked_rank = case((RtAlarm.acknowledged_at.is_(None), 0), else_=1)
    query = query.order_by(severity_rank, acked_rank, RtAlarm.raised_at.desc(), RtAlarm.id.desc()).limit(limit)
    out = []
    for alarm, signal, inst, company in session.execute(query):
        out.append({"id": alarm.id, "severity": alarm.severity, "severity_label": SEVERITY_LABELS.get(alarm.severity, alarm.severity),
                    "company": company.code, "installation": inst.name, "installation_id": inst.id,
                    "signal": signal.code, "message": alarm.message, "raised_at": alarm.raised_at,
                    "cleared_at": alarm.cleared_at, "acknowledged_at": alarm.acknowledged_at,
                    "acknowledged_by": alarm.acknowledged_by, "active": alarm.cleared_at is None})
    return out


def acknowledge(session: Session, actor: Actor, alarm_id: int, at: dt.datetime) -> RtAlarm:
    """Record who acknowledged an alarm and when (supervisors only; idempotent)."""
    if actor.role != "supervisor":
        raise AccessDenied("Sólo el supervisor del CSO reconoce alarmas.")
    alarm = session.get(RtAlarm, alarm_id)
    if alarm is None:
        raise NotFound()
    if alarm.acknowledged_at is None:
        alarm.acknowledged_at = at
        alarm.acknowledged_by = actor.username
        session.flush()
    return alarm

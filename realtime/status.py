"""Live status: the "Incierto" flag per company (Annex 6.3.2) and the map status per installation."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import ConnectionEvent, RtAlarm, RtInstallation, RtLogEntry, Sample, Signal, SupervisedCompany
from realtime import log
from realtime.clock import Clock, as_utc
from realtime.ingest import LINK_DOWN

UNCERTAIN_AFTER_S = 180  # "tres minutos como mínimo"
STATUS_LABELS = {"normal": "Normal", "alarm": "Alarma", "uncertain": "Incierto", "no_data": "Sin datos",
                 "link_down": "Sin comunicación"}
# Map colours (also used in the legend): normal green, alarm red, incierto amber, no data grey.
STATUS_COLORS = {"normal": "#198754", "alarm": "#dc3545", "uncertain": "#fd7e14", "no_data": "#6c757d",
                 "link_down": "#6c757d"}


@dataclass(frozen=True)
class CompanyStatus:
    """A company's live status."""

    company_id: int
    code: str
    status: str  # normal | alarm | uncertain | no_data | link_down
    last_measure_at: dt.datetime | None
    silent_seconds: float | None
    active_alarms: int

    @property
    def uncertain(self) -> bool:
        """True when the CSO assigns quality "Incierto" to the company's signals."""
        return self.status == "uncertain"


def _link(session: Session, company_id: int) -> tuple[bool, dt.datetime | None]:
    """(link currently down, time of the last link event)."""
    last = session.scalar(select(ConnectionEvent).where(ConnectionEvent.company_id == company_id)
                          .order_by(ConnectionEvent.at.desc(), ConnectionEvent.id.desc()).limit(1))
    if last is None:
        return False, None
    return last.kind in LINK_DOWN, as_utc(last.at)


def company_status(session: Session, company: SupervisedCompany, now: dt.datetime) -> CompanyStatus:
    """Status of one company at ``now``: a silent company with no recorded outage is "Incierto"."""
    last = session.scalar(select(func.max(Signal.last_received_at)).where(
        Signal.company_id == company.id, Signal.kind == "measure", Signal.under_maintenance.is_(False)))
    last = as_utc(last) if last is not None else None
    alarms = active_alarm_count(session, company.id)
    down, link_at = _link(session, company.id)
    if down:
        status = "link_down"
    elif last is None:
        status = "no_data"
    else:
        # An outage that ended after the last value restarts the 3-minute window.
        reference = max(last, link_at) if link_at is not None else last
        silent = (now - reference).total_seconds()
        status = "uncertain" if silent >= UNCERTAIN_AFTER_S else ("alarm" if alarms else "normal")
    silent_s = (now - last).total_seconds() if last is not None else None
    return CompanyStatus(company.id, company.code, status, last, silent_s, alarms)


def active_alarm_count(session: Session, company_id: int) -> int:
    """Alarms raised and not cleared."""
    return session.scalar(select(func.count(RtAlarm.id)).join(Signal, Signal.id == RtAlarm.signal_id).where(
        Signal.company_id == company_id, RtAlarm.cleared_at.is_(None))) or 0


def installation_statuses(session: Session, companies: list[SupervisedCompany], now: dt.datetime) -> dict[int, dict]:
    """Per installation: status, label, last receipt and counts, for the supervision map."""
    out: dict[int, dict] = {}
    for company in companies:
        cstatus = company_status(session, company, now)
        rows = session.execute(select(Signal.installation_id, func.max(Signal.last_received_at), func.count(Signal.id))
                               .where(Signal.company_id == company.id).group_by(Signal.installation_id)).all()
        alarmed = set(session.scalars(select(Signal.installation_id).join(RtAlarm, RtAlarm.signal_id == Signal.id)
                                      .where(Signal.company_id == company.id, RtAlarm.cleared_at.is_(None))))
        wrong = set(session.scalars(select(Signal.installation_id).join(Sample, Sample.signal_id == Signal.id).where(
            Signal.company_id == company.id, Sample.wrong_value.is_(True),
            Sample.received_ts >= now - dt.timedelta(minutes=10))))
        for inst_id, last, count in rows:
            last = as_utc(last) if last is not None else None
            if cstatus.status in ("link_down", "no_data") or last is None:
                status = "no_data"
            elif cstatus.status == "uncertain":
                status = "uncertain"
            elif inst_id in alarmed or inst_id in wrong:
                status = "alarm"
            else:
                status = "normal"
            out[inst_id] = {"status": status, "label": STATUS_LABELS[status], "color": STATUS_COLORS[status],
                            "last_received_at": last, "signals": count, "company_status": cstatus.status,
                            "alarms": inst_id in alarmed, "wrong_values": inst_id in wrong}
    return out


def sweep(session: Session, clock: Clock) -> list[CompanyStatus]:
    """Evaluate every company and write a LOG entry when one becomes "Incierto" (once per silence)."""
    now = clock.now()
    statuses = []
    for company in session.scalars(select(SupervisedCompany)):
        st = company_status(session, company, now)
        statuses.append(st)
        if st.uncertain and st.last_measure_at is not None:
            logged = session.scalar(select(func.count(RtLogEntry.id)).where(
                RtLogEntry.company_id == company.id, RtLogEntry.nature == "uncertain",
                RtLogEntry.at >= st.last_measure_at))
            if not logged:
                log.record(session, company.id, "uncertain",
                           f"Ninguna medida de {company.code} se actualiza desde hace {int(st.silent_seconds or 0)} s "
                           "sin interrupción de comunicaciones registrada: calidad Incierto.", now)
    return statuses


def installation_rows(session: Session, company_ids: list[int]) -> list[RtInstallation]:
    """Installations for the map."""
    return list(session.scalars(select(RtInstallation).where(RtInstallation.company_id.in_(company_ids))))

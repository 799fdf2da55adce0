"""Monthly maintenance schedules (Annex 6.1.4): reported within the first 10 days of the month."""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import MaintenanceWindow, RtInstallation, Signal, SupervisedCompany
from realtime import log
from realtime.availability import LIMA
from realtime.registry import require_supervisor_or_own

REPORT_DEADLINE_DAY = 10
CSV_COLUMNS = ("instalacion", "senal", "inicio", "fin", "nota")
MAX_ROWS = 2000


class ScheduleError(ValueError):
    """An unreadable schedule; ``problems`` lists line-level messages."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


def _local(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=LIMA)  # schedules are written in Lima time
    return value.astimezone(dt.timezone.utc)


def on_time(reported_on: dt.date, starts_at: dt.datetime) -> bool:
    """True when reported by day 10 of the maintenance month (or any earlier month)."""
    month = starts_at.astimezone(LIMA).date().replace(day=1)
    return reported_on < month or (reported_on.replace(day=1) == month and reported_on.day <= REPORT_DEADLINE_DAY)


def parse_csv(session: Session, company: SupervisedCompany, text: str) -> list[dict]:
    """Rows of a schedule CSV (columns instalacion, senal, inicio, fin, nota; ';' or ',')."""
    sample = text[:2000]
    dialect = csv.excel if sample.count(",") > sample.count(";") else csv.excel
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), dialect=dialect, delimiter=delimiter)
    missing = {"inicio", "fin"} - set(reader.fieldnames or [])
    if missing:
        raise ScheduleError([f"Faltan columnas: {', '.join(sorted(missing))} (se esperan {', '.join(CSV_COLUMNS)})."])
    installations = {i.code: i.id for i in session.scalars(select(RtInstallation).where(RtInstallation.company_id == company.id))}
    signals = {s.code: s for s in session.scalars(select(Signal).where(Signal.company_id == company.id))}
    rows, problems = [], []
    for n, row in enumerate(reader, start=2):
        if n > MAX_ROWS + 1:
            problems.append(f"Máximo {MAX_ROWS} filas.")
            break
        inst_code = (row.get("instalacion") or "").strip().upper()
        sig_code = (row.get("senal") or "").strip().upper()
        try:
            starts, ends = _local(row.get("inicio") or ""), _local(row.get("fin") or "")
        except ValueError:
            problems.append(f"Línea {n}: fechas inválidas (use AAAA-MM-DD HH:MM).")
            continue
        if ends <= starts:
            problems.append(f"Línea {n}: el fin debe ser posterior al inicio.")
            continue
        if sig_code and sig_code not in signals:
            problems.append(f"Línea {n}: señal desconocida {sig_code}.")
            continue
        if inst_code and inst_code not in installations:
            problems.append(f"Línea {n}: instalación desconocida {inst_code}.")
            continue
        if not inst_code and not sig_code:
            problems.append(f"Línea {n}: indique la instalación o la señal en mantenimiento.")
            continue
        rows.append({"installation_id": installations.get(inst_code) if not sig_code else None,
                     "signal_id": signals[sig_code].id if sig_code else None,
                     "starts_at": starts, "ends_at": ends, "note": (row.get("nota") or "").strip()[:300]})
    if problems:
        raise ScheduleError(problems)
    if not rows:
        raise ScheduleError(["El archivo no tiene filas."])
    return rows


def upload(session: Session, actor: Actor, company: SupervisedCompany, text: str, reported_on: dt.date,
           at: dt.datetime) -> list[MaintenanceWindow]:
    """Store a schedule; windows reported after day 10 of their month are kept but not excluded."""
    require_supervisor_or_own(actor, company.id)
    windows = []
    late = 0
    for row in parse_csv(session, company, text):
        accepted = on_time(reported_on, row["starts_at"])
        late += not accepted
        w = MaintenanceWindow(company_id=company.id, reported_on=reported_on, accepted=accepted, **row)
        session.add(w)
        windows.append(w)
    if late:
        log.record(session, company.id, "maintenance",
                   f"{late} mantenimiento(s) informados después del día {REPORT_DEADLINE_DAY} del mes: "
                   "no se excluyen del índice de disponibilidad.", at)
    session.flush()
    return windows


def list_windows(session: Session, actor: Actor, company: SupervisedCompany) -> list[MaintenanceWindow]:
    """A company's maintenance windows, newest first."""
    require_supervisor_or_own(actor, company.id)
    return list(session.scalars(select(MaintenanceWindow).where(MaintenanceWindow.company_id == company.id)
                                .order_by(MaintenanceWindow.starts_at.desc())))

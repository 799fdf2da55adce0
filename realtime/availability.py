"""Availability index per company and control period (Annex Art. 6.1) and the Appendix C tests.

For a company and a window W (a calendar semester in Lima time, clipped to the incorporation date
and to "now"), with S the company's measure and state signals:

    required(s)  = W − maintenance(s)            (accepted windows of s, its installation or the whole company)
    effective(s) = required(s) ∩ coverage(s)     (spans of valid receipts ≤ 3 min apart, measured at the CSO)
    index        = Σ_s |effective(s)| / Σ_s |required(s)|

The window is cut at the stage boundaries (incorporation + 6 and + 12 months); each stage part
is held to its own threshold: 75 %, 90 %, then 96 %. See docs/realtime.md.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import ConnectionEvent, MaintenanceWindow, Signal, SupervisedCompany, TransferCoverage
from realtime import intervals as iv
from realtime.clock import as_utc

LIMA = dt.timezone(dt.timedelta(hours=-5), "PET")  # Peru has no daylight saving time
STAGES = ((0, 6, 75.0, "Primera etapa"), (6, 12, 90.0, "Segunda etapa"), (12, None, 96.0, "Etapa objetivo"))
ACCEPTANCE_HOURS = 504
ACCEPTANCE_THRESHOLD = 75.0
RECONNECT_LIMIT_S = 10.0
MIN_STOP_START_CYCLES = 5


def lima_midnight(day: dt.date) -> dt.datetime:
    """00:00 Lima time of ``day`` as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(), LIMA).astimezone(dt.timezone.utc)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months (clamped to the month's last day)."""
    import calendar

    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def semester_bounds(year: int, half: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a control period: half 1 = January–June, 2 = July–December (Lima time)."""
    if half not in (1, 2):
        raise ValueError("semestre 1 o 2")
    start = dt.date(year, 1 if half == 1 else 7, 1)
    end = dt.date(year, 7, 1) if half == 1 else dt.date(year + 1, 1, 1)
    return lima_midnight(start), lima_midnight(end)


def semester_of(instant: dt.datetime) -> tuple[int, int]:
    """(year, half) containing ``instant`` in Lima time."""
    local = as_utc(instant).astimezone(LIMA)
    return local.year, 1 if local.month <= 6 else 2


def parse_semester(text: str | None, now: dt.datetime) -> tuple[int, int]:
    """``'2026-2'`` -> (2026, 2); the current semester when empty or invalid."""
    try:
        year, half = (int(p) for p in (text or "").split("-"))
        if half in (1, 2) and 2000 <= year <= 2100:
            return year, half
    except ValueError:
        pass
    return semester_of(now)


def stage_segments(incorporated_on: dt.date, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime, float, str]]:
    """The parts of [start, end) in each stage: (from, to, threshold %, stage name)."""
    out = []
    for first, last, threshold, name in STAGES:
        a = lima_midnight(add_months(incorporated_on, first))
        b = lima_midnight(add_months(incorporated_on, last)) if last is not None else end
        a, b = max(a, start), min(b, end)
        if a < b:
            out.append((a, b, threshold, name))
    return out


@dataclass
class Segment:
    """Availability of one stage part of the window."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    stage: str
    threshold: float
    required_s: float
    effective_s: float

    @property
    def index(self) -> float | None:
        """Percentage, or None when nothing was required."""
        return 100.0 * self.effective_s / self.required_s if self.required_s > 0 else None

    @property
    def compliant(self) -> bool | None:
        """Index at or above the stage threshold."""
        return None if self.index is None else self.index >= self.threshold - 1e-9


@dataclass
class AvailabilityReport:
    """The index of one company over one window, with stage parts and a daily series."""

    company_code: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    required_s: float
    effective_s: float
    excluded_s: float
    segments: list[Segment] = field(default_factory=list)
    daily: list[dict] = field(default_factory=list)

    @property
    def index(self) -> float | None:
        """Percentage over the whole window."""
        return 100.0 * self.effective_s / self.required_s if self.required_s > 0 else None

    @property
    def compliant(self) -> bool | None:
        """True when every stage part meets its threshold."""
        flags = [s.compliant for s in self.segments if s.compliant is not None]
        return None if not flags else all(flags)


def _signal_windows(session: Session, company: SupervisedCompany, start: dt.datetime, end: dt.datetime):
    signals = list(session.scalars(select(Signal).where(Signal.company_id == company.id, Signal.kind.in_(("measure", "state")))))
    ids = [s.id for s in signals]
    cover: dict[int, list] = {i: [] for i in ids}
    if ids:
        for c in session.scalars(select(TransferCoverage).where(TransferCoverage.signal_id.in_(ids),
                                                                TransferCoverage.ends_at > start,
                                                                TransferCoverage.starts_at < end)):
            cover[c.signal_id].append((as_utc(c.starts_at), as_utc(c.ends_at)))
    maint = list(session.scalars(select(MaintenanceWindow).where(
        MaintenanceWindow.company_id == company.id, MaintenanceWindow.accepted.is_(True),
        MaintenanceWindow.ends_at > start, MaintenanceWindow.starts_at < end)))
    out = []
    for s in signals:
        cut = iv.merge([(as_utc(m.starts_at), as_utc(m.ends_at)) for m in maint
                        if m.signal_id == s.id or (m.signal_id is None and m.installation_id in (None, s.installation_id))])
        out.append((s, iv.merge(cover[s.id]), cut))
    return out


def _measure(windows, start: dt.datetime, end: dt.datetime) -> tuple[float, float, float]:
    required = effective = excluded = 0.0
    for _s, cover, cut in windows:
        req = iv.subtract([(start, end)], iv.clip(cut, start, end))
        r = iv.total_seconds(req)
        required += r
        excluded += (end - start).total_seconds() - r
        effective += iv.total_seconds(iv.intersect(req, iv.clip(cover, start, end)))
    return required, effective, excluded


def availability(session: Session, company: SupervisedCompany, start: dt.datetime, end: dt.datetime,
                 now: dt.datetime, daily: bool = True) -> AvailabilityReport:
    """The availability index of ``company`` over [start, end) clipped to incorporation and ``now``."""
    incorporated = company.incorporated_on
    lo = max(start, lima_midnight(incorporated)) if incorporated else start
    hi = min(end, now)
    report = AvailabilityReport(company.code, lo, max(lo, hi), 0.0, 0.0, 0.0)
    if incorporated is None or hi <= lo:
        return report
    windows = _signal_windows(session, company, lo, hi)
    report.required_s, report.effective_s, report.excluded_s = _measure(windows, lo, hi)
    for a, b, threshold, name in stage_segments(incorporated, lo, hi):
        r, e, _x = _measure(windows, a, b)
        report.segments.append(Segment(a, b, name, threshold, r, e))
    if daily:
        day = lo.astimezone(LIMA).date()
        while lima_midnight(day) < hi:
            a, b = max(lo, lima_midnight(day)), min(hi, lima_midnight(day + dt.timedelta(days=1)))
            r, e, _x = _measure(windows, a, b)
            threshold = next((s.threshold for s in report.segments if s.starts_at <= a < s.ends_at), None)
            report.daily.append({"day": day, "index": 100.0 * e / r if r else None, "threshold": threshold})
            day += dt.timedelta(days=1)
    return report


def semester_availability(session: Session, company: SupervisedCompany, year: int, half: int,
                          now: dt.datetime) -> AvailabilityReport:
    """The index of a calendar semester (control period)."""
    start, end = semester_bounds(year, half)
    return availability(session, company, start, end, now)


@dataclass
class AcceptanceResult:
    """The 21-day (504 h) availability acceptance test of Appendix C 4."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    index: float | None
    finished: bool

    @property
    def verdict(self) -> str:
        """aprobada | rechazada | en curso."""
        if not self.finished:
            return "en curso"
        return "aprobada" if self.index is not None and self.index >= ACCEPTANCE_THRESHOLD else "rechazada"


def acceptance_test(session: Session, company: SupervisedCompany, start: dt.datetime, now: dt.datetime) -> AcceptanceResult:
    """Effective transfer over the 504 hours from ``start`` (≥ 75 % passes), measured at the CSO."""
    end = start + dt.timedelta(hours=ACCEPTANCE_HOURS)
    hi = min(end, now)
    if hi <= start:
        return AcceptanceResult(start, end, None, False)
    windows = _signal_windows(session, company, start, hi)
    required, effective, _x = _measure(windows, start, hi)
    return AcceptanceResult(start, end, 100.0 * effective / required if required else None, now >= end)


@dataclass
class LinkCycle:
    """One drop of the link and its re-establishment."""

    down_at: dt.datetime
    up_at: dt.datetime | None
    detail: str

    @property
    def seconds(self) -> float | None:
        """Time to reconnect."""
        return None if self.up_at is None else (self.up_at - self.down_at).total_seconds()


@dataclass
class LinkTests:
    """Appendix C 3.3 (reconnection ≤ 10 s) and 3.4 (≥ 5 stop/start cycles, automatic re-association)."""

    cycles: list[LinkCycle]

    @property
    def reconnection_ok(self) -> bool:
        """3.3: at least one drop, and every one re-established within 10 s."""
        return bool(self.cycles) and all(c.seconds is not None and c.seconds <= RECONNECT_LIMIT_S for c in self.cycles)

    @property
    def stability_ok(self) -> bool:
        """3.4: at least five stop/start cycles, each re-established automatically."""
        return len(self.cycles) >= MIN_STOP_START_CYCLES and all(c.up_at is not None for c in self.cycles)

    @property
    def max_seconds(self) -> float | None:
        """Slowest reconnection."""
        done = [c.seconds for c in self.cycles if c.seconds is not None]
        return max(done) if done else None


def link_tests(session: Session, company: SupervisedCompany, start: dt.datetime, end: dt.datetime) -> LinkTests:
    """Stop/start cycles from the connection events recorded in [start, end)."""
    from realtime.ingest import LINK_DOWN

    events = session.scalars(select(ConnectionEvent).where(
        ConnectionEvent.company_id == company.id, ConnectionEvent.at >= start, ConnectionEvent.at < end)
        .order_by(ConnectionEvent.at, ConnectionEvent.id))
    cycles: list[LinkCycle] = []
    for ev in events:
        at = as_utc(ev.at)
        if ev.kind in LINK_DOWN:
            if not cycles or cycles[-1].up_at is not None:
                cycles.append(LinkCycle(at, None, ev.detail))
        elif cycles and cycles[-1].up_at is None:
            cycles[-1].up_at = at
    return LinkTests(cycles)



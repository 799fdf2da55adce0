"""Retention: hourly rollups of measures, then raw samples older than the retention are purged.

Raw samples are kept ``raw_sample_retention_days`` (30 by default, Annex 3.1 d); beyond that the
per-signal hourly min / max / mean / last remain in ``rt_sample_rollups``. Grouping happens in
Python so the same code runs on SQLite and PostgreSQL (hour truncation differs between them).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data.models import Sample, SampleRollup, Signal
from realtime.clock import as_utc


@dataclass
class RetentionResult:
    """What a maintenance run did."""

    rolled_hours: int
    purged_samples: int


def floor_hour(value: dt.datetime) -> dt.datetime:
    """Start of the UTC hour containing ``value``."""
    return as_utc(value).replace(minute=0, second=0, microsecond=0)


def rollup(session: Session, until: dt.datetime) -> int:
    """Aggregate every complete hour before ``until`` not yet rolled up; returns rollup rows written."""
    end = floor_hour(until)
    last = session.scalar(select(func.max(SampleRollup.hour)))
    start = as_utc(last) + dt.timedelta(hours=1) if last is not None else None
    query = (select(Sample.signal_id, Sample.source_ts, Sample.value)
             .join(Signal, Signal.id == Sample.signal_id)
             .where(Signal.kind == "measure", Sample.source_ts < end, Sample.value.is_not(None),
                    Sample.wrong_value.is_(False))
             .order_by(Sample.signal_id, Sample.source_ts))
    if start is not None:
        query = query.where(Sample.source_ts >= start)
    groups: dict[tuple[int, dt.datetime], list[float]] = {}
    for signal_id, ts, value in session.execute(query).yield_per(5000):
        groups.setdefault((signal_id, floor_hour(ts)), []).append(value)
    for (signal_id, hour), values in groups.items():
        session.merge(SampleRollup(signal_id=signal_id, hour=hour, count=len(values), min_value=min(values),
                                   max_value=max(values), avg_value=sum(values) / len(values), last_value=values[-1]))
    session.flush()
    return len(groups)


def purge(session: Session, now: dt.datetime, retention_days: int) -> int:
    """Delete raw samples older than the retention (after they were rolled up)."""
    cutoff = as_utc(now) - dt.timedelta(days=retention_days)
    result = session.execute(delete(Sample).where(Sample.source_ts < cutoff))
    return result.rowcount or 0


def maintain(session: Session, now: dt.datetime, retention_days: int) -> RetentionResult:
    """Roll up complete hours, then purge expired raw samples."""
    rolled = rollup(session, now)
    return RetentionResult(rolled, purge(session, now, retention_days))


def history(session: Session, signal_id: int, start: dt.datetime, end: dt.datetime) -> list[SampleRollup]:
    """Hourly rollups of one signal in [start, end)."""
    return list(session.scalars(select(SampleRollup).where(SampleRollup.signal_id == signal_id,
                                                           SampleRollup.hour >= start, SampleRollup.hour < end)
                                .order_by(SampleRollup.hour)))

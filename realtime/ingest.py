"""Batch ingest: the data semantics of the norm applied to each time-stamped value.

One batch (an MQTT message or an HTTP POST) is processed in one transaction:
dedupe by message id (a redelivered QoS 1 message stores nothing twice), quality byte decoding,
per-company state mapping, negative flows marked wrong, the 1 % of nominal deadband, latency
against the 30 s limit, alarms raised/cleared, coverage spans for the availability index, and
every failure written to the LOG.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import RtAlarm, Sample, Signal, SupervisedCompany, TransferCoverage
from realtime import log, quality, states
from realtime.clock import Clock, as_utc, parse_ts

LATENCY_LIMIT_S = 30.0  # Art. 3.7: "El tiempo de envío no debe ser mayor a los 30 segundos."
DEADBAND_FRACTION = 0.01  # Annex 6.4 a): within 1 % of the nominal value.
COVERAGE_GAP_S = 180.0  # consecutive receipts further apart than the Incierto window break the span
FUTURE_TOLERANCE_S = 2.0  # a source time-stamp ahead of the CSO clock by more than this is invalid
MAX_READINGS = 5000
MAX_MESSAGE_ID = 60
LINK_DOWN = frozenset({"disconnected", "outage_start"})


class BatchError(ValueError):
    """A batch that cannot be processed at all (bad envelope)."""


@dataclass
class IngestResult:
    """What happened to a batch."""

    message_id: str
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    deadband: int = 0
    unchanged: int = 0
    wrong_values: int = 0
    late: int = 0
    rejected: int = 0
    max_latency_ms: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON form."""
        return dict(self.__dict__)


def _validate_envelope(payload) -> tuple[str, list]:
    if not isinstance(payload, dict):
        raise BatchError("El lote debe ser un objeto JSON.")
    mid = payload.get("message_id")
    readings = payload.get("readings")
    if not isinstance(mid, str) or not 1 <= len(mid) <= MAX_MESSAGE_ID or "/" in mid:
        raise BatchError(f"'message_id' debe ser un texto de 1 a {MAX_MESSAGE_ID} caracteres sin '/'.")
    if not isinstance(readings, list) or not 1 <= len(readings) <= MAX_READINGS:
        raise BatchError(f"'readings' debe ser una lista de 1 a {MAX_READINGS} lecturas.")
    return mid, readings


def ingest_batch(session: Session, company: SupervisedCompany, payload: dict, clock: Clock) -> IngestResult:
    """Process one batch of a company; the caller commits. Raises ``BatchError`` for a bad envelope."""
    received_at = clock.now()
    mid, readings = _validate_envelope(payload)
    result = IngestResult(message_id=mid, received=len(readings))
    sample_ids = [f"{company.code}/{mid}/{i}" for i in range(len(readings))]
    existing = set(session.scalars(select(Sample.message_id).where(Sample.message_id.in_(sample_ids))))
    if existing:
        # A redelivered message: what was stored the first time is not stored again.
        result.duplicates = len(existing)
    signals = {s.code: s for s in session.scalars(select(Signal).where(Signal.company_id == company.id))}
    last_samples = _last_samples(session, [s.id for s in signals.values()])
    coverage = _last_coverage(session, [s.id for s in signals.values()])
    problems: dict[str, list[str]] = {"validation": [], "dataset": []}
    late: list[tuple[str, int]] = []
    for index, reading in enumerate(readings):
        sample_id = sample_ids[index]
        if sample_id in existing:
            continue
        try:
            sample, signal, q = _decode(reading, signals, company, received_at)
        except (ValueError, KeyError, TypeError, states.StateError) as exc:
            result.rejected += 1
            problems["dataset" if isinstance(exc, KeyError) else "validation"].append(str(exc).strip("'\""))
            continue
        sample.message_id = sample_id
        result.max_latency_ms = max(result.max_latency_ms, sample.latency_ms)
        if sample.latency_ms > LATENCY_LIMIT_S * 1000:
            result.late += 1
            late.append((signal.code, sample.latency_ms))
        if signal.last_received_at is None or as_utc(signal.last_received_at) < received_at:
            signal.last_received_at = received_at
        if sample.wrong_value:
            result.wrong_values += 1
            problems["validation"].append(f"{signal.code}: flujo negativo ({sample.value}), valor errado")
        if sample.state == "00" and signal.kind == "state":
            problems["validation"].append(f"{signal.code}: estado 00 (error)")
        if q.is_valid and sample.timestamp_quality == "VALID" and not sample.wrong_value:
            _extend_coverage(session, coverage, signal.id, received_at)
        previous = last_samples.get(signal.id)
        if not _worth_storing(signal, sample, previous):
            if signal.kind == "measure":
                result.deadband += 1
            else:
                result.unchanged += 1
            continue
        session.add(sample)
        last_samples[signal.id] = sample
        result.stored += 1
        if signal.kind == "alarm":
            _alarm_transition(session, signal, sample, previous)
    _log_problems(session, company, result, problems, late, received_at)
    session.flush()
    return result


def _decode(reading: dict, signals: dict[str, Signal], company: SupervisedCompany, received_at: dt.datetime):
    if not isinstance(reading, dict):
        raise ValueError("lectura inválida (no es un objeto)")
    code = reading.get("code")
    if code not in signals:
        raise KeyError(f"Registro desconocido '{code}' para {company.code}")
    signal = signals[code]
    source_ts = parse_ts(reading.get("ts"))
    q = quality.decode(int(reading.get("quality", 0)))
    # Clamped to the INTEGER column (about 24.8 days): an old timestamp must not overflow it on PostgreSQL.
    latency_ms = max(-2**31, min(2**31 - 1, int(round((received_at - source_ts).total_seconds() * 1000))))
    ts_quality = q.timestamp_quality
    if latency_ms < -FUTURE_TOLERANCE_S * 1000:
        ts_quality = "INVALID"  # clock skew: the company's clock runs ahead of the CSO's
    sample = Sample(signal_id=signal.id, source_ts=source_ts, received_ts=received_at, validity=q.validity,
                    source=q.source, timestamp_quality=ts_quality, latency_ms=latency_ms, wrong_value=False)
    if signal.kind == "state":
        sample.state = states.to_norm(reading.get("state", reading.get("value")), company.state_mapping)
    elif signal.kind == "alarm":
        value = reading.get("value", reading.get("state"))
        if value not in (0, 1, True, False, "0", "1"):
            raise ValueError(f"{code}: valor de alarma inválido {value!r}")
        sample.value = 1.0 if value in (1, True, "1") else 0.0
    else:
        value = reading.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise ValueError(f"{code}: valor numérico inválido {value!r}")
        sample.value = float(value)
        # Appendix C 3.2: a negative flow is a wrong value (kept, marked, logged).
        sample.wrong_value = bool(signal.is_flow and sample.value < 0)
    return sample, signal, q


def _worth_storing(signal: Signal, sample: Sample, previous: Sample | None) -> bool:
    """Deadband for measures, change-only for states and alarms."""
    if previous is None or previous.validity != sample.validity or bool(previous.wrong_value) != sample.wrong_value:
        return True
    if signal.kind == "state":
        return previous.state != sample.state
    if signal.kind == "alarm":
        return previous.value != sample.value
    if sample.validity != "VALID" or not signal.nominal_value or previous.value is None:
        return True
    return abs(sample.value - previous.value) > DEADBAND_FRACTION * abs(signal.nominal_value)


def _alarm_transition(session: Session, signal: Signal, sample: Sample, previous: Sample | None) -> None:
    was_active = previous is not None and previous.value == 1.0
    if sample.value == 1.0 and not was_active:
        session.add(RtAlarm(signal_id=signal.id, raised_at=sample.source_ts,
                            severity="emergency" if signal.is_emergency else "high",
                            message=f"{signal.description} ({signal.code})"))
    elif sample.value == 0.0 and was_active:
        session.flush()
        open_alarm = session.scalar(select(RtAlarm).where(RtAlarm.signal_id == signal.id, RtAlarm.cleared_at.is_(None))
                                    .order_by(RtAlarm.raised_at.desc()))
        if open_alarm is not None:
            open_alarm.cleared_at = sample.source_ts


def _last_samples(session: Session, signal_ids: list[int]) -> dict[int, Sample]:
    if not signal_ids:
        return {}
    latest = select(func.max(Sample.id)).where(Sample.signal_id.in_(signal_ids)).group_by(Sample.signal_id)
    return {s.signal_id: s for s in session.scalars(select(Sample).where(Sample.id.in_(latest)))}


def _last_coverage(session: Session, signal_ids: list[int]) -> dict[int, TransferCoverage]:
    if not signal_ids:
        return {}
    latest = select(func.max(TransferCoverage.id)).where(TransferCoverage.signal_id.in_(signal_ids)) \
        .group_by(TransferCoverage.signal_id)
    return {c.signal_id: c for c in session.scalars(select(TransferCoverage).where(TransferCoverage.id.in_(latest)))}


def _extend_coverage(session: Session, coverage: dict[int, TransferCoverage], signal_id: int, at: dt.datetime) -> None:
    span = coverage.get(signal_id)
    if span is not None and 0 <= (at - as_utc(span.ends_at)).total_seconds() <= COVERAGE_GAP_S:
        span.ends_at = at
        return
    if span is not None and as_utc(span.starts_at) <= at <= as_utc(span.ends_at):
        return
    span = TransferCoverage(signal_id=signal_id, starts_at=at, ends_at=at)
    session.add(span)
    coverage[signal_id] = span


def _log_problems(session: Session, company: SupervisedCompany, result: IngestResult, problems: dict[str, list[str]],
                  late: list[tuple[str, int]], at: dt.datetime) -> None:
    for nature, items in problems.items():
        if items:
            shown = "; ".join(items[:5]) + (f"; y {len(items) - 5} más" if len(items) > 5 else "")
            log.record(session, company.id, nature, f"Lote {result.message_id}: {len(items)} problema(s): {shown}", at,
                       {"message_id": result.message_id, "count": len(items), "items": items[:50]})
            result.errors.extend(items[:20])
    if late:
        worst = max(ms for _c, ms in late)
        log.record(session, company.id, "latency",
                   f"Lote {result.message_id}: {len(late)} muestra(s) con latencia mayor a 30 s (máx. {worst / 1000:.1f} s)",
                   at, {"message_id": result.message_id, "count": len(late), "max_latency_ms": worst})


def record_connection(session: Session, company: SupervisedCompany, kind: str, at: dt.datetime, detail: str = "") -> bool:
    """Record a link event unless it repeats the company's last one (retained status messages repeat)."""
    from data.models import ConnectionEvent

    if kind not in ("connected", "disconnected", "outage_start", "outage_end"):
        raise ValueError(f"tipo de evento desconocido: {kind}")
    last = session.scalar(select(ConnectionEvent).where(ConnectionEvent.company_id == company.id)
                          .order_by(ConnectionEvent.at.desc(), ConnectionEvent.id.desc()).limit(1))
    if last is not None and (last.kind in LINK_DOWN) == (kind in LINK_DOWN):
        return False
    session.add(ConnectionEvent(company_id=company.id, at=at, kind=kind, detail=detail[:300]))
    if kind in LINK_DOWN:
        log.record(session, company.id, "connection", f"Enlace caído: {detail or kind}", at)
    session.flush()
    return True

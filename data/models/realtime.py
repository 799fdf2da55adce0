"""OSINERGMIN 248-2016-OS/CD real-time supervision: companies, installations, signals, samples."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import Base, BigId, LocatedMixin, TimestampMixin, utcnow


class SupervisedCompany(TimestampMixin, Base):
    """A natural-gas company supervised in real time by the CSO."""

    __tablename__ = "rt_companies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # mnemonic prefix, e.g. TGP
    name: Mapped[str] = mapped_column(String(200))
    ruc: Mapped[str] = mapped_column(String(11))
    activity: Mapped[str] = mapped_column(String(16))  # exploitation | processing | transport
    domain: Mapped[str] = mapped_column(String(120))  # corporate e-mail domain
    incorporated_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # start of stage 1
    state_mapping: Mapped[dict] = mapped_column(JSON, default=dict)  # company code -> norm code
    status: Mapped[str] = mapped_column(String(16), default="registered")


class RtInstallation(LocatedMixin, Base):
    """An installation of a supervised company (lote, planta, estación, válvula, punto de entrega)."""

    __tablename__ = "rt_installations"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("rt_companies.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))


class Signal(Base):
    """A real-time point: a measurement, a state or an alarm, named by the mnemonic convention."""

    __tablename__ = "rt_signals"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("rt_companies.id"), index=True)
    installation_id: Mapped[int] = mapped_column(ForeignKey("rt_installations.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))  # measure | state | alarm
    variable: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16), default="")
    nominal_value: Mapped[Optional[float]] = mapped_column(Float)
    group: Mapped[str] = mapped_column(String(40), default="")
    is_flow: Mapped[bool] = mapped_column(Boolean, default=False)
    is_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    under_maintenance: Mapped[bool] = mapped_column(Boolean, default=False)
    # Last receipt of any update, also when the deadband kept it out of rt_samples ("Incierto" watch).
    last_received_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))


class Sample(Base):
    """A stored time-stamped value with its quality flags."""

    __tablename__ = "rt_samples"
    __table_args__ = (Index("ix_rt_samples_signal_ts", "signal_id", "source_ts"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("rt_signals.id"))
    source_ts: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    received_ts: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    value: Mapped[Optional[float]] = mapped_column(Float)
    state: Mapped[Optional[str]] = mapped_column(String(2))  # norm code 10/01/11/00
    validity: Mapped[str] = mapped_column(String(8))  # VALID | HELD | SUSPECT | NOTVALID
    source: Mapped[str] = mapped_column(String(12))  # TELEMETERED | ENTERED | CALCULATED | ESTIMATED
    timestamp_quality: Mapped[str] = mapped_column(String(8), default="VALID")
    wrong_value: Mapped[bool] = mapped_column(Boolean, default=False)
    latency_ms: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[Optional[str]] = mapped_column(String(80), unique=True)


class SampleRollup(Base):
    """Downsampled history (per signal and hour) kept beyond the raw retention."""

    __tablename__ = "rt_sample_rollups"
    signal_id: Mapped[int] = mapped_column(ForeignKey("rt_signals.id"), primary_key=True)
    hour: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    min_value: Mapped[Optional[float]] = mapped_column(Float)
    max_value: Mapped[Optional[float]] = mapped_column(Float)
    avg_value: Mapped[Optional[float]] = mapped_column(Float)
    last_value: Mapped[Optional[float]] = mapped_column(Float)


class ConnectionEvent(Base):
    """A link event of a company: connect, disconnect, outage start/end."""

    __tablename__ = "rt_connection_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("rt_companies.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # connected | disconnected | outage_start | outage_end
    detail: Mapped[str] = mapped_column(String(300), default="")


class RtAlarm(Base):
    """An alarm raised by a signal, acknowledged by a supervisor."""

    __tablename__ = "rt_alarms"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("rt_signals.id"), index=True)
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    cleared_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    severity: Mapped[str] = mapped_column(String(12))  # emergency | high | normal
    message: Mapped[str] = mapped_column(String(300))
    acknowledged_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[Optional[str]] = mapped_column(String(64))


class MaintenanceWindow(Base):
    """Scheduled maintenance of a signal's equipment, reported in the first 10 days of a month."""

    __tablename__ = "rt_maintenance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("rt_companies.id"), index=True)
    signal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rt_signals.id"))
    installation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rt_installations.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reported_on: Mapped[dt.date] = mapped_column(Date)
    accepted: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(300), default="")


class ConnectionForm(TimestampMixin, Base):
    """The 'Formulario de conexión al sistema' (Appendix A) and its approval workflow."""

    __tablename__ = "rt_connection_forms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("rt_companies.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="submitted")  # submitted | approved | rejected
    reviewed_by: Mapped[Optional[str]] = mapped_column(String(64))
    reviewed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str] = mapped_column(Text, default="")
    server_config: Mapped[Optional[dict]] = mapped_column(JSON)  # Appendix B, issued on approval


class RtLogEntry(Base):
    """A failure record (dataset creation, connection, validation) visible to company and regulator."""

    __tablename__ = "rt_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rt_companies.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    nature: Mapped[str] = mapped_column(String(24))  # dataset | connection | validation | latency
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[Optional[dict]] = mapped_column(JSON)


class TransferCoverage(Base):
    """A span of effective transfer of one signal: consecutive valid receipts no more than 3 minutes apart.

    The availability index integrates these spans; they are kept even when the deadband keeps the
    values themselves out of ``rt_samples``.
    """

    __tablename__ = "rt_coverage"
    __table_args__ = (Index("ix_rt_coverage_signal_end", "signal_id", "ends_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("rt_signals.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

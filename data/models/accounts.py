"""Users, their supplies, API tokens, and the access and change logs."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.models.base import Base, BigId, TimestampMixin, utcnow

ROLES = ("public", "client", "eg_client", "sec", "operator", "supervisor")


class User(TimestampMixin, Base):
    """A person who signs in; ``role`` is one of ``ROLES``."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    rut: Mapped[Optional[str]] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), index=True)
    company_id: Mapped[Optional[int]] = mapped_column(ForeignKey("companies.id"))  # operators
    supervised_company_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rt_companies.id"))  # gas operators
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    session_version: Mapped[int] = mapped_column(Integer, default=0)  # bump to revoke sessions
    supplies: Mapped[list["UserSupply"]] = relationship(cascade="all, delete-orphan")


class UserSupply(Base):
    """A supply (client) a client user may view."""

    __tablename__ = "user_supplies"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True, index=True)


class ApiToken(Base):
    """A hashed API token: a company's exchange token or a user's personal token."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(12), unique=True)  # shown to identify it
    token_hash: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(16))  # exchange | personal | realtime
    company_id: Mapped[Optional[int]] = mapped_column(ForeignKey("companies.id"))
    supervised_company_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rt_companies.id"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))


class AccessLog(Base):
    """One access by a user: who, what, when (also the SEC audit trail)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_user_at", "user_id", "at"), Index("ix_access_log_role_at", "role", "at"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    ip: Mapped[str] = mapped_column(String(45), default="")
    action: Mapped[str] = mapped_column(String(40))  # login | logout | view | download | search ...
    target: Mapped[str] = mapped_column(String(300), default="")  # path or view name
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[str] = mapped_column(Text, default="")


class ChangeLog(Base):
    """Every data change, in order; ``id`` is the cursor served to downstream consumers."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_company_id", "company_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # No foreign key: the log is append-only and written only by the exchange engine with the batch's
    # authenticated company; a per-row check cost a third of a 10,000-change write (migration 0008).
    company_id: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(40))
    op: Mapped[str] = mapped_column(String(8))  # insert | update | delete
    key: Mapped[str] = mapped_column(String(120))
    data: Mapped[Optional[dict]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(60), default="")  # batch id, load id or user
    actor: Mapped[str] = mapped_column(String(64), default="")


class ExchangeBatch(Base):
    """A daily delta batch received from a company (§6.2)."""

    __tablename__ = "exchange_batches"
    __table_args__ = (UniqueConstraint("company_id", "batch_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    batch_id: Mapped[str] = mapped_column(String(80))
    sequence: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))  # accepted | rejected
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    operations: Mapped[int] = mapped_column(Integer, default=0)
    receipt: Mapped[Optional[dict]] = mapped_column(JSON)
    errors: Mapped[Optional[list]] = mapped_column(JSON)


class InitialLoad(Base):
    """An initial full load of one company's data (§6.1)."""

    __tablename__ = "initial_loads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    source: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))  # running | loaded | rejected
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    sizing: Mapped[Optional[dict]] = mapped_column(JSON)
    errors: Mapped[Optional[list]] = mapped_column(JSON)


class CaptchaUse(Base):
    """A solved captcha challenge, kept until it expires so it cannot be replayed."""

    __tablename__ = "captcha_uses"
    signature: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)

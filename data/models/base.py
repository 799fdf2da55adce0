"""Declarative base and shared column mixins."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Float, Integer, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER (rowid alias) on SQLite: needed for autoincrement on both.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Base class of every ORM entity."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    """Timezone-aware current UTC time."""
    return dt.datetime.now(dt.timezone.utc)


class TimestampMixin:
    """Creation/update timestamps maintained by the database."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class LocatedMixin:
    """A location exactly as the company records it: x, y, datum and UTM zone.

    Coordinates are never rewritten; ``geo.crs`` reprojects them on the way out.
    """

    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    datum: Mapped[str] = mapped_column(String(16))  # WGS84 | SIRGAS2002 | SIRGAS2016 | PSAD56 | SAD69
    zone: Mapped[str] = mapped_column(String(4))  # 18S | 19S | 12S

"""Injectable clocks: the system clock in production, a manual one in tests and simulations."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol

UTC = dt.timezone.utc


class Clock(Protocol):
    """Anything with ``now() -> aware UTC datetime``."""

    def now(self) -> dt.datetime:  # pragma: no cover - protocol
        """The current instant (timezone-aware, UTC)."""


class SystemClock:
    """The wall clock."""

    def now(self) -> dt.datetime:
        """The current UTC instant."""
        return dt.datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told (thread-safe: the MQTT thread reads it)."""

    def __init__(self, start: dt.datetime):
        self._now = as_utc(start)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        """The frozen instant."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> dt.datetime:
        """Move forward by ``seconds``; returns the new instant."""
        with self._lock:
            self._now += dt.timedelta(seconds=seconds)
            return self._now

    def set(self, instant: dt.datetime) -> None:
        """Jump to ``instant``."""
        with self._lock:
            self._now = as_utc(instant)


def as_utc(value: dt.datetime) -> dt.datetime:
    """Naive datetimes are UTC (SQLite returns them naive); aware ones are converted."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_ts(value) -> dt.datetime:
    """An ISO 8601 string or epoch seconds as an aware UTC datetime (ValueError otherwise)."""
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, str):
        return as_utc(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    raise ValueError(f"marca de tiempo inválida: {value!r}")

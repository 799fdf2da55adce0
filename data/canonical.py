"""A canonical, order-independent hash of the database content (for determinism and no-partial-data tests)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import Connection, select

from data.models import Base

VOLATILE = {"created_at", "updated_at"}
SKIP_TABLES = {"alembic_version"}


def _norm(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def table_hash(conn: Connection, name: str) -> str:
    """SHA-256 of one table's rows ordered by primary key, volatile columns excluded."""
    table = Base.metadata.tables[name]
    cols = [c for c in table.columns if c.name not in VOLATILE]
    digest = hashlib.sha256()
    order = list(table.primary_key.columns) or cols
    for row in conn.execute(select(*cols).order_by(*order)):
        digest.update(json.dumps([_norm(v) for v in row], default=str, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def database_hash(conn: Connection, tables: list[str] | None = None) -> str:
    """Combined hash of ``tables`` (default: every table of the model)."""
    names = tables or [t.name for t in Base.metadata.sorted_tables if t.name not in SKIP_TABLES]
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(f"{name}:{table_hash(conn, name)}\n".encode())
    return digest.hexdigest()

"""The bulk loader: dropping and rebuilding indexes and foreign keys around COPY changes nothing but speed."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from data.canonical import database_hash
from data.db import Database
from data.migrate import upgrade
from data.seed import writer
from data.seed.generator import generate
from data.seed.profiles import get_profile
from data.seed.writer import write_frames

AS_OF = dt.date(2026, 10, 1)


def schema_signature(conn) -> list[str]:
    """Every index and constraint definition of the database, sorted (what a migration created)."""
    if conn.dialect.name == "postgresql":
        indexes = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")).scalars()
        constraints = conn.execute(text(
            "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace")).scalars()
        return sorted([*indexes, *constraints])
    return sorted(conn.execute(text("SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master "
                                    "WHERE type IN ('index', 'table')")).scalars())


@pytest.fixture(scope="module")
def tiny_frames():
    return generate(get_profile("tiny"), 5, AS_OF)


def _load(backend, name, frames, monkeypatch, bulk: bool):
    monkeypatch.setattr(writer, "BULK_MIN_ROWS", 0 if bulk else 10**12)
    url = backend.empty(name)
    upgrade(url)
    db = Database(url)
    with db.engine.connect() as conn:
        migrated = schema_signature(conn)
    with db.engine.begin() as conn:
        write_frames(conn, frames)
    return db, migrated


def test_bulk_path_gives_the_same_rows_and_the_same_schema(backend, tiny_frames, monkeypatch):
    bulk_db, migrated = _load(backend, "bulk_a", tiny_frames, monkeypatch, bulk=True)
    plain_db, _ = _load(backend, "bulk_b", tiny_frames, monkeypatch, bulk=False)
    with bulk_db.engine.connect() as a, plain_db.engine.connect() as b:
        assert schema_signature(a) == migrated  # every index and foreign key is back, exactly as migrated
        assert database_hash(a) == database_hash(b)
        assert a.execute(text("SELECT COUNT(*) FROM client_monthly")).scalar() > 0
    bulk_db.engine.dispose()
    plain_db.engine.dispose()


def test_rebuilt_foreign_keys_validate_the_loaded_rows(backend, tiny_frames, monkeypatch):
    """A dangling reference fails the load when the constraint is recreated, and nothing stays written."""
    broken = dict(tiny_frames)
    monthly = broken["client_monthly"].copy()
    monthly.loc[monthly.index[0], "client_id"] = 10**9  # no such client
    broken["client_monthly"] = monthly
    monkeypatch.setattr(writer, "BULK_MIN_ROWS", 0)
    url = backend.empty("bulk_fk")
    upgrade(url)
    db = Database(url)
    with db.engine.connect() as conn:
        migrated = schema_signature(conn)
    # PostgreSQL refuses it when the constraint is re-added; SQLite (foreign_keys=ON) at the insert.
    with pytest.raises(Exception, match="(?i)foreign key"):
        with db.engine.begin() as conn:
            write_frames(conn, broken)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM clients")).scalar() == 0
        assert schema_signature(conn) == migrated
    db.engine.dispose()

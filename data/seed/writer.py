"""Bulk-load generated frames: PostgreSQL ``COPY`` from CSV chunks, SQLite ``executemany`` of tuples.

Row-by-row ORM inserts would take hours at the large profile (38 M monthly rows). Here:

* each chunk is serialised by Arrow's C++ CSV writer (``pyarrow.csv``), in a producer thread, while
  the driver streams the previous chunk to the server: formatting and ``COPY`` overlap on two cores;
* secondary indexes and foreign keys of the tables being loaded are dropped first and rebuilt once at
  the end (``bulk_constraints``): one sorted index build and one anti-join per foreign key instead of
  38 M index insertions and trigger calls. Everything stays inside the caller's transaction, so an
  interrupted load leaves the database exactly as it was.
"""
from __future__ import annotations

import datetime as dt
import queue
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, text

from data.models import Base

# Parents before children.
LOAD_ORDER = (
    "regions", "comunas", "companies", "company_comunas", "vnr_codes", "substations", "power_transformers",
    "feeders", "feeder_demands", "poles", "spans", "distribution_transformers", "transformer_demands",
    "equipment", "equipment_history", "pmgds", "connection_applications", "clients", "client_monthly",
    "generation_installations", "eg_injections", "surplus_credits", "invoices", "invoice_lines",
    "injection_annexes", "meters", "meter_registers", "connection_documents",
)
CHUNK = 250_000
BULK_MIN_ROWS = 50_000  # below this many rows in all, dropping and rebuilding constraints is not worth it
# progress(label, rows): ``rows`` were just written to table ``label`` (0 for a phase without rows).
Progress = Callable[[str, int], None]


def table_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame restricted to the table's columns; integer columns with NULLs as nullable ints."""
    table = Base.metadata.tables[name]
    cols = [c.name for c in table.columns if c.name in frame.columns]
    sub = frame[cols].copy()
    for column in table.columns:
        if column.name in sub and column.type.python_type is int and sub[column.name].dtype.kind == "f":
            sub[column.name] = sub[column.name].astype("Int64")
    return sub


def write_frames(conn: Connection, frames: dict[str, pd.DataFrame], progress: Progress | None = None) -> dict[str, int]:
    """Insert every frame in dependency order inside the caller's transaction; returns row counts."""
    counts = {}
    postgres = conn.dialect.name == "postgresql"
    names = [n for n in LOAD_ORDER if n in frames]
    big = sum(len(frames[n]) for n in names) >= BULK_MIN_ROWS
    with bulk_constraints(conn, names, enabled=big, progress=progress):
        for name in names:
            sub = table_frame(name, frames[name])
            if postgres:
                _copy_table(conn, name, sub, progress)
            else:
                for start in range(0, len(sub), CHUNK):
                    part = sub.iloc[start:start + CHUNK]
                    _sqlite_chunk(conn, name, part)
                    if progress:
                        progress(name, len(part))
            counts[name] = len(sub)
    if postgres:
        reset_sequences(conn)
        conn.execute(text("ANALYZE"))
    return counts


# --- constraints around a bulk load ---------------------------------------------------------------
@contextmanager
def bulk_constraints(conn: Connection, tables: list[str], enabled: bool = True,
                     progress: Progress | None = None) -> Iterator[None]:
    """Drop the secondary indexes and foreign keys touching ``tables`` and recreate them afterwards.

    The definitions are read back from the database itself (``pg_get_indexdef`` /
    ``pg_get_constraintdef``, ``sqlite_master``), so whatever the migrations created is restored
    exactly. Primary keys and unique constraints stay: they are what the load itself must respect.
    Recreating a foreign key validates every loaded row, so nothing is trusted blindly.
    """
    if not enabled:
        yield
        return
    if conn.dialect.name == "postgresql":
        restore = _pg_drop(conn, tables)
        conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    else:
        restore = _sqlite_drop(conn, tables)
    yield
    for i, statement in enumerate(restore, 1):
        if progress:
            progress(f"índices y claves foráneas {i}/{len(restore)}", 0)
        conn.exec_driver_sql(statement)


def _pg_drop(conn: Connection, tables: list[str]) -> list[str]:
    """Drop FKs (from or to the tables) and non-unique secondary indexes; return the DDL that restores them."""
    fks = conn.execute(text(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace "
        "AND (c.conrelid::regclass::text = ANY(:t) OR c.confrelid::regclass::text = ANY(:t)) ORDER BY 1, 2"),
        {"t": tables}).all()
    indexes = conn.execute(text(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE n.nspname = 'public' AND t.relname = ANY(:t) AND NOT i.indisprimary AND NOT i.indisunique "
        "ORDER BY 1"), {"t": tables}).all()
    for table, name, _ in fks:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.exec_driver_sql(f"DROP INDEX {name}")
    return [ddl for _, ddl in indexes] + [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}' for table, name, ddl in fks]


def _sqlite_drop(conn: Connection, tables: list[str]) -> list[str]:
    """SQLite: drop the explicit secondary indexes (foreign keys are part of the table definition there).

    pysqlite opens a transaction only before DML, so DDL would otherwise commit on its own: an explicit
    BEGIN makes the drops part of the load's transaction (rolled back with it).
    """
    raw = conn.connection.driver_connection
    if not raw.in_transaction:
        raw.execute("BEGIN")
    rows = conn.execute(text(
        "SELECT m.name, m.sql FROM sqlite_master m WHERE m.type = 'index' AND m.sql IS NOT NULL "
        "AND m.tbl_name IN (SELECT value FROM json_each(:t)) AND m.sql NOT LIKE 'CREATE UNIQUE%' ORDER BY m.name"),
        {"t": __import__("json").dumps(tables)}).all()
    for name, _ in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


# --- PostgreSQL: COPY with formatting and streaming overlapped -------------------------------------
def _arrow_table(part: pd.DataFrame) -> pa.Table:
    """A chunk as an Arrow table whose CSV text PostgreSQL reads back exactly (dates ISO, UTC instants)."""
    columns = {}
    for name in part.columns:
        values = part[name]
        if values.dtype.kind == "M":
            arr = pa.array(values.dt.tz_convert("UTC") if values.dt.tz is not None else values,
                           type=pa.timestamp("us", tz="UTC"))
        elif values.dtype == object:
            sample = values.dropna()
            first = sample.iloc[0] if len(sample) else None
            if isinstance(first, dt.datetime):
                arr = pa.array(pd.to_datetime(values, utc=True), type=pa.timestamp("us", tz="UTC"))
            elif isinstance(first, dt.date):
                arr = pa.array(values, type=pa.date32())
            else:
                arr = pa.array(values, from_pandas=True)
        else:
            arr = pa.array(values, from_pandas=True)
        columns[name] = arr
    return pa.table(columns)


_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")


def _csv_chunks(frame: pd.DataFrame) -> Iterator[bytes]:
    for start in range(0, len(frame), CHUNK):
        sink = pa.BufferOutputStream()
        pacsv.write_csv(_arrow_table(frame.iloc[start:start + CHUNK]), sink, _CSV_OPTIONS)
        yield sink.getvalue().to_pybytes()


def _copy_table(conn: Connection, name: str, frame: pd.DataFrame, progress: Progress | None) -> None:
    """COPY a whole table: a thread formats chunk n+1 (Arrow releases the GIL) while chunk n streams.

    Every valid value is quoted, so an unquoted empty field is NULL and a quoted one an empty string.
    """
    if frame.empty:
        return
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    chunks: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for chunk in _csv_chunks(frame):
                chunks.put(chunk)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the loading thread
            failure.append(exc)
        finally:
            chunks.put(None)

    worker = threading.Thread(target=produce, name=f"csv-{name}", daemon=True)
    worker.start()
    raw = conn.connection.driver_connection
    done = 0
    with raw.cursor() as cur, cur.copy(f'COPY "{name}" ({columns}) FROM STDIN WITH (FORMAT csv)') as copy:
        while (chunk := chunks.get()) is not None:
            copy.write(chunk)
            if progress:
                progress(name, min(CHUNK, len(frame) - done))
            done += CHUNK
    worker.join()
    if failure:
        raise failure[0]


# --- SQLite ------------------------------------------------------------------------------------------
def _sqlite_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dt.datetime):
        # SQLAlchemy's SQLite DateTime storage format (naive UTC wall time).
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _sqlite_column(values: pd.Series) -> list:
    """A column as Python values sqlite3 binds directly (vectorised for numbers and repeated dates)."""
    kind = values.dtype.kind
    if kind in "iu":
        return values.to_numpy().tolist()
    if kind == "f":
        return [None if v != v else v for v in values.to_numpy().tolist()]
    if kind == "b":
        return values.to_numpy().astype(np.int64).tolist()
    if values.dtype == object:
        sample = values.dropna()
        if len(sample) and type(sample.iloc[0]) is dt.date:
            # Monthly rows repeat a few dozen dates: format each distinct date once.
            text_of = {d: d.isoformat() for d in pd.unique(sample)}
            return [text_of.get(v) for v in values.tolist()]
    return [_sqlite_value(v) for v in values.tolist()]


def _sqlite_chunk(conn: Connection, name: str, part: pd.DataFrame) -> None:
    columns = list(part.columns)
    placeholders = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) VALUES ({placeholders})'
    arrays = [_sqlite_column(part[column]) for column in columns]
    raw = conn.connection.driver_connection
    raw.executemany(sql, zip(*arrays))


def reset_sequences(conn: Connection) -> None:
    """After explicit ids, move PostgreSQL sequences past the max id."""
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false) "
                f"WHERE pg_get_serial_sequence('{table.name}', '{pk[0].name}') IS NOT NULL"))

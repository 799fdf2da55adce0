"""Bulk-load generated frames: PostgreSQL ``COPY`` from CSV chunks, SQLite ``executemany`` of tuples.

Row-by-row ORM inserts would take hours at the large profile (36 M monthly rows); here pandas
serialises each chunk in C and the driver streams it (COPY) or binds tuples (sqlite3).
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Callable

import numpy as np
import pandas as pd
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
    for name in LOAD_ORDER:
        if name not in frames:
            continue
        sub = table_frame(name, frames[name])
        for start in range(0, len(sub), CHUNK):
            part = sub.iloc[start:start + CHUNK]
            (_copy_chunk if postgres else _sqlite_chunk)(conn, name, part)
            if progress and len(sub) > CHUNK:
                progress(f"{name} {min(start + CHUNK, len(sub)):,}/{len(sub):,}", len(part))
        counts[name] = len(sub)
        if progress:
            progress(name, len(sub))
    if postgres:
        reset_sequences(conn)
        conn.execute(text("ANALYZE"))
    return counts


def _copy_chunk(conn: Connection, name: str, part: pd.DataFrame) -> None:
    buffer = io.StringIO()
    part.to_csv(buffer, index=False, header=False, na_rep="\\N", date_format="%Y-%m-%d %H:%M:%S%z")
    columns = ", ".join(f'"{c}"' for c in part.columns)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        with cur.copy(f"COPY \"{name}\" ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
            copy.write(buffer.getvalue())


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


def _sqlite_chunk(conn: Connection, name: str, part: pd.DataFrame) -> None:
    columns = list(part.columns)
    placeholders = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) VALUES ({placeholders})'
    arrays = []
    for column in columns:
        values = part[column]
        kind = values.dtype.kind
        if kind in "iu":
            arrays.append(values.to_numpy().tolist())
        elif kind == "f":
            arr = values.to_numpy()
            arrays.append([None if v != v else v for v in arr.tolist()])
        elif kind == "b":
            arrays.append([int(v) for v in values.to_numpy().tolist()])
        else:
            arrays.append([_sqlite_value(v) for v in values.tolist()])
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

"""Bulk-load generated frames into the database (Core executemany; PostgreSQL COPY)."""
from __future__ import annotations

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
CHUNK = 50_000


def table_records(name: str, frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """The frame restricted to the table's columns, NaN as NULL."""
    table = Base.metadata.tables[name]
    cols = [c.name for c in table.columns if c.name in frame.columns]
    sub = frame[cols].copy()
    for column in table.columns:
        # NaN forces float dtype on integer columns with NULLs (e.g. spans.from_pole_id).
        if column.name in sub and column.type.python_type is int and sub[column.name].dtype.kind == "f":
            sub[column.name] = sub[column.name].astype("Int64")
    return cols, sub


def write_frames(conn: Connection, frames: dict[str, pd.DataFrame], progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Insert every frame in dependency order inside the caller's transaction; returns row counts."""
    counts = {}
    use_copy = conn.dialect.name == "postgresql"
    for name in LOAD_ORDER:
        if name not in frames:
            continue
        cols, sub = table_records(name, frames[name])
        if use_copy:
            _copy(conn, name, cols, sub)
        else:
            table = Base.metadata.tables[name]
            stmt = table.insert()
            for start in range(0, len(sub), CHUNK):
                part = sub.iloc[start:start + CHUNK]
                conn.execute(stmt, _records(part))
        counts[name] = len(sub)
        if progress:
            progress(name, len(sub))
    if use_copy:
        reset_sequences(conn)
    return counts


def _records(frame: pd.DataFrame) -> list[dict]:
    obj = frame.astype(object).where(frame.notna(), None)
    return [{k: _py(v) for k, v in row.items()} for row in obj.to_dict("records")]


def _py(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _copy(conn: Connection, name: str, cols: list[str], frame: pd.DataFrame) -> None:
    """Stream a frame through PostgreSQL COPY (text format)."""
    raw = conn.connection.driver_connection
    column_list = ", ".join(f'"{c}"' for c in cols)
    with raw.cursor() as cur:
        with cur.copy(f'COPY "{name}" ({column_list}) FROM STDIN') as copy:
            for start in range(0, len(frame), CHUNK):
                part = frame.iloc[start:start + CHUNK]
                for row in part.itertuples(index=False, name=None):
                    copy.write_row(tuple(_py(v) if not _isnull(v) else None for v in row))


def _isnull(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def reset_sequences(conn: Connection) -> None:
    """After explicit ids, move PostgreSQL sequences past the max id."""
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false) "
                f"WHERE pg_get_serial_sequence('{table.name}', '{pk[0].name}') IS NOT NULL"))

"""Set-based writes for the delta engine: one statement per (table, column set), whatever the row count.

PostgreSQL: ``UPDATE ... FROM unnest(<arrays>)`` (one round trip, one plan) and ``COPY`` for inserts.
SQLite: the driver's ``executemany`` (in-process, already ~10 µs a row).
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import JSON, Connection, DateTime, Table, bindparam, func, insert, update
from sqlalchemy.dialects.postgresql import ARRAY

CHUNK = 5000


def _arrayable(table: Table, columns) -> bool:
    return not any(isinstance(table.c[c].type, JSON) for c in columns)


def bulk_update(conn: Connection, table: Table, set_cols: tuple[str, ...], key_cols: tuple[str, ...],
                rows: list[dict]) -> None:
    """``UPDATE table SET c = v_c ... WHERE k = k_k ...`` for every row (dicts with ``v_<col>``/``k_<col>``)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and _arrayable(table, (*set_cols, *key_cols)):
        names = [f"v_{c}" for c in set_cols] + [f"k_{c}" for c in key_cols]
        columns = [table.c[c] for c in set_cols] + [table.c[c] for c in key_cols]
        for start in range(0, len(rows), CHUNK):
            part = rows[start:start + CHUNK]
            arrays = [bindparam(f"a_{i}", [r[n] for r in part], type_=ARRAY(col.type))
                      for i, (n, col) in enumerate(zip(names, columns))]
            src = func.unnest(*arrays).table_valued(*names).render_derived(name="src")
            stmt = update(table).values({c: src.c[f"v_{c}"] for c in set_cols})
            for c in key_cols:
                stmt = stmt.where(table.c[c] == src.c[f"k_{c}"])
            conn.execute(stmt)
        return
    stmt = update(table).values({c: bindparam(f"v_{c}") for c in set_cols})
    for c in key_cols:
        stmt = stmt.where(table.c[c] == bindparam(f"k_{c}"))
    for start in range(0, len(rows), CHUNK):
        conn.execute(stmt, rows[start:start + CHUNK])


def bulk_insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows (dicts with the same keys): ``COPY`` on PostgreSQL, ``executemany`` elsewhere."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[start:start + CHUNK])
        return
    columns = list(rows[0])
    convert = [_copy_converter(table.c[c]) for c in columns]
    plain = all(f is None for f in convert)
    names = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = [row[c] for c in columns]
            if not plain:
                values = [v if f is None or v is None else f(v) for f, v in zip(convert, values)]
            copy.write_row(values)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)  # naive instants are UTC


def _copy_converter(column):
    """How a Python value of ``column`` is written by COPY (None: as it is)."""
    if isinstance(column.type, JSON):
        return _JSON.encode
    if isinstance(column.type, DateTime):
        return _utc
    return None

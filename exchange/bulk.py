"""Set-based writes for the delta engine: one statement per (table, column set), whatever the row count.

PostgreSQL: ``UPDATE ... FROM unnest(<arrays>)`` (one round trip, one plan) and ``COPY`` for inserts.
SQLite: the driver's ``executemany`` (in-process, a few µs a row) with values already in stored form.
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence

from sqlalchemy import JSON, Boolean, Connection, DateTime, Table, bindparam, func, insert, update
from sqlalchemy.dialects.postgresql import ARRAY

from exchange.staging import dumps

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


def insert_rows(conn: Connection, table: Table, constants: dict, columns: Sequence[str],
                rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (tuples of ``columns``), each with the same ``constants``: ``COPY`` on PostgreSQL,
    ``executemany`` elsewhere. JSON columns take Python values (dicts, lists)."""
    if not rows:
        return
    names = [*constants, *columns]
    if conn.dialect.name != "postgresql":
        # Values in their stored form (what SQLAlchemy would bind), then one executemany in the driver.
        store = [_sqlite_converter(table.c[c]) for c in names]
        fixed = tuple(v if f is None or v is None else f(v) for f, v in zip(store, constants.values()))
        store = store[len(constants):]
        stmt = f'INSERT INTO "{table.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) ' \
               f'VALUES ({", ".join("?" for _ in names)})'
        if any(f is not None for f in store):
            rows = [fixed + tuple(v if f is None or v is None else f(v) for f, v in zip(store, row)) for row in rows]
        else:
            rows = [fixed + tuple(row) for row in rows]
        conn.exec_driver_sql(stmt, rows)
        return
    # COPY in text format, built column-wise (a list comprehension per column, then one join):
    # ~1 µs a row instead of ~5 µs through write_row.
    fixed = "".join(_copy_field(table.c[c])(v) + "\t" for c, v in constants.items())
    cells = [list(map(_copy_field(table.c[c]), values)) for c, values in zip(columns, zip(*rows))]
    lines = map("\t".join, zip(*cells))
    text = fixed + ("\n" + fixed).join(lines) + "\n"
    quoted = ", ".join(f'"{c}"' for c in names)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        copy.write(text)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _copy_field(column):
    """A function writing a Python value of ``column`` as a COPY text field."""
    kind = column.type
    if isinstance(kind, JSON):  # compact JSON never holds a raw control character: only backslashes to double
        return lambda v: NULL if v is None else dumps(v).replace("\\", "\\\\")
    if isinstance(kind, DateTime):
        return lambda v: NULL if v is None else _utc(v).isoformat()
    if isinstance(kind, Boolean):
        return lambda v: NULL if v is None else ("t" if v else "f")
    return lambda v: NULL if v is None else (v.translate(_COPY_ESCAPES) if isinstance(v, str) else
                                             v.isoformat() if isinstance(v, dt.date) else str(v))


def _sqlite_converter(column):
    """How a Python value of ``column`` is stored by SQLite (None: as it is)."""
    if isinstance(column.type, JSON):
        return dumps
    from sqlalchemy.dialects import sqlite

    lite = sqlite.dialect()
    return column.type.dialect_impl(lite).bind_processor(lite)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)  # naive instants are UTC

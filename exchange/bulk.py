"""Set-based writes for the delta engine: one statement per (table, column set), whatever the row count.

PostgreSQL: ``UPDATE ... FROM unnest(<arrays>)`` (one round trip, one plan) and ``COPY`` for inserts.
SQLite: the driver's ``executemany`` (in-process, a few µs a row) with values already in stored form.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import JSON, Boolean, Connection, DateTime, Table, bindparam, func, update
from sqlalchemy.dialects.postgresql import ARRAY

from exchange.staging import dumps, sqlite_stored, utc

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


@dataclass(frozen=True)
class PreparedRows:
    """Rows already in the form their database takes: COPY text (PostgreSQL) or parameter tuples (SQLite)."""

    statement: str
    payload: str | list[tuple] | None  # None: nothing to write


def prepare_rows(dialect: str, table: Table, constants: dict, columns: Sequence[str],
                 rows: Sequence[tuple]) -> PreparedRows:
    """``rows`` (tuples of ``columns``, each with the same ``constants``) ready to insert: COPY text on
    PostgreSQL, parameter tuples for one executemany elsewhere. JSON columns take Python values.

    Pure Python, no connection: it can run in another thread while the connection is busy."""
    names = [*constants, *columns]
    quoted = ", ".join(f'"{c}"' for c in names)
    if not rows:
        return PreparedRows("", None)
    if dialect != "postgresql":
        # Values in their stored form (what SQLAlchemy would bind), then one executemany in the driver.
        store = [_sqlite_converter(table.c[c]) for c in names]
        fixed = tuple(v if f is None or v is None else f(v) for f, v in zip(store, constants.values()))
        store = store[len(constants):]
        if any(f is not None for f in store):
            rows = [fixed + tuple(v if f is None or v is None else f(v) for f, v in zip(store, row)) for row in rows]
        else:
            rows = [fixed + tuple(row) for row in rows]
        return PreparedRows(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" for _ in names)})', rows)
    # COPY in text format, built column-wise (a map per column, then one join): ~1 µs a row
    # instead of ~5 µs through write_row.
    fixed = "".join(_copy_field(table.c[c])(v) + "\t" for c, v in constants.items())
    cells = [list(map(_copy_field(table.c[c]), values)) for c, values in zip(columns, zip(*rows))]
    text = fixed + ("\n" + fixed).join(map("\t".join, zip(*cells))) + "\n"
    return PreparedRows(f'COPY "{table.name}" ({quoted}) FROM STDIN', text)


def write_prepared(conn: Connection, prepared: PreparedRows) -> None:
    """Execute what ``prepare_rows`` built, in the connection's transaction."""
    if prepared.payload is None:
        return
    if isinstance(prepared.payload, str):
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(prepared.statement) as copy:
            copy.write(prepared.payload)
    else:
        conn.exec_driver_sql(prepared.statement, prepared.payload)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _copy_field(column):
    """A function writing a Python value of ``column`` as a COPY text field."""
    kind = column.type
    if isinstance(kind, JSON):  # compact JSON never holds a raw control character: only backslashes to double
        return lambda v: NULL if v is None else dumps(v).replace("\\", "\\\\")
    if isinstance(kind, DateTime):
        return lambda v: NULL if v is None else utc(v).isoformat()
    if isinstance(kind, Boolean):
        return lambda v: NULL if v is None else ("t" if v else "f")
    return lambda v: NULL if v is None else (v.translate(_COPY_ESCAPES) if isinstance(v, str) else
                                             v.isoformat() if isinstance(v, dt.date) else str(v))


def _sqlite_converter(column):
    """How a Python value of ``column`` is stored by SQLite (None: as it is); JSON as compact text."""
    return dumps if isinstance(column.type, JSON) else sqlite_stored(column)

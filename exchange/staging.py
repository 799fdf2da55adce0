"""Many rows as one statement: a list of tuples sent as a single JSON parameter and read back as a table.

The columnar delta engine resolves natural keys, checks existence and updates whole sets of
operations at once by joining the target tables to such a staged set: ``json_array_elements(:rows) WITH ORDINALITY`` on
PostgreSQL, ``json_each(:rows)`` on SQLite. One parameter means no temporary table (no catalog
churn per batch), no per-row round trip and almost no Python work per row (orjson encodes the
whole list at C speed); the database parses the JSON once. PostgreSQL reads it as ``json``, not
``jsonb``: jsonb keeps numbers as ``numeric``, which has no negative zero. Values are staged in their stored
form: SQLite gets what SQLAlchemy would bind (dates as ISO text...), PostgreSQL casts each field
to its column's type, strings to TEXT so that an over-long value is an error, never a truncation.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import lru_cache
from typing import Callable, Iterable, Sequence

import orjson
from sqlalchemy import JSON, Column, Connection, DateTime, String, Table, Text, and_, bindparam, cast, func, \
    literal_column, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import JSON as PG_JSON

from data.models import Base

CHUNK = 20_000  # rows per statement: bounds the parameter (~1 MB) on initial loads of millions of rows
_SQLITE = sqlite.dialect()
_FALLBACK = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def dumps(value) -> str:
    """Compact JSON text (orjson; the standard encoder for what orjson refuses, e.g. integers over 64 bits)."""
    try:
        return orjson.dumps(value, default=_orjson_default).decode()
    except TypeError:
        return _FALLBACK.encode(value)


def _orjson_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError


def sqlite_stored(column: Column) -> Callable | None:
    """How SQLAlchemy stores a Python value of ``column`` in SQLite (its bind processor; None: as it is)."""
    lite = _SQLITE
    return column.type.dialect_impl(lite).bind_processor(lite)


def utc(value: dt.datetime) -> dt.datetime:
    """An instant with its zone (naive instants are UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


class Staged:
    """A set of rows (tuples typed like ``columns``) joined into one statement as ``source``.

    Values are Python values of their column (dates, datetimes, numbers, text); JSON columns take
    their JSON text.
    """

    def __init__(self, conn: Connection, columns: Sequence[Column], name: str = "s"):
        self.columns = list(columns)
        self.postgres = conn.dialect.name == "postgresql"
        self.param = bindparam(f"{name}_rows")
        if self.postgres:
            self.source = func.json_array_elements(cast(self.param, PG_JSON)).table_valued(
                "value", with_ordinality="ordinal").render_derived(name=name)
        else:  # SQLite cannot name a table function's columns: json_each has value and key (the position)
            self.source = func.json_each(self.param).table_valued("value", "key").alias(name)
        self._prepare = [_stager(conn.dialect.name, c) for c in self.columns]

    @property
    def ordinal(self):
        """The 0-based position of a staged row."""
        return self.source.c.ordinal - 1 if self.postgres else self.source.c.key

    def field(self, j: int):
        """The j-th value of each staged row, typed like its column."""
        value = self.source.c.value
        if self.postgres:
            column = self.columns[j]
            kind = Text() if isinstance(column.type, String) else column.type
            return cast(value.op("->>")(literal_column(str(j))), kind)
        return func.json_extract(value, literal_column(f"'$[{j}]'"), type_=self.columns[j].type)

    def params(self, rows: Sequence[tuple]) -> dict:
        """The bound parameter carrying ``rows`` (values converted to their staged form)."""
        prepare = self._prepare
        if any(p is not None for p in prepare):
            rows = [tuple(v if p is None or v is None else p(v) for p, v in zip(prepare, row)) for row in rows]
        return {self.param.key: dumps(rows)}

    def matching(self, table: Table, key_columns: Sequence[str]):
        """The join condition of ``table`` rows to staged rows on ``key_columns`` (staged in that order)."""
        return and_(*(table.c[c] == self.field(j) for j, c in enumerate(key_columns)))


def _stager(dialect: str, column: Column) -> Callable | None:
    """How a Python value of ``column`` is written into the staged JSON (None: as orjson writes it)."""
    return _stager_for(dialect, column.table.name, column.name)


@lru_cache(maxsize=None)
def _stager_for(dialect: str, table: str, column: str) -> Callable | None:
    kind = Base.metadata.tables[table].c[column].type
    if isinstance(kind, JSON):
        return None  # staged as its JSON text, stored as it is
    if dialect == "postgresql":  # orjson writes dates as ISO text; the cast reads them back
        return utc if isinstance(kind, DateTime) else None
    return sqlite_stored(Base.metadata.tables[table].c[column])  # exactly what an ordinary insert would store


def chunks(rows: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    """``rows`` in slices of at most ``size``."""
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def matched(conn: Connection, table: Table, key_columns: Sequence[str], rows: Sequence[tuple],
            company_id: int | None = None, with_id: bool = False) -> list[tuple]:
    """(position, id) of every staged row whose ``key_columns`` values exist in ``table`` (one query per chunk).

    ``company_id`` restricts the match to that company's rows (tables with their own company_id). It is
    staged with every row rather than bound once: a constant ``company_id = ?`` term lets SQLite's
    planner scan the company's rows and probe the staged set for each (seconds instead of milliseconds).
    """
    if company_id is not None:
        key_columns = ["company_id", *key_columns]
        rows = [(company_id, *row) for row in rows]
    out: list[tuple] = []
    for offset, part in _offset_chunks(rows):
        staged = Staged(conn, [table.c[c] for c in key_columns])
        stmt = select(staged.ordinal, table.c.id if with_id else literal_column("NULL")).select_from(
            staged.source.join(table, staged.matching(table, key_columns)))
        out.extend((offset + pos, row_id) for pos, row_id in conn.execute(stmt, staged.params(part)))
    return out


def update_from(conn: Connection, table: Table, set_columns: Sequence[str], key_columns: Sequence[str],
                rows: Sequence[tuple]) -> int:
    """``UPDATE table SET set_columns FROM <staged rows> WHERE key_columns match``; rows = (*set, *key) values.

    Returns the number of table rows updated (the keys must be unique within ``rows``).
    """
    count = 0
    for part in chunks(rows):
        staged = Staged(conn, [table.c[c] for c in (*set_columns, *key_columns)])
        stmt = update(table).values({c: staged.field(j) for j, c in enumerate(set_columns)}).where(
            *(table.c[c] == staged.field(len(set_columns) + j) for j, c in enumerate(key_columns)))
        count += conn.execute(stmt, staged.params(part)).rowcount
    return count


def _offset_chunks(rows: Sequence, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield start, rows[start:start + size]

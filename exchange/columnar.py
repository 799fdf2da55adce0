"""Columnar apply: one entity's inserts and updates as a few set-based statements.

The general engine (``exchange.apply.Applier``) works operation by operation in Python: it folds,
resolves, checks and itemises every problem. A daily delta is mostly thousands of homogeneous, valid
operations (the new month of every client, corrected charges...). For those this module does the
same work column by column: values are converted per column, natural keys are resolved once per
distinct value, and existence checks and writes are one statement per (entity, operation, column
set) through ``exchange.staging``.

It is optimistic. The moment anything is not exactly as expected — an unknown reference, a key that
already exists (insert) or does not (update), a value its column refuses — it raises ``Fallback``;
the caller rolls the entity back to a savepoint and lets the general engine apply it, which then
itemises the errors with its usual messages. Accepted batches end up identical either way (the
tests apply the same batches through both paths and compare the data and the change log).
"""
from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import DBAPIError

from exchange.codec import RecordValueError, value_converter
from exchange.entities import BY_NAME, Entity, Ref, derive
from exchange.bulk import prepare_rows, write_prepared
from exchange.staging import matched, update_from

if TYPE_CHECKING:  # pragma: no cover
    from exchange.apply import Applier, Operation


class Fallback(Exception):
    """The columnar path will not apply this entity as it is: the general engine will (and say why)."""


def eligible(ent: Entity, ops: list[Operation]) -> bool:
    """Whether ``ops`` (one entity's net inserts and updates, keys unique) fit the columnar path."""
    if not ops or any(op.op not in ("insert", "update") for op in ops):
        return False
    if ent.derived and any(op.op == "update" for op in ops):
        return False  # derived columns are recomputed from the stored row: the general engine does that
    return _shape_ok(ent.name)


@lru_cache(maxsize=None)
def _shape_ok(name: str) -> bool:
    """Static conditions: every reference targets a company's row by a plain natural key; the entity's
    own key is plain (rows with an id) or one owning reference plus plain fields (rows without)."""
    ent = BY_NAME[name]
    for ref in ent.refs:
        if not _plain_target(ref):
            return False
    if ent.has_id:
        return ent.company_scoped and all(k in ent.plain_set for k in ent.key)
    key_refs = [r for r in ent.refs if any(f in ent.key for f in r.fields)]
    return len(key_refs) == 1 and all(f in ent.key for f in key_refs[0].fields)


def _plain_target(ref: Ref) -> bool:
    target = BY_NAME[ref.target]
    return target.has_id and target.company_scoped and all(k in target.plain_set for k in target.key)


def apply(ap: Applier, ent: Entity, ops: list[Operation]) -> tuple[int, int]:
    """Write ``ops`` (eligible) for ``ap``'s company; returns (inserted, updated). Raises Fallback.

    Everything is planned first (values converted, keys resolved, existence checked); then the
    change-log rows are queued, so that they are formatted in a helper thread while the database
    executes the writes (the caller drops them on Fallback).
    """
    inserts = [op for op in ops if op.op == "insert"]
    updates: dict[tuple, list] = defaultdict(list)
    for op in ops:
        if op.op == "update":
            updates[tuple(op.data)].append(op)
    writes = [_plan_insert(ap, ent, inserts)] if inserts else []
    writes += [_plan_update(ap, ent, group, list(fields)) for fields, group in updates.items()]
    ap.log_changes(ent, inserts, "insert")
    for group in updates.values():
        ap.log_changes(ent, group, "update")
    try:
        for write in writes:
            write()
    except (DBAPIError, ap.conn.dialect.dbapi.Error):  # COPY raises the driver's own errors
        raise Fallback from None  # e.g. a key that exists: the general engine reports it
    ap.index.invalidate(ent.name)
    n_updates = len(ops) - len(inserts)
    if inserts:
        ap.progress(ent.name, len(inserts))
    if n_updates:
        ap.progress(ent.name, n_updates)
    return len(inserts), n_updates


# --- the two writes, planned --------------------------------------------------------------------------
def _plan_insert(ap: Applier, ent: Entity, ops: list[Operation]) -> Callable[[], None]:
    values = _columns(ap, ent, ops, ent.fields)
    table = ent.table
    if not _key_is_unique(ent.name):  # otherwise an existing key fails the insert itself (-> Fallback)
        key_cols = list(ent.key) if ent.has_id else _stored_key(ent)
        found = matched(ap.conn, table, key_cols, list(zip(*(values[c] for c in key_cols))),
                        ap.company_id if ent.company_scoped else None)
        if found:
            raise Fallback  # "ya existe": itemised by the general engine
    if ent.derived:
        rows = [dict(zip(values, row)) for row in zip(*values.values())]
        for col in ent.derived:
            values[col] = [derive(ent, r)[col] for r in rows]
    constants = {"company_id": ap.company_id} if ent.company_scoped else {}
    columns = list(values)
    rows = list(zip(*(values[c] for c in columns)))
    # COPY (PostgreSQL) / executemany (SQLite) in row order: ids follow the operations' order.
    prepared = prepare_rows(ap.conn.dialect.name, table, constants, columns, rows)
    return lambda: write_prepared(ap.conn, prepared)


@lru_cache(maxsize=None)
def _key_is_unique(name: str) -> bool:
    """Whether a unique constraint (or the primary key) of the table is exactly the stored natural key."""
    ent = BY_NAME[name]
    key = {"company_id", *ent.key} if ent.has_id else set(_stored_key(ent))
    table = ent.table
    uniques = [{c.name for c in table.primary_key.columns}]
    uniques += [{c.name for c in con.columns} for con in table.constraints if isinstance(con, UniqueConstraint)]
    uniques += [{c.name for c in index.columns} for index in table.indexes if index.unique]
    return key in uniques


def _plan_update(ap: Applier, ent: Entity, ops: list[Operation], data_fields: list[str]) -> Callable[[], None]:
    values = _columns(ap, ent, ops, [*ent.key, *data_fields])
    key_cols = ["id"] if ent.has_id else _stored_key(ent)
    if ent.has_id:
        values["id"] = ids = _own_ids(ap, ent, ops)
        if None in ids:
            raise Fallback  # "no existe": itemised by the general engine
    identity = set(key_cols) | (set(ent.key) if ent.has_id else set())  # the key is never rewritten
    set_cols = [c for c in values if c not in identity]
    rows = list(zip(*(values[c] for c in (*set_cols, *key_cols))))

    def write() -> None:
        if update_from(ap.conn, ent.table, set_cols, key_cols, rows) != len(rows):
            raise Fallback  # some key does not exist

    return write


# --- columns ---------------------------------------------------------------------------------------
def _columns(ap: Applier, ent: Entity, ops: list[Operation], fields: list[str]) -> dict[str, list]:
    """Stored column -> values, for the record ``fields`` of ``ops`` (references resolved to ids)."""
    raw: dict[str, list] = {}
    for f in fields:
        source = "key" if f in ent.key else "data"
        raw[f] = [op.key[f] for op in ops] if source == "key" else [op.data[f] for op in ops]
    out: dict[str, list] = {}
    comunas = None
    for ref in ent.refs:
        present = [f for f in ref.fields if f in raw]
        if not present:
            continue
        if len(present) != len(ref.fields):
            raise Fallback  # a partial reference: the general engine explains which field is missing
        out[ref.column] = _resolve(ap, ref, list(zip(*(raw[f] for f in ref.fields))))
    for f in fields:
        if f not in ent.plain_set:
            continue
        column = ent.table.c[f]
        out[f] = _convert(column, raw[f])
        if f == "comuna_code":
            comunas = comunas or ap.comunas()
            if any(v is not None and v not in comunas for v in out[f]):
                raise Fallback
    return out


def _resolve(ap: Applier, ref: Ref, keys: list[tuple]) -> list:
    """The target id of each natural key (each distinct key looked up once); keys holding a None stay None."""
    ids = _lookup(ap, BY_NAME[ref.target], {k for k in keys if None not in k})
    if not ref.soft and None in ids.values():
        raise Fallback  # "referencia inexistente"
    return [ids.get(k) for k in keys]


def _own_ids(ap: Applier, ent: Entity, ops: list[Operation]) -> list:
    """The id of each operation's row (None where its key is not in the company)."""
    keys = [op.key_tuple for op in ops]
    ids = _lookup(ap, ent, set(keys))
    return [ids[k] for k in keys]


def _lookup(ap: Applier, ent: Entity, keys: set[tuple]) -> dict[tuple, int | None]:
    """Natural key (plain fields, in key order) -> id of ``ent``'s row in the company, or None: one
    staged query for all of them."""
    distinct = list(keys)
    table = ent.table
    stored = list(zip(*(_convert(table.c[f], list(col)) for f, col in zip(ent.key, zip(*distinct)))))
    found = dict(matched(ap.conn, table, list(ent.key), stored, ap.company_id, with_id=True))
    return {k: found.get(i) for i, k in enumerate(distinct)}


def _stored_key(ent: Entity) -> list[str]:
    """The stored columns of a row without id: its owning reference's column, then its plain key fields."""
    ref = next(r for r in ent.refs if any(f in ent.key for f in r.fields))
    return [ref.column, *(f for f in ent.key if f not in ref.fields)]


def _convert(column, values: list) -> list:
    """``values`` converted for ``column`` as ``from_json`` does (Fallback on a refused value). Floats
    must also be finite: NaN/Infinity (accepted by some JSON readers) cannot be staged as JSON."""
    convert = value_converter(column)
    if convert is None:
        return values
    try:
        out = [None if v is None else convert(v) for v in values]
    except (TypeError, ValueError, RecordValueError):
        raise Fallback from None
    if convert is float and not all(v is None or math.isfinite(v) for v in out):
        raise Fallback
    return out

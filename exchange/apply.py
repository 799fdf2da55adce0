"""The bulk engine behind initial loads and daily deltas: insert/update/delete by natural key.

Operations on the same key are first folded into one net operation (insert+update -> insert...).
Then inserts and updates run entity by entity parents first, deletes children first, each as one
executemany statement, so a batch costs a few statements per entity rather than one per row.
References are resolved inside the company only, so a company can never reach another's rows.
Any problem is collected as an itemised error and the caller's transaction is rolled back.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from sqlalchemy import Connection, bindparam, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from data.models import ChangeLog, Comuna, utcnow
from exchange import columnar
from exchange.bulk import PreparedRows, bulk_update, prepare_rows, write_prepared
from exchange.codec import KeyIndex, RecordValueError, from_json, scoped, to_json
from exchange.staging import dumps
from exchange.entities import BY_NAME, ENTITIES, ORDER, Entity, derive, referencing
from exchange.schemas import field_column

CHUNK = 5000
MAX_ERRORS = 200


@dataclass(slots=True)
class Operation:
    """One insert/update/delete of a record identified by its natural key."""

    entity: str
    op: str
    key: dict
    data: dict | None = None
    index: int = 0  # position in the submitted batch (for error messages)
    _key: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def key_tuple(self) -> tuple:
        """The key values in the entity's key order (computed once: the key never changes)."""
        cached = self._key
        if cached is None:
            cached = self._key = tuple(self.key[k] for k in BY_NAME[self.entity].key)
        return cached


class ApplyError(Exception):
    """The operations cannot be applied; ``errors`` itemises why (nothing was written)."""

    def __init__(self, errors: list[dict], status: int = 422):
        super().__init__(f"{len(errors)} errores")
        self.errors, self.status = errors, status


@dataclass
class Result:
    """What was applied: counts per entity and op, and the change-log id range written."""

    counts: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    changes: int = 0
    first_change_id: int | None = None
    last_change_id: int | None = None
    columnar: list = field(default_factory=list)  # entities applied set-based (exchange.columnar)


def fold(ops: list[Operation], errors: list[dict]) -> list[Operation]:
    """Net effect per (entity, key), in first-seen order; impossible sequences become errors."""
    net: dict[tuple, Operation] = {}
    for op in ops:
        slot = (op.entity, op.key_tuple)
        prev = net.get(slot)
        if prev is None:
            net[slot] = Operation(op.entity, op.op, op.key, dict(op.data or {}) if op.op != "delete" else None, op.index)
            continue
        combo = (prev.op, op.op)
        if prev.op in ("insert", "update", "replace") and op.op == "update":
            prev.data.update(op.data or {})
        elif combo in (("update", "delete"), ("replace", "delete")):
            prev.op, prev.data = "delete", None
        elif combo == ("insert", "delete"):
            prev.op, prev.data = "noop", None
        elif combo == ("delete", "insert"):
            prev.op, prev.data = "replace", dict(op.data or {})
        elif combo == ("noop", "insert"):
            prev.op, prev.data = "insert", dict(op.data or {})
        else:
            errors.append(_err(op, "", f"operación '{op.op}' incompatible con una '{prev.op}' anterior sobre la "
                                       "misma clave en el mismo lote"))
    return [o for o in net.values() if o.op != "noop"]


def _err(op: Operation, field_name: str, reason: str) -> dict:
    return {"operation": op.index, "entity": op.entity, "key": op.key, "field": field_name, "reason": reason}


class Applier:
    """Applies folded operations for one company inside the caller's transaction."""

    def __init__(self, conn: Connection, company_id: int, source: str, actor: str,
                 progress: Callable[[str, int], None] | None = None, columnar: bool = True):
        self.conn, self.company_id, self.source, self.actor = conn, company_id, source[:60], actor[:64]
        self.index = KeyIndex(conn, company_id)
        self.errors: list[dict] = []
        self.result = Result()
        self.progress = progress or (lambda _name, _n: None)
        self._comunas: set[str] | None = None
        self._log: list[tuple] = []  # (changes, future rows) of every run of changes, in order
        self.columnar = columnar
        self._now = utcnow()  # one batch, one moment: every change-log row of it carries the same time

    # --- public -------------------------------------------------------------------------------
    def run(self, ops: list[Operation]) -> Result:
        """Apply ``ops`` (raises ApplyError with every problem found; the caller rolls back)."""
        by_entity: dict[str, list[Operation]] = defaultdict(list)
        for op in ops:
            by_entity[op.entity].append(op)
        for name, group in by_entity.items():
            counts = self.result.counts[name]
            for op in group:
                counts[op.op] += 1
        if any(len({op.key_tuple for op in group}) != len(group) for group in by_entity.values()):
            by_entity = defaultdict(list)  # some key is named twice: fold to one net operation per key
            for op in fold(ops, self.errors):
                by_entity[op.entity].append(op)
        try:
            for ent in ENTITIES:
                todo = [o for o in by_entity.get(ent.name, []) if o.op != "delete"]
                if todo and not self._columnar(ent, todo):
                    self._upserts(ent, todo)
            for ent in reversed(ENTITIES):
                todo = [o for o in by_entity.get(ent.name, []) if o.op == "delete"]
                if todo:
                    self._deletes(ent, todo)
            if self.errors:
                raise ApplyError(self.errors[:MAX_ERRORS])
            self._write_log()
        except IntegrityError as exc:
            raise ApplyError([{"operation": None, "entity": None, "key": None, "field": "",
                               "reason": "restricción de integridad de la base de datos: "
                                         + str(exc.orig).splitlines()[0][:200]}], 409) from None
        self.result.counts = {e: dict(c) for e, c in self.result.counts.items()}
        return self.result

    def _columnar(self, ent: Entity, ops: list[Operation]) -> bool:
        """Apply ``ops`` set-based when they fit (see exchange.columnar); False: use the general engine."""
        if not self.columnar or self.errors or not columnar.eligible(ent, ops):
            return False
        savepoint, mark = self.conn.begin_nested(), len(self._log)
        try:
            columnar.apply(self, ent, ops)
        except columnar.Fallback:
            savepoint.rollback()
            self.index.invalidate(ent.name)
            del self._log[mark:]
            return False
        savepoint.commit()
        self.result.columnar.append(ent.name)
        return True

    # --- resolution ---------------------------------------------------------------------------
    def _row_values(self, ent: Entity, op: Operation, fields: dict, partial: bool) -> dict | None:
        """Column values for ``fields`` (refs resolved to ids); None when an error was recorded."""
        values: dict = {}
        ok = True
        for ref in ent.refs:
            if len(ref.fields) == 1:  # the common case, without building lists
                if ref.fields[0] not in fields:
                    continue
                key = (fields[ref.fields[0]],)
            else:
                present = [f for f in ref.fields if f in fields]
                if not present:
                    continue
                if len(present) != len(ref.fields):
                    missing = [f for f in ref.fields if f not in fields]
                    self.errors.append(_err(op, missing[0], f"debe indicarse junto con {', '.join(present)}"))
                    ok = False
                    continue
                key = tuple(fields[f] for f in ref.fields)
            if None in key:  # e.g. a feeder without a power transformer
                values[ref.column] = None
                continue
            target_id = self.index.id_of(ref.target, key)
            if target_id is None and not ref.soft:
                self.errors.append(_err(op, ref.fields[-1], f"referencia inexistente: {ref.target} "
                                        f"{dict(zip(BY_NAME[ref.target].key, key))} no existe en esta empresa"))
                ok = False
            values[ref.column] = target_id
        columns, plain = ent.table.c, ent.plain_set
        for name, value in fields.items():
            if name not in plain:
                continue
            try:
                values[name] = from_json(columns[name], value)
            except RecordValueError as exc:
                self.errors.append(_err(op, name, str(exc)))
                ok = False
            if name == "comuna_code" and value is not None and value not in self.comunas():
                self.errors.append(_err(op, name, f"comuna desconocida: {value}"))
                ok = False
        if not partial and ent.derived:
            derive(ent, values)
        return values if ok else None

    def comunas(self) -> set[str]:
        """Official comuna codes (reference data)."""
        if self._comunas is None:
            self._comunas = set(self.conn.scalars(select(Comuna.code)))
        return self._comunas

    def _identity(self, ent: Entity, op: Operation) -> dict | None:
        """The key columns of ``op`` as stored (refs in the key resolved to ids)."""
        values = self._row_values(ent, op, op.key, partial=True)
        if values is None:
            return None
        if any(v is None for v in values.values()):
            return None
        return values

    def _existing(self, ent: Entity, identities: list[dict]) -> set[tuple]:
        """Which identities already exist (for tables without a surrogate id)."""
        if not identities:
            return set()
        cols = list(identities[0])
        table = ent.table
        parent_col = ent.scope_ref.column
        found: set[tuple] = set()
        parents = sorted({i[parent_col] for i in identities})
        for start in range(0, len(parents), CHUNK):
            stmt = select(*(table.c[c] for c in cols)).where(table.c[parent_col].in_(parents[start:start + CHUNK]))
            found.update(tuple(_cmp(v) for v in row) for row in self.conn.execute(stmt))
        return found

    # --- writes -------------------------------------------------------------------------------
    def _prefetch(self, ent: Entity, ops: list[Operation]) -> None:
        """Resolve, set-based, every natural key these operations name (their own and their references)."""
        wanted: dict[str, set[tuple]] = defaultdict(set)
        for op in ops:
            if ent.has_id:
                wanted[ent.name].add(op.key_tuple)
            for fields in (op.key, op.data or {}):
                for ref in ent.refs:
                    if all(f in fields for f in ref.fields):
                        key = tuple(fields[f] for f in ref.fields)
                        if all(v is not None for v in key):
                            wanted[ref.target].add(key)
        for name, keys in wanted.items():
            self.index.prefetch(name, keys)

    def _upserts(self, ent: Entity, ops: list[Operation]) -> None:
        if not ops:
            return
        self._prefetch(ent, ops)
        table = ent.table
        inserts, updates = [], []
        identities = []
        for op in ops:
            ident = self._identity(ent, op)
            if ident is None:
                continue  # the unresolved reference was recorded by _identity
            identities.append((op, ident))
        if ent.has_id:
            existing_ids = {op.index: self.index.id_of(ent.name, op.key_tuple) for op, _ in identities}
        else:
            present = self._existing(ent, [i for _, i in identities])
        for op, ident in identities:
            exists = existing_ids[op.index] is not None if ent.has_id else \
                tuple(_cmp(v) for v in ident.values()) in present
            if op.op == "insert" and exists:
                self.errors.append(_err(op, "", "ya existe un registro con esta clave (use update)"))
                continue
            if op.op in ("update", "replace") and not exists:
                self.errors.append(_err(op, "", "no existe un registro con esta clave"))
                continue
            if op.op == "replace":
                op.op = "update"  # delete+insert of the same key: a full update keeps the row's references
            if op.op == "insert":
                missing = [f for f in ent.data_fields if f not in (op.data or {})]
                if missing:
                    self.errors.append(_err(op, missing[0], "campo obligatorio ausente"))
                    continue
            values = self._row_values(ent, op, op.data or {}, partial=op.op == "update")
            if values is None:
                continue
            if op.op == "insert":
                row = {**values, **ident}
                if ent.company_scoped:
                    row["company_id"] = self.company_id
                inserts.append((op, row))
            else:
                updates.append((op, ident, values, existing_ids.get(op.index) if ent.has_id else None))
        if self.errors:
            return  # keep validating other entities, but write nothing more
        for start in range(0, len(inserts), CHUNK):
            self.conn.execute(insert(table), [row for _, row in inserts[start:start + CHUNK]])
        if inserts:
            self.progress(ent.name, len(inserts))
        self._apply_updates(ent, updates)
        if inserts or updates:
            self.index.invalidate(ent.name)
        self.log_changes(ent, [op for op, _row in inserts], "insert")
        self.log_changes(ent, [op for op, *_ in updates], "update")

    def _apply_updates(self, ent: Entity, updates: list) -> None:
        table = ent.table
        groups: dict[tuple, list] = defaultdict(list)
        for op, ident, values, row_id in updates:
            where = {"id": row_id} if ent.has_id else ident
            groups[(tuple(sorted(values)), tuple(sorted(where)))].append({**{f"v_{k}": v for k, v in values.items()},
                                                                          **{f"k_{k}": v for k, v in where.items()}})
        for (cols, where_cols), params in groups.items():
            bulk_update(self.conn, table, cols, where_cols, params)
        if ent.derived and updates:
            self._refresh_derived(ent, [row_id for *_, row_id in updates])
        if updates:
            self.progress(ent.name, len(updates))

    def _refresh_derived(self, ent: Entity, ids: list[int]) -> None:
        table = ent.table
        rows = []
        for start in range(0, len(ids), CHUNK):
            stmt = select(table.c.id, table.c.name, table.c.address).where(table.c.id.in_(ids[start:start + CHUNK]))
            for row in self.conn.execute(stmt):
                rows.append({"k_id": row.id, **{f"v_{k}": v for k, v in derive(ent, dict(row._mapping)).items()
                                                 if k in ent.derived}})
        bulk_update(self.conn, table, tuple(ent.derived), ("id",), rows)

    def _deletes(self, ent: Entity, ops: list[Operation]) -> None:
        self._prefetch(ent, ops)
        table = ent.table
        targets = []
        for op in ops:
            ident = self._identity(ent, op)
            row_id = self.index.id_of(ent.name, op.key_tuple) if ent.has_id and ident is not None else None
            if ident is None or (ent.has_id and row_id is None):
                self.errors.append(_err(op, "", "no existe un registro con esta clave en esta empresa"))
                continue
            targets.append((op, ident, row_id))
        if not ent.has_id:
            present = self._existing(ent, [i for _, i, _ in targets])
            for op, ident, _ in targets:
                if tuple(_cmp(v) for v in ident.values()) not in present:
                    self.errors.append(_err(op, "", "no existe un registro con esta clave en esta empresa"))
        if self.errors:
            return
        if ent.has_id:
            ids = [row_id for *_, row_id in targets]
            self._check_references(ent, targets, ids)
            if self.errors:
                return
            for start in range(0, len(ids), CHUNK):
                self.conn.execute(delete(table).where(table.c.id.in_(ids[start:start + CHUNK])))
            self.index.invalidate(ent.name)
        else:
            groups: dict[tuple, list] = defaultdict(list)
            for _, ident, _ in targets:
                groups[tuple(sorted(ident))].append({f"k_{k}": v for k, v in ident.items()})
            for cols, params in groups.items():
                stmt = delete(table)
                for c in cols:
                    stmt = stmt.where(table.c[c] == bindparam(f"k_{c}"))
                self.conn.execute(stmt, params)
        self.progress(ent.name, len(targets))
        self.log_changes(ent, [op for op, *_ in targets], "delete")

    def _check_references(self, ent: Entity, targets: list, ids: list[int]) -> None:
        """Refuse deleting rows still referenced by rows that stay (children are deleted first)."""
        by_id = {row_id: op for op, _, row_id in targets}
        for other, ref in referencing(ent.name):
            column = other.table.c[ref.column]
            for start in range(0, len(ids), CHUNK):
                part = ids[start:start + CHUNK]
                stmt = select(column).where(column.in_(part)).distinct().limit(MAX_ERRORS)
                for (row_id,) in self.conn.execute(stmt):
                    count = self.conn.scalar(scoped(other, select(_count()).select_from(other.table)
                                                    .where(column == row_id), self.company_id)) or 0
                    self.errors.append(_err(by_id[row_id], "", f"no se puede eliminar: aún lo referencian {count} "
                                            f"registro(s) de {other.name}; elimínelos o reasígnelos en el mismo lote"))

    # --- change log ---------------------------------------------------------------------------
    def log_changes(self, ent: Entity, ops: list[Operation], kind: str) -> None:
        """Queue change-log rows for ``ops``; their rows are formatted in a helper thread meanwhile
        (pure Python that overlaps the database's work on the writes) and written by ``_write_log``."""
        if ops:
            constants = {"company_id": self.company_id, "source": self.source, "actor": self.actor,
                         "at": self._now, "entity": ent.name, "op": kind}
            self._log.append((len(ops), _FORMATTER.submit(_log_rows, self.conn.dialect.name, constants, ops)))

    def _write_log(self) -> None:
        """One change-log row per change, in order: a COPY (or executemany) per run of one entity and op."""
        table = ChangeLog.__table__
        last = self.conn.scalar(select(table.c.id).order_by(table.c.id.desc()).limit(1)) or 0
        for _count_, rows in self._log:
            write_prepared(self.conn, rows.result())
        self.result.changes = sum(n for n, _ in self._log)
        if self.result.changes:
            self.result.first_change_id, self.result.last_change_id = self.conn.execute(
                select(func.min(table.c.id), func.max(table.c.id)).where(
                    table.c.id > last, table.c.source == self.source, table.c.company_id == self.company_id)).one()


_FORMATTER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="change-log")


def _log_rows(dialect: str, constants: dict, ops: list[Operation]) -> PreparedRows:
    """The change-log rows of ``ops`` in their database's form."""
    keys = [_key_text(op.key_tuple) for op in ops]
    data = [None] * len(ops) if constants["op"] == "delete" else [op.data for op in ops]
    return prepare_rows(dialect, ChangeLog.__table__, constants, ("key", "data"), list(zip(keys, data)))


def _key_text(key: tuple) -> str:
    """The change log's key: the natural key as compact JSON (at most 120 characters)."""
    return dumps(list(key))[:120]


def _count():
    return func.count()


def _cmp(value):
    """Comparable form of a key value read back from the database (dates and datetimes as text)."""
    if isinstance(value, (dt.date, Decimal)):
        return to_json(value)
    return value


def apply_operations(conn: Connection, company_id: int, ops: list[Operation], source: str, actor: str,
                     progress: Callable[[str, int], None] | None = None, columnar: bool = True) -> Result:
    """Apply ``ops`` for one company in the caller's transaction (ApplyError when anything is wrong).

    ``columnar=False`` forces the general engine for everything (tests compare both paths).
    """
    return Applier(conn, company_id, source, actor, progress, columnar).run(ops)


def sort_key(op: Operation) -> tuple:
    """Dependency order of an operation (parents first)."""
    return ORDER[op.entity], op.index


__all__ = ["ApplyError", "Operation", "Result", "apply_operations", "field_column"]

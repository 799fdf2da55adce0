"""Rows <-> interchange records: JSON values, company scoping and the natural-key index."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Callable, Iterator

from sqlalchemy import Column, Connection, Date, DateTime, Float, Integer, Numeric, Select, select

from data.models import DistributionCompany
from exchange.entities import BY_NAME, ENTITIES, Entity


class RecordValueError(ValueError):
    """A record value that cannot be stored in its column."""


def to_json(value):
    """A column value as a JSON value (dates ISO, datetimes in UTC with offset)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def value_converter(column: Column) -> Callable | None:
    """How a (non-null) JSON value becomes a value of ``column`` (None: kept as it is). The function
    raises ValueError/TypeError (or RecordValueError) for a value the column cannot hold."""
    kind = column.type
    if isinstance(kind, DateTime):
        return _instant
    if isinstance(kind, Date):
        return dt.date.fromisoformat
    if isinstance(kind, Integer):
        return int
    if isinstance(kind, (Float, Numeric)):
        return float
    return None


def _instant(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise RecordValueError("fecha y hora sin zona horaria")
    return moment.astimezone(dt.timezone.utc)


def from_json(column: Column, value):
    """A JSON value converted for ``column`` (raises RecordValueError with a Spanish reason)."""
    if value is None:
        return None
    convert = value_converter(column)
    if convert is None:
        return value
    try:
        return convert(value)
    except RecordValueError:
        raise
    except (TypeError, ValueError):
        raise RecordValueError(f"valor inválido para {column.name}: {str(value)[:40]}") from None


def scoped(ent: Entity, stmt: Select, company_id: int) -> Select:
    """``stmt`` restricted to one company's rows of ``ent``."""
    table = ent.table
    if ent.company_scoped:
        return stmt.where(table.c.company_id == company_id)
    parent = BY_NAME[ent.scope_ref.target].table
    return stmt.where(table.c[ent.scope_ref.column].in_(select(parent.c.id).where(parent.c.company_id == company_id)))


def company_id_for(conn: Connection, code: str) -> int | None:
    """The id of the company with ``code``."""
    return conn.scalar(select(DistributionCompany.id).where(DistributionCompany.code == code))


class KeyIndex:
    """Natural key <-> id maps of one company's rows.

    Two ways to fill them: ``prefetch(name, keys)`` resolves just the keys a batch names (a few
    set-based queries, whatever the company's size: a 10,000-operation delta on a 500,000-client
    company reads 10,000 rows, not 500,000), and a full per-entity load on first use of ``key_of`` /
    ``keys`` (exports and snapshots need every row anyway). ``id_of`` answers from either.
    """

    PREFETCH_CHUNK = 2000

    def __init__(self, conn: Connection, company_id: int):
        self.conn, self.company_id = conn, company_id
        self._by_key: dict[str, dict[tuple, int]] = {}
        self._by_id: dict[str, dict[int, tuple]] = {}
        self._full: set[str] = set()  # entities whose maps hold every row of the company
        self._known: dict[str, set[tuple]] = {}  # keys already looked up (present or not)

    def _columns(self, ent: Entity) -> tuple[list[str], list[str]]:
        """(ref columns, plain fields) that make up the natural key, in key order."""
        ref_cols, plain = [], []
        for field in ent.key:
            ref = next((r for r in ent.refs if field in r.fields), None)
            if ref is not None and ref.column not in ref_cols:
                ref_cols.append(ref.column)
            elif ref is None:
                plain.append(field)
        return ref_cols, plain

    def _remember(self, ent: Entity, rows, ref_cols: list[str], plain: list[str]) -> None:
        by_key = self._by_key.setdefault(ent.name, {})
        by_id = self._by_id.setdefault(ent.name, {})
        for row in rows:
            values = dict(zip(["id", *ref_cols, *plain], row))
            key = self._key_from(ent, values)
            by_key[key] = values["id"]
            by_id[values["id"]] = key

    def _load(self, name: str) -> None:
        ent = BY_NAME[name]
        table = ent.table
        ref_cols, plain = self._columns(ent)
        cols = [table.c.id, *(table.c[c] for c in ref_cols), *(table.c[c] for c in plain)]
        self._by_key[name], self._by_id[name] = {}, {}
        self._remember(ent, self.conn.execute(scoped(ent, select(*cols), self.company_id)), ref_cols, plain)
        self._full.add(name)

    def prefetch(self, name: str, keys) -> None:
        """Resolve the ids of just these natural keys of ``name`` (keys already known are skipped)."""
        if name in self._full:
            return
        ent = BY_NAME[name]
        known = self._known.setdefault(name, set())
        todo = [k for k in {tuple(k) for k in keys} if k not in known]
        if not todo:
            return
        table = ent.table
        ref_cols, plain = self._columns(ent)
        positions = {f: i for i, f in enumerate(ent.key)}
        refs = [next(r for r in ent.refs if r.column == c) for c in ref_cols]
        for ref in refs:  # the parents named inside the keys first (e.g. the client of a monthly row)
            self.prefetch(ref.target, [tuple(k[positions[f]] for f in ref.fields) for k in todo])
        cols = [table.c.id, *(table.c[c] for c in ref_cols), *(table.c[c] for c in plain)]
        for start in range(0, len(todo), self.PREFETCH_CHUNK):
            chunk = todo[start:start + self.PREFETCH_CHUNK]
            stmt = scoped(ent, select(*cols), self.company_id)
            resolvable = True
            for ref in refs:
                ids = {self.id_of(ref.target, tuple(k[positions[f]] for f in ref.fields)) for k in chunk} - {None}
                if not ids:
                    resolvable = False
                    break
                stmt = stmt.where(table.c[ref.column].in_(sorted(ids)))
            if resolvable:
                for field in plain:
                    column = table.c[field]
                    stmt = stmt.where(column.in_(sorted(_stored_values(column, (k[positions[field]] for k in chunk)),
                                                        key=str)))
                # A superset of the wanted rows (each column filtered on its own): keep them all, they are exact.
                self._remember(ent, self.conn.execute(stmt), ref_cols, plain)
            known.update(chunk)

    def _key_from(self, ent: Entity, values: dict) -> tuple:
        out = []
        for field in ent.key:
            ref = next((r for r in ent.refs if field in r.fields), None)
            if ref is None:
                out.append(to_json(values[field]))
            else:
                target_key = self.key_of(ref.target, values[ref.column])
                out.append(target_key[ref.fields.index(field)])
        return tuple(out)

    def key_of(self, name: str, row_id: int | None) -> tuple | None:
        """The natural key of row ``row_id`` of entity ``name``."""
        if row_id is None:
            return None
        found = self._by_id.get(name, {}).get(row_id)
        if found is None and name not in self._full:
            self._load(name)
            found = self._by_id[name].get(row_id)
        return found

    def id_of(self, name: str, key: tuple) -> int | None:
        """The id of the row of ``name`` with natural ``key`` (None: not in this company)."""
        key = tuple(key)
        if name not in self._full and key not in self._known.get(name, ()):
            self.prefetch(name, [key])
        return self._by_key.get(name, {}).get(key)

    def keys(self, name: str) -> dict[tuple, int]:
        """Every natural key of ``name`` -> id."""
        if name not in self._full:
            self._load(name)
        return self._by_key[name]

    def invalidate(self, name: str) -> None:
        """Forget the maps of ``name`` (after inserts or deletes)."""
        self._by_key.pop(name, None)
        self._by_id.pop(name, None)
        self._known.pop(name, None)
        self._full.discard(name)


def _stored_values(column: Column, values) -> set:
    """The distinct stored forms of JSON key values (a value the column cannot hold matches nothing)."""
    out = set()
    for value in values:
        try:
            out.add(from_json(column, value))
        except RecordValueError:
            continue
    return out


def entity_records(conn: Connection, ent: Entity, company_id: int, index: KeyIndex) -> list[dict]:
    """Every record of ``ent`` for one company, sorted by natural key."""
    table = ent.table
    cols = [c for c in table.columns if c.name not in ("company_id", "created_at", "updated_at")]
    records = []
    for row in conn.execute(scoped(ent, select(*cols), company_id)):
        values = row._mapping
        rec: dict = {}
        for ref in ent.refs:
            key = index.key_of(ref.target, values[ref.column])
            for i, field in enumerate(ref.fields):
                if key is not None:
                    rec[field] = key[i]
                else:  # a null reference must not blank a field it shares with another one
                    rec.setdefault(field, None)
        for name in ent.plain_columns:
            rec[name] = to_json(values[name])
        records.append({f: rec[f] for f in ent.fields})
    records.sort(key=lambda r: tuple(r[k] for k in ent.key))
    return records


def company_profile(conn: Connection, company_id: int) -> dict:
    """The ``company.json`` record: company fields and its comunas."""
    from data.models import CompanyComuna

    company = conn.execute(select(DistributionCompany.__table__).where(DistributionCompany.id == company_id)).one()
    comunas = sorted(conn.scalars(select(CompanyComuna.comuna_code).where(CompanyComuna.company_id == company_id)))
    return {"code": company.code, "name": company.name, "rut": company.rut, "address": company.address,
            "phone": company.phone, "website": company.website, "comunas": comunas}


def iter_snapshot(conn: Connection, company_id: int) -> Iterator[tuple[str, list[dict]]]:
    """(entity name, sorted records) for every entity of one company, parents first."""
    index = KeyIndex(conn, company_id)
    for ent in ENTITIES:
        yield ent.name, entity_records(conn, ent, company_id, index)


def dumps(record: dict) -> str:
    """One JSON Lines line (stable field order, UTF-8 text)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

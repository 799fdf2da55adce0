"""Initial load (Anexo 1 §6.1): replace one company's data with a validated snapshot, all or nothing.

The snapshot is compared with the company's current data by natural key and only the difference
is written (inserts, updates, deletes) through the same engine as the daily deltas. So a reload of
the same content changes nothing, a reload of new content converges to it deterministically, and
surrogate ids of unchanged rows (and what hangs from them, such as user supplies) are kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection, delete, func, insert, select, update

from data.db import Database
from data.models import CompanyComuna, Comuna, DistributionCompany, InitialLoad, utcnow
from exchange.apply import ApplyError, Operation, apply_operations
from exchange.codec import KeyIndex, company_id_for, entity_records
from exchange.entities import ENTITIES
from exchange.snapshot import Snapshot, parse_snapshot, read_snapshot, sizing


@dataclass
class LoadReport:
    """Outcome of a load: status, sizing, counts per entity and op, itemised errors."""

    status: str  # loaded | unchanged | rejected
    company: str
    sizing: list[dict]
    counts: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    load_id: int | None = None
    content_hash: str = ""


def snapshot_operations(conn: Connection, company_id: int | None, parsed: dict[str, dict[tuple, dict]]) -> list[Operation]:
    """The operations turning the company's current data into ``parsed`` (empty when equal)."""
    ops: list[Operation] = []
    index = KeyIndex(conn, company_id) if company_id else None
    position = 0
    for ent in ENTITIES:
        current = {} if index is None else {tuple(r[k] for k in ent.key): r
                                             for r in entity_records(conn, ent, company_id, index)}
        wanted = parsed.get(ent.name, {})
        for key, record in wanted.items():
            old = current.get(key)
            if old == record:
                continue
            data = {f: record[f] for f in ent.data_fields}
            ops.append(Operation(ent.name, "insert" if old is None else "update",
                                 {k: record[k] for k in ent.key}, data, position))
            position += 1
        for key in current.keys() - wanted.keys():
            ops.append(Operation(ent.name, "delete", dict(zip(ent.key, key)), None, position))
            position += 1
    return ops


def ensure_geography(conn: Connection) -> None:
    """Load the official regions and comunas when the database has none (a fresh install)."""
    if conn.scalar(select(func.count()).select_from(Comuna)):
        return
    from data.models import Region
    from geo.comunas import REGION_ORDER, comunas_frame

    dpa = comunas_frame().reset_index(drop=True)
    regions = dpa[["region_code", "region"]].drop_duplicates()
    conn.execute(insert(Region), [{"code": r.region_code, "name": r.region, "ordinal": REGION_ORDER.index(r.region_code)
                                   if r.region_code in REGION_ORDER else 99} for r in regions.itertuples()])
    conn.execute(insert(Comuna), [{"code": r.code, "name": r.name, "province": r.province, "region_code": r.region_code}
                                  for r in dpa.itertuples()])


def upsert_company(conn: Connection, profile: dict) -> tuple[int, list[dict]]:
    """Create or update the company row and its comunas; returns (id, errors)."""
    known = set(conn.scalars(select(Comuna.code)))
    unknown = [c for c in profile["comunas"] if c not in known]
    if unknown:
        return 0, [{"file": "company.json", "line": 1, "field": "comunas", "reason": f"comunas desconocidas: {unknown}"}]
    fields = {k: profile[k] for k in ("name", "rut", "address", "phone", "website")}
    company_id = company_id_for(conn, profile["code"])
    if company_id is None:
        company_id = conn.execute(insert(DistributionCompany).values(code=profile["code"], **fields)
                                  .returning(DistributionCompany.id)).scalar_one()
    else:
        current = conn.execute(select(*(DistributionCompany.__table__.c[k] for k in fields))
                               .where(DistributionCompany.id == company_id)).one()._asdict()
        if current != fields:
            conn.execute(update(DistributionCompany).where(DistributionCompany.id == company_id).values(**fields))
    have = set(conn.scalars(select(CompanyComuna.comuna_code).where(CompanyComuna.company_id == company_id)))
    want = set(profile["comunas"])
    if have - want:
        conn.execute(delete(CompanyComuna).where(CompanyComuna.company_id == company_id,
                                                 CompanyComuna.comuna_code.in_(have - want)))
    if want - have:
        conn.execute(insert(CompanyComuna), [{"company_id": company_id, "comuna_code": c} for c in sorted(want - have)])
    return company_id, []


def load_company(db: Database, path: Path, company_code: str, *, actor: str = "cli",
                 on_sizing: Callable[[list[dict]], None] | None = None,
                 validate_progress: Callable[[int], None] | None = None,
                 write_progress: Callable[[str, int], None] | None = None,
                 on_plan: Callable[[int], None] | None = None) -> LoadReport:
    """Validate and load the snapshot at ``path`` for ``company_code`` (all or nothing)."""
    snap = read_snapshot(path)
    size = sizing(snap)
    if on_sizing:
        on_sizing(size)
    parsed = parse_snapshot(snap, validate_progress)
    if snap.company is not None and not snap.errors and snap.company.get("code") != company_code:
        snap.errors.append({"file": "company.json", "line": 1, "field": "code",
                            "reason": f"el respaldo es de la empresa {snap.company.get('code')}, no de {company_code}"})
    report = LoadReport("rejected", company_code, size, content_hash=snap.content_hash)
    if snap.errors:
        report.errors = snap.errors
        _record_rejection(db, company_code, snap, report)
        return report
    try:
        with db.engine.begin() as conn:
            ensure_geography(conn)
            company_id, errors = upsert_company(conn, snap.company)
            if errors:
                raise ApplyError(errors)
            row_id = conn.execute(insert(InitialLoad).values(
                company_id=company_id, source=str(path)[-300:], content_hash=snap.content_hash, status="running",
                started_at=utcnow(), sizing={"entities": size}).returning(InitialLoad.id)).scalar_one()
            ops = snapshot_operations(conn, company_id, parsed)
            if on_plan:
                on_plan(len(ops))
            result = apply_operations(conn, company_id, ops, f"load:{row_id}", actor, write_progress)
            report.counts = result.counts
            report.status = "loaded" if ops else "unchanged"
            report.load_id = row_id
            conn.execute(update(InitialLoad).where(InitialLoad.id == row_id).values(
                status=report.status, finished_at=utcnow(),
                sizing={"entities": size, "counts": result.counts, "changes": result.changes}))
    except ApplyError as exc:
        report.status = "rejected"
        report.errors = [_as_file_error(e) for e in exc.errors]
        _record_rejection(db, company_code, snap, report)
    return report


def _as_file_error(error: dict) -> dict:
    if "file" in error:
        return error
    key = error.get("key")
    return {"file": f"{error.get('entity')}.jsonl" if error.get("entity") else "", "line": 0,
            "field": error.get("field", ""), "reason": f"{error['reason']} (clave {key})" if key else error["reason"]}


def _record_rejection(db: Database, company_code: str, snap: Snapshot, report: LoadReport) -> None:
    """Keep a rejected load in initial_loads (when the company exists) so operators see why."""
    with db.engine.begin() as conn:
        company_id = company_id_for(conn, company_code)
        if company_id is None:
            return
        report.load_id = conn.execute(insert(InitialLoad).values(
            company_id=company_id, source=snap.source[-300:], content_hash=snap.content_hash, status="rejected",
            started_at=utcnow(), finished_at=utcnow(), sizing={"entities": report.sizing},
            errors=report.errors[:500]).returning(InitialLoad.id)).scalar_one()

"""Region -> comuna -> substation -> feeder -> transformer: the options of "Buscar ubicación" and lookups."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import Actor, NotFound
from data.models import (
    CompanyComuna,
    Comuna,
    DistributionCompany,
    DistributionTransformer,
    Feeder,
    Region,
    Substation,
)

# Hard bound of any option list or unpaginated list (a feeder has at most a few hundred transformers).
MAX_LIST = 2000


@dataclass(frozen=True)
class Page:
    """One page of rows and the total count of matching rows."""

    rows: list[dict]
    total: int


def _page(session: Session, stmt, offset: int, limit: int | None, row) -> Page:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    limit = MAX_LIST if limit is None else min(limit, MAX_LIST)
    rows = [row(r) for r in session.execute(stmt.offset(offset).limit(limit))]
    return Page(rows, int(total or 0))


def regions(session: Session, actor: Actor, offset: int = 0, limit: int | None = None) -> Page:
    """Regions where at least one distribution company operates, north to south."""
    stmt = (select(Region.code, Region.name).where(Region.code.in_(
        select(Comuna.region_code).join(CompanyComuna, CompanyComuna.comuna_code == Comuna.code)))
            .order_by(Region.ordinal, Region.code))
    return _page(session, stmt, offset, limit, lambda r: {"code": r.code, "name": r.name})


def comunas(session: Session, actor: Actor, region_code: str, offset: int = 0, limit: int | None = None) -> Page:
    """Comunas of a region served by a company (404 for a region without service)."""
    region = session.get(Region, region_code)
    if region is None:
        raise NotFound("La región no existe.")
    stmt = (select(Comuna.code, Comuna.name).where(Comuna.region_code == region_code, Comuna.code.in_(
        select(CompanyComuna.comuna_code))).order_by(Comuna.name))
    page = _page(session, stmt, offset, limit, lambda r: {"code": r.code, "name": r.name})
    if page.total == 0:
        raise NotFound("Ninguna distribuidora de la plataforma opera en esa región.")
    return page


def substations(session: Session, actor: Actor, comuna_code: str, offset: int = 0, limit: int | None = None) -> Page:
    """Substations of a served comuna, by code."""
    get_comuna(session, actor, comuna_code)
    stmt = (select(Substation.id, Substation.code, Substation.name).where(Substation.comuna_code == comuna_code)
            .order_by(Substation.code))
    return _page(session, stmt, offset, limit, lambda r: {"id": r.id, "code": r.code, "name": r.name})


def feeders(session: Session, actor: Actor, substation_id: int, offset: int = 0, limit: int | None = None) -> Page:
    """Feeders leaving a substation, by code."""
    get_substation(session, actor, substation_id)
    stmt = (select(Feeder.id, Feeder.code, Feeder.name, Feeder.kind).where(Feeder.substation_id == substation_id)
            .order_by(Feeder.code))
    return _page(session, stmt, offset, limit,
                 lambda r: {"id": r.id, "code": r.code, "name": r.name, "kind": r.kind})


def transformers(session: Session, actor: Actor, feeder_id: int, offset: int = 0, limit: int | None = None) -> Page:
    """Distribution transformers of a feeder, by plate."""
    get_feeder(session, actor, feeder_id)
    stmt = (select(DistributionTransformer.id, DistributionTransformer.code, DistributionTransformer.name,
                   DistributionTransformer.kva)
            .where(DistributionTransformer.feeder_id == feeder_id).order_by(DistributionTransformer.code))
    return _page(session, stmt, offset, limit,
                 lambda r: {"id": r.id, "code": r.code, "name": r.name, "kva": r.kva})


def get_comuna(session: Session, actor: Actor, comuna_code: str) -> Comuna:
    """A served comuna or NotFound."""
    comuna = session.get(Comuna, comuna_code)
    served = comuna is not None and session.scalar(
        select(func.count()).select_from(CompanyComuna).where(CompanyComuna.comuna_code == comuna_code))
    if not served:
        raise NotFound("La comuna no existe o no tiene servicio de una distribuidora de la plataforma.")
    return comuna


def get_substation(session: Session, actor: Actor, substation_id: int) -> Substation:
    """A substation or NotFound."""
    sub = session.get(Substation, substation_id)
    if sub is None:
        raise NotFound("La subestación no existe.")
    return sub


def get_feeder(session: Session, actor: Actor, feeder_id: int) -> Feeder:
    """A feeder or NotFound."""
    feeder = session.get(Feeder, feeder_id)
    if feeder is None:
        raise NotFound("El alimentador no existe.")
    return feeder


def get_transformer(session: Session, actor: Actor, transformer_id: int) -> DistributionTransformer:
    """A distribution transformer or NotFound."""
    tr = session.get(DistributionTransformer, transformer_id)
    if tr is None:
        raise NotFound("El transformador no existe.")
    return tr


def company_name(session: Session, company_id: int) -> str:
    """The name of a distribution company."""
    return session.scalar(select(DistributionCompany.name).where(DistributionCompany.id == company_id)) or ""


def breadcrumb(session: Session, comuna_code: str, substation: Substation | None = None, feeder: Feeder | None = None,
               last: str | None = None) -> list[tuple[str, str | None]]:
    """REGION > COMUNA > SUBESTACIÓN > ALIMENTADOR [> last]: each level links to its result list."""
    comuna = session.get(Comuna, comuna_code)
    region = session.get(Region, comuna.region_code)
    items: list[tuple[str, str | None]] = [
        ("Buscar ubicación", "/red/buscar"),
        (region.name, f"/red/buscar?region={region.code}"),
        (comuna.name, f"/red/comuna/{comuna.code}/subestaciones"),
    ]
    if substation is not None:
        items.append((f"{substation.code} {substation.name}", f"/red/subestacion/{substation.id}/alimentadores"))
    if feeder is not None:
        items.append((f"{feeder.code} {feeder.name}", f"/red/alimentador/{feeder.id}/transformadores"))
    if last:
        items.append((last, None))
    else:
        items[-1] = (items[-1][0], None)
    return items


def filter_query(comuna_code: str, substation_id: int | None = None, feeder_id: int | None = None,
                 transformer_id: int | None = None, session: Session | None = None) -> str:
    """The /red/buscar query string that pre-fills the filter down to the given level."""
    region = session.scalar(select(Comuna.region_code).where(Comuna.code == comuna_code)) if session else None
    parts = [f"region={region}"] if region else []
    parts.append(f"comuna={comuna_code}")
    for key, value in (("subestacion", substation_id), ("alimentador", feeder_id), ("transformador", transformer_id)):
        if value is not None:
            parts.append(f"{key}={value}")
    return "&".join(parts)

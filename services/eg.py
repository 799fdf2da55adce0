"""EG (netbilling) supplies (Anexo 1 §5): injections, annexes, remanentes, meter registers and documents.

Every entry point checks scope through ``services.clients.supply_profile`` /
``auth.scope.require_client_access`` and answers NotFound for supplies without an EG.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import Actor, NotFound
from data.models import (
    ClientMonthly,
    ConnectionDocument,
    InjectionAnnex,
    InjectionMonthly,
    Invoice,
    Meter,
    MeterRegister,
    SurplusCredit,
)
from services import obis
from services.clients import DocumentFilter, SupplyProfile, apply_document_filter, last_billed_month, supply_profile
from services.formatting import month_add

DOCUMENT_KINDS = {"contrato": "contract", "protocolo": "protocol", "estudio": "study"}
DOCUMENT_LABELS = {"contract": "Contrato de conexión", "protocol": "Protocolo de conexión", "study": "Estudio de conexión"}
SURPLUS_YEARS = 5


def eg_profile(session: Session, actor: Actor, client_id: int) -> SupplyProfile:
    """The scoped supply, which must have an EG installation (else NotFound)."""
    profile = supply_profile(session, actor, client_id)
    if profile.installation is None:
        raise NotFound("Este suministro no tiene Equipamiento de Generación registrado.")
    return profile


@dataclass(frozen=True)
class MonthRow:
    """One month of a supply: consumption, net charges and injections (None when not billed)."""

    month: dt.date
    consumption_kwh: float | None
    charge_clp: int | None
    reading_kwh: float | None
    injected_kwh: float | None
    injection_value_clp: int | None
    injection_reading_kwh: float | None


def month_rows(session: Session, profile: SupplyProfile, months: int) -> list[MonthRow]:
    """The last ``months`` months ending at the last billed month, merging consumption and injections."""
    last = last_billed_month(session, profile.client.id)
    if last is None:
        return []
    first = month_add(last, -(months - 1))
    cons = {r.month: r for r in session.scalars(select(ClientMonthly).where(
        ClientMonthly.client_id == profile.client.id, ClientMonthly.month.between(first, last)))}
    inj = {r.month: r for r in session.scalars(select(InjectionMonthly).where(
        InjectionMonthly.installation_id == profile.installation.id, InjectionMonthly.month.between(first, last)))}
    rows = []
    for i in range(months):
        m = month_add(first, i)
        c, j = cons.get(m), inj.get(m)
        rows.append(MonthRow(m, c.consumption_kwh if c else None, c.charge_clp if c else None,
                             c.reading_kwh if c else None, j.injected_kwh if j else None,
                             j.injection_value_clp if j else None, j.reading_kwh if j else None))
    return rows


def search_annexes(session: Session, profile: SupplyProfile, flt: DocumentFilter = DocumentFilter(),
                   limit: int = 36, offset: int = 0) -> tuple[list[InjectionAnnex], int]:
    """The supply's injection annexes (newest first) matching ``flt`` (amount = injection value)."""
    query = apply_document_filter(select(InjectionAnnex).where(InjectionAnnex.client_id == profile.client.id), InjectionAnnex,
                          InjectionAnnex.injection_value_clp, flt)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(InjectionAnnex.period.desc(), InjectionAnnex.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def get_annex(session: Session, profile: SupplyProfile, number: str) -> InjectionAnnex:
    """One annex of the supply by number, or NotFound."""
    annex = session.scalar(select(InjectionAnnex).where(InjectionAnnex.client_id == profile.client.id,
                                                        InjectionAnnex.number == number))
    if annex is None:
        raise NotFound("No se encontró el anexo de inyecciones solicitado.")
    return annex


def annex_invoice_number(session: Session, annex: InjectionAnnex) -> str | None:
    """The number of the bill an annex belongs to."""
    return session.scalar(select(Invoice.number).where(Invoice.id == annex.invoice_id)) if annex.invoice_id else None


@dataclass(frozen=True)
class SurplusPage:
    """A page of the remanente ledger plus the totals of the whole window."""

    rows: list[SurplusCredit]
    total_rows: int
    page: int
    pages: int
    totals: dict[str, int]
    window: tuple[dt.date, dt.date] | None


def surplus_ledger(session: Session, profile: SupplyProfile, page: int = 1, per_page: int = 12) -> SurplusPage:
    """The remanente ledger of the last five years, newest first, one page of it, and the window totals."""
    inst = profile.installation
    last = session.scalar(select(func.max(SurplusCredit.month)).where(SurplusCredit.installation_id == inst.id))
    if last is None:
        return SurplusPage([], 0, 1, 1, dict(injection=0, offset=0, paid=0, closing=0), None)
    first = month_add(last, -(SURPLUS_YEARS * 12 - 1))
    where = (SurplusCredit.installation_id == inst.id, SurplusCredit.month.between(first, last))
    sums = session.execute(select(func.count(), func.sum(SurplusCredit.injection_value_clp),
                                  func.sum(SurplusCredit.consumption_offset_clp), func.sum(SurplusCredit.paid_out_clp))
                           .where(*where)).one()
    count = sums[0] or 0
    pages = max(1, -(-count // per_page))
    if not 1 <= page <= pages:
        raise NotFound(f"La página {page} no existe (hay {pages}).")
    closing = session.scalar(select(SurplusCredit.closing_clp).where(SurplusCredit.installation_id == inst.id,
                                                                      SurplusCredit.month == last))
    opening = session.scalar(select(SurplusCredit.opening_clp).where(*where).order_by(SurplusCredit.month).limit(1))
    rows = list(session.scalars(select(SurplusCredit).where(*where).order_by(SurplusCredit.month.desc())
                                .limit(per_page).offset((page - 1) * per_page)))
    totals = dict(opening=int(opening or 0), injection=int(sums[1] or 0), offset=int(sums[2] or 0),
                  paid=int(sums[3] or 0), closing=int(closing or 0))
    return SurplusPage(rows, count, page, pages, totals, (first, last))


def next_settlement_date(settlement_date: dt.date, after: dt.date) -> dt.date:
    """The first anniversary of the contract's settlement date on or after ``after`` (yearly settlement)."""
    year = max(after.year, settlement_date.year)
    while True:
        candidate = dt.date(year, settlement_date.month, min(settlement_date.day, 28))
        if candidate >= after and candidate >= settlement_date:
            return candidate
        year += 1


@dataclass(frozen=True)
class RegisterRow:
    """A stored meter register with its explanation."""

    obis_code: str
    display: str
    value: float
    unit: str
    read_at: dt.datetime
    previous: float | None
    explanation: str


def meter_registers(session: Session, profile: SupplyProfile) -> tuple[Meter | None, list[RegisterRow]]:
    """The supply's meter and, per OBIS code, the latest stored reading and the one before it."""
    meter = session.scalar(select(Meter).where(Meter.client_id == profile.client.id).order_by(Meter.installed_on.desc()))
    if meter is None:
        return None, []
    by_code: dict[str, list[MeterRegister]] = {}
    for reg in session.scalars(select(MeterRegister).where(MeterRegister.meter_id == meter.id)
                               .order_by(MeterRegister.obis_code, MeterRegister.read_at.desc())):
        by_code.setdefault(reg.obis_code, []).append(reg)
    rows = []
    for code_text, regs in by_code.items():
        try:
            code = obis.parse_obis(code_text)
        except obis.ObisError:
            continue  # a malformed code is never shown as if it were valid
        latest = regs[0]
        rows.append(RegisterRow(str(code), code.display, latest.value, latest.unit or obis.unit_for(code), latest.read_at,
                                regs[1].value if len(regs) > 1 else None, obis.describe(code)))
    rows.sort(key=lambda r: (obis.parse_obis(r.obis_code).c, obis.parse_obis(r.obis_code).d, obis.parse_obis(r.obis_code).e))
    return meter, rows


def documents(session: Session, profile: SupplyProfile) -> list[ConnectionDocument]:
    """The EG's connection documents (contract, protocol, study when there is one)."""
    order = {"contract": 0, "protocol": 1, "study": 2}
    docs = session.scalars(select(ConnectionDocument).where(ConnectionDocument.installation_id == profile.installation.id))
    return sorted(docs, key=lambda d: order.get(d.kind, 9))


def document(session: Session, profile: SupplyProfile, kind_es: str) -> tuple[ConnectionDocument, dict]:
    """One connection document by its Spanish kind (contrato, protocolo, estudio) and its parsed body."""
    kind = DOCUMENT_KINDS.get(kind_es)
    doc = session.scalar(select(ConnectionDocument).where(ConnectionDocument.installation_id == profile.installation.id,
                                                          ConnectionDocument.kind == kind)) if kind else None
    if doc is None:
        raise NotFound("No se encontró el documento solicitado.")
    try:
        body = json.loads(doc.body or "{}")
    except ValueError:
        body = {}
    return doc, body if isinstance(body, dict) else {}


def utm_wgs84(profile: SupplyProfile) -> tuple[float, float, str, float, float]:
    """The EG location as UTM WGS84 (x, y, zone) and lon/lat, reprojected from the recorded datum."""
    from geo.crs import from_wgs84, to_wgs84, zone_for_lon

    inst = profile.installation
    lon, lat = to_wgs84(inst.x, inst.y, inst.datum, inst.zone)
    zone = inst.zone if inst.datum == "WGS84" else zone_for_lon(lon)
    x, y = (inst.x, inst.y) if inst.datum == "WGS84" else from_wgs84(lon, lat, "WGS84", zone)
    return float(x), float(y), zone, float(lon), float(lat)

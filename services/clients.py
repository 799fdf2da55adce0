"""Client supplies (Anexo 1 §4): which supplies a person holds, their profile, monthly history and invoices.

Every function that takes a ``client_id`` checks the actor's scope first through
``auth.scope.require_client_access`` (NotFound for anything outside it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import Actor, NotFound, require_client_access, supply_ids
from data.models import (
    Client,
    ClientMonthly,
    Comuna,
    DistributionCompany,
    DistributionTransformer,
    GenerationInstallation,
    Invoice,
    Region,
)
from services.formatting import month_add

HISTORY_MONTHS = 36
MAX_LISTED = 36


@dataclass(frozen=True)
class SupplyProfile:
    """A supply with the records its views need (company, comuna, region, transformer, EG)."""

    client: Client
    company: DistributionCompany
    comuna: Comuna
    region: Region
    transformer: DistributionTransformer
    installation: GenerationInstallation | None

    @property
    def is_eg(self) -> bool:
        """True for a netbilling (EG) supply."""
        return self.installation is not None


def supply_profile(session: Session, actor: Actor, client_id: int) -> SupplyProfile:
    """The scoped supply and its related records."""
    client = require_client_access(session, actor, client_id)
    comuna = session.get(Comuna, client.comuna_code)
    return SupplyProfile(client, session.get(DistributionCompany, client.company_id), comuna,
                         session.get(Region, comuna.region_code), session.get(DistributionTransformer, client.transformer_id),
                         session.scalar(select(GenerationInstallation).where(GenerationInstallation.client_id == client.id)))


def supply_href(client_id: int, is_eg: bool) -> str:
    """The page of a supply: the EG view for netbilling supplies, else the client view."""
    return f"/cliente-eg/{client_id}" if is_eg else f"/cliente/{client_id}"


def list_supplies(session: Session, actor: Actor) -> list[dict]:
    """The supplies a client user holds, with what is needed to choose one."""
    ids = supply_ids(session, actor)
    if not ids:
        return []
    eg = set(session.scalars(select(GenerationInstallation.client_id).where(GenerationInstallation.client_id.in_(ids))))
    rows = session.execute(
        select(Client, Comuna.name, DistributionCompany.name).join(Comuna, Comuna.code == Client.comuna_code)
        .join(DistributionCompany, DistributionCompany.id == Client.company_id)
        .where(Client.id.in_(ids)).order_by(Client.client_number))
    return [dict(id=c.id, client_number=c.client_number, name=c.name, address=c.address, comuna=comuna,
                 company=company, is_eg=c.id in eg, href=supply_href(c.id, c.id in eg)) for c, comuna, company in rows]


def last_billed_month(session: Session, client_id: int) -> dt.date | None:
    """The latest month with a billed consumption record."""
    return session.scalar(select(func.max(ClientMonthly.month)).where(ClientMonthly.client_id == client_id))


def month_window(last: dt.date, count: int) -> list[dt.date]:
    """``count`` month starts ending at ``last`` (oldest first)."""
    return [month_add(last, -i) for i in range(count - 1, -1, -1)]


def monthly_history(session: Session, actor: Actor, client_id: int, months: int = HISTORY_MONTHS) -> list[ClientMonthly]:
    """The billed months of the last ``months`` months ending at the last billed month (oldest first)."""
    require_client_access(session, actor, client_id)
    last = last_billed_month(session, client_id)
    if last is None:
        return []
    first = month_add(last, -(months - 1))
    return list(session.scalars(select(ClientMonthly).where(ClientMonthly.client_id == client_id,
                                                            ClientMonthly.month >= first, ClientMonthly.month <= last)
                                .order_by(ClientMonthly.month)))


@dataclass(frozen=True)
class DocumentFilter:
    """Search criteria for invoices and annexes (already validated)."""

    number: str | None = None
    period: dt.date | None = None
    amount_min: int | None = None
    amount_max: int | None = None

    @property
    def active(self) -> bool:
        """True when any criterion is set."""
        return any(v is not None for v in (self.number, self.period, self.amount_min, self.amount_max))

    def describe(self) -> str:
        """The criteria in Spanish, for the page and the PDF."""
        from services.formatting import fmt_clp, fmt_month

        parts = []
        if self.number:
            parts.append(f"número contiene «{self.number}»")
        if self.period:
            parts.append(f"período {fmt_month(self.period)}")
        if self.amount_min is not None:
            parts.append(f"monto desde {fmt_clp(self.amount_min)}")
        if self.amount_max is not None:
            parts.append(f"monto hasta {fmt_clp(self.amount_max)}")
        return ", ".join(parts)


def validate_filter(number: str | None, period: dt.date | None, amount_min: int | None, amount_max: int | None) -> DocumentFilter:
    """Check the search criteria (number characters, amount range order) or raise ValueError."""
    import re

    if number is not None:
        number = number.strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{1,20}", number):
            raise ValueError("El número sólo puede tener letras y dígitos (hasta 20).")
    for value in (amount_min, amount_max):
        if value is not None and not 0 <= value <= 10**12:
            raise ValueError("Los montos deben estar entre $ 0 y $ 1.000.000.000.000.")
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        raise ValueError("El monto mínimo no puede ser mayor que el máximo.")
    return DocumentFilter(number or None, period, amount_min, amount_max)


def apply_document_filter(query, model, amount_column, flt: DocumentFilter):
    """Add the criteria of ``flt`` to a select of invoices or annexes."""
    if flt.number:
        query = query.where(model.number.contains(flt.number))
    if flt.period:
        query = query.where(model.period == flt.period)
    if flt.amount_min is not None:
        query = query.where(amount_column >= flt.amount_min)
    if flt.amount_max is not None:
        query = query.where(amount_column <= flt.amount_max)
    return query


def search_invoices(session: Session, actor: Actor, client_id: int, flt: DocumentFilter = DocumentFilter(),
                    limit: int = MAX_LISTED, offset: int = 0) -> tuple[list[Invoice], int]:
    """The supply's invoices (newest first) matching ``flt``: one page and the total count."""
    require_client_access(session, actor, client_id)
    query = apply_document_filter(select(Invoice).where(Invoice.client_id == client_id), Invoice, Invoice.total_clp, flt)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Invoice.period.desc(), Invoice.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def get_invoice(session: Session, actor: Actor, client_id: int, number: str) -> Invoice:
    """One invoice of the supply by its number, or NotFound."""
    require_client_access(session, actor, client_id)
    invoice = session.scalar(select(Invoice).where(Invoice.client_id == client_id, Invoice.number == number))
    if invoice is None:
        raise NotFound("No se encontró la boleta o factura solicitada.")
    return invoice


def invoice_history(session: Session, client_id: int, period: dt.date, months: int = 13) -> list[ClientMonthly]:
    """The consumption of the ``months`` months ending at ``period`` (the bar chart of a bill)."""
    first = month_add(period, -(months - 1))
    return list(session.scalars(select(ClientMonthly).where(ClientMonthly.client_id == client_id,
                                                            ClientMonthly.month >= first, ClientMonthly.month <= period)
                                .order_by(ClientMonthly.month)))


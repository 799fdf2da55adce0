"""Client search for SEC auditors and company operators (Anexo 1 §3.2, fig. 20-21)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from auth.scope import AccessDenied, Actor
from data.models import Client, DistributionCompany, GenerationInstallation
from services.rut import format_rut, rut_search_key
from services.search import fold_text

SEARCH_FIELDS = {"numero": "N° cliente", "direccion": "Dirección o nombre", "rut": "RUT"}
MAX_RESULTS = 2000  # bounded: refine the search beyond this


@dataclass(frozen=True)
class ClientHit:
    """One row of the result grid."""

    client_id: int
    name: str
    rut: str
    address: str
    client_number: str
    company: str
    has_eg: bool

    @property
    def href(self) -> str:
        """The client's view, or the EG view when the client has generation (fig. 21)."""
        return f"/cliente-eg/{self.client_id}" if self.has_eg else f"/cliente/{self.client_id}"


def search_clients(session: Session, actor: Actor, by: str, text: str, limit: int = MAX_RESULTS) -> tuple[list[ClientHit], int]:
    """Clients matching ``text`` partially on ``by``; operators only see their company. Returns (hits, total)."""
    if actor.role not in ("sec", "operator"):
        raise AccessDenied()
    if by not in SEARCH_FIELDS:
        raise ValueError("criterio de búsqueda desconocido")
    if by == "rut":
        needle = rut_search_key(text)
        column = func.replace(Client.rut, "-", "")
    elif by == "numero":
        needle = "".join(text.split())
        column = Client.client_number
    else:
        needle = fold_text(text)
        column = Client.search_text
    if not needle:
        return [], 0
    where = [column.contains(needle, autoescape=True)]  # rut_search_key upper-cases a K check digit
    if actor.role == "operator":
        where.append(Client.company_id == actor.company_id)
    total = session.scalar(select(func.count()).select_from(Client).where(*where)) or 0
    has_eg = exists().where(GenerationInstallation.client_id == Client.id)
    stmt = (select(Client.id, Client.name, Client.rut, Client.address, Client.client_number, DistributionCompany.code,
                   has_eg.label("has_eg"))
            .join(DistributionCompany, DistributionCompany.id == Client.company_id)
            .where(*where).order_by(Client.name, Client.client_number).limit(limit))
    hits = [ClientHit(r.id, r.name, format_rut(r.rut), r.address, r.client_number, r.code, bool(r.has_eg))
            for r in session.execute(stmt)]
    return hits, total

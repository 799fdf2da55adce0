"""Simple transformer search (Anexo 1 §2.4, fig. 15): by transformer plate, pole plate or client number.

Matching is exact after trimming and case-folding. Several companies may use the same plate
format, so a search returns every match and the caller offers a choice when there is more than
one. A client-number search reveals only the transformer, never the client's personal data.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import Client, Comuna, DistributionCompany, DistributionTransformer, Feeder, Substation
from services.audit import record_access

CRITERIA = {"placa": "placa del transformador", "poste": "placa del poste", "cliente": "número de cliente"}
MAX_IDENTIFIER = 40
MAX_HITS = 20


class SearchError(ValueError):
    """A search that cannot run (Spanish message)."""


@dataclass(frozen=True)
class TransformerHit:
    """A matching transformer with the context shown in the choice list and the API."""

    id: int
    code: str
    name: str
    kva: float
    pole_plate: str
    company: str
    comuna: str
    feeder_id: int
    feeder_code: str
    feeder_name: str
    substation_id: int
    substation_name: str

    @property
    def href(self) -> str:
        """The transformer's detail page."""
        return f"/red/transformador/{self.id}"

    def to_dict(self) -> dict:
        """JSON representation (with the detail URL)."""
        return {**asdict(self), "href": self.href}


@dataclass(frozen=True)
class SearchOutcome:
    """The criterion used, the normalised identifier and the transformers found."""

    criterion: str
    identifier: str
    hits: list[TransformerHit]

    @property
    def message(self) -> str:
        """A Spanish summary for the page and the API."""
        label = CRITERIA[self.criterion]
        if not self.hits:
            return f"No se encontró ningún transformador con {label} «{self.identifier}». Revise el identificador."
        if len(self.hits) == 1:
            return f"Transformador {self.hits[0].code} encontrado por {label}."
        return (f"La {label} «{self.identifier}» existe en {len(self.hits)} transformadores (de distintas empresas o "
                f"redes). Elija el que busca.")


def parse_criteria(placa: str | None = None, poste: str | None = None, cliente: str | None = None) -> tuple[str, str]:
    """Exactly one non-empty identifier, trimmed, as (criterion, value)."""
    given = {k: " ".join((v or "").split()) for k, v in (("placa", placa), ("poste", poste), ("cliente", cliente))}
    given = {k: v for k, v in given.items() if v}
    if not given:
        raise SearchError("Ingrese la placa del transformador, la placa del poste o el número de cliente.")
    if len(given) > 1:
        raise SearchError("Ingrese solo un identificador: placa del transformador, placa del poste o número de cliente.")
    criterion, value = next(iter(given.items()))
    if len(value) > MAX_IDENTIFIER:
        raise SearchError(f"El identificador no puede superar {MAX_IDENTIFIER} caracteres.")
    return criterion, value


def _transformer_ids(session: Session, criterion: str, value: str) -> list[int]:
    key = value.upper()
    if criterion == "placa":
        stmt = select(DistributionTransformer.id).where(func.upper(DistributionTransformer.code) == key)
    elif criterion == "poste":
        stmt = select(DistributionTransformer.id).where(func.upper(DistributionTransformer.pole_plate) == key)
    else:
        # No DISTINCT in SQL: with it PostgreSQL may walk the transformer_id index instead of the lookup index.
        stmt = select(Client.transformer_id).where(func.upper(Client.client_number) == key)
    return list(dict.fromkeys(session.scalars(stmt.limit(MAX_HITS * 5))))[:MAX_HITS]


def transformer_hits(session: Session, ids: list[int]) -> list[TransformerHit]:
    """Summaries of the given transformers, ordered by company and plate."""
    if not ids:
        return []
    rows = session.execute(
        select(DistributionTransformer, DistributionCompany.name, Comuna.name, Feeder.code, Feeder.name,
               Substation.id, Substation.name)
        .join(DistributionCompany, DistributionCompany.id == DistributionTransformer.company_id)
        .join(Comuna, Comuna.code == DistributionTransformer.comuna_code)
        .join(Feeder, Feeder.id == DistributionTransformer.feeder_id)
        .join(Substation, Substation.id == Feeder.substation_id)
        .where(DistributionTransformer.id.in_(ids))
        .order_by(DistributionCompany.name, DistributionTransformer.code))
    return [TransformerHit(t.id, t.code, t.name, t.kva, t.pole_plate, company, comuna, t.feeder_id, f_code, f_name,
                           s_id, s_name) for t, company, comuna, f_code, f_name, s_id, s_name in rows]


def log_search(session: Session, actor: Actor, outcome: SearchOutcome) -> None:
    """Record a search in the access log (a client number is personal data: only its use is logged)."""
    detail = "cliente=(omitido)" if outcome.criterion == "cliente" else f"{outcome.criterion}={outcome.identifier}"
    record_access(session, actor, "search", target="buscar-transformador", object_type="transformer",
                  object_id=",".join(str(h.id) for h in outcome.hits)[:64], detail=detail)


def search_transformer(session: Session, actor: Actor, *, placa: str | None = None, poste: str | None = None,
                       cliente: str | None = None, log: bool = True) -> SearchOutcome:
    """Resolve one identifier to the transformers it designates (and log the search unless ``log`` is False)."""
    criterion, value = parse_criteria(placa, poste, cliente)
    outcome = SearchOutcome(criterion, value, transformer_hits(session, _transformer_ids(session, criterion, value)))
    if log:
        log_search(session, actor, outcome)
    return outcome

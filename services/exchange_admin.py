"""Company operators' side of the exchange: load and batch status, and exchange tokens (scoped to a company)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import AccessDenied, Actor, NotFound
from auth.tokens import issue_token, revoke_token
from data.models import ApiToken, DistributionCompany, ExchangeBatch, InitialLoad


def visible_company(session: Session, actor: Actor, code: str | None = None) -> DistributionCompany:
    """The company whose exchange an actor may see: operators their own; SEC any (default: the first)."""
    if actor.role == "operator":
        company = session.get(DistributionCompany, actor.company_id)
        if code and company.code != code:
            raise NotFound()
        return company
    if actor.role == "sec":
        stmt = select(DistributionCompany).order_by(DistributionCompany.code)
        company = session.scalar(stmt.where(DistributionCompany.code == code) if code else stmt.limit(1))
        if company is None:
            raise NotFound()
        return company
    raise AccessDenied()


def recent_loads(session: Session, company_id: int, limit: int = 50) -> list[InitialLoad]:
    """The company's initial loads, newest first."""
    return list(session.scalars(select(InitialLoad).where(InitialLoad.company_id == company_id)
                                .order_by(InitialLoad.id.desc()).limit(limit)))


def recent_batches(session: Session, company_id: int, limit: int = 200) -> list[ExchangeBatch]:
    """The company's delta batches (accepted and rejected), newest first."""
    return list(session.scalars(select(ExchangeBatch).where(ExchangeBatch.company_id == company_id)
                                .order_by(ExchangeBatch.received_at.desc(), ExchangeBatch.id.desc()).limit(limit)))


def _operator_company(actor: Actor) -> int:
    if actor.role != "operator" or actor.company_id is None:
        raise AccessDenied("Sólo los operadores de una empresa administran sus tokens.")
    return actor.company_id


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    """The operator's company exchange tokens (prefix only; secrets are never stored)."""
    company_id = _operator_company(actor)
    return list(session.scalars(select(ApiToken).where(ApiToken.company_id == company_id, ApiToken.scope == "exchange")
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())))


def create_token(session: Session, actor: Actor, name: str) -> tuple[str, ApiToken]:
    """Issue an exchange token for the operator's company; the plaintext is returned once."""
    company_id = _operator_company(actor)
    name = (name or "").strip()
    if not 3 <= len(name) <= 120:
        raise ValueError("Indique un nombre de 3 a 120 caracteres para el token.")
    return issue_token(session, "exchange", name, company_id=company_id)


def revoke_company_token(session: Session, actor: Actor, token_id: int) -> bool:
    """Revoke one of the operator's company tokens (False when not theirs or already revoked)."""
    return revoke_token(session, token_id, company_id=_operator_company(actor))

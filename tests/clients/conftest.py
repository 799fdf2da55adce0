"""Fixtures for the client/EG tests: the demo users' supplies and a victim supply nobody in the test holds."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select


@dataclass(frozen=True)
class Supplies:
    """Client ids found in the seeded database (never hard-coded)."""

    cliente: list[int]
    cliente2: int
    eg: int
    victim_eg: int  # an EG supply held by none of the demo users
    victim_number: str
    victim_strings: tuple[str, ...]  # things of the victim that must never appear in another user's response
    victim_invoice: str
    victim_annex: str
    eg_company: int


def supplies_of(session) -> Supplies:
    """Look the demo supplies up in a seeded database."""
    from data.models import Client, GenerationInstallation, InjectionAnnex, Invoice, User, UserSupply
    from services.rut import format_rut

    def held(username):
        return list(session.scalars(select(UserSupply.client_id).join(User, User.id == UserSupply.user_id)
                                    .where(User.username == username).order_by(UserSupply.client_id)))

    cliente, cliente2, eg = held("cliente"), held("cliente2"), held("cliente_eg")
    taken = set(cliente + cliente2 + eg)
    eg_client = session.get(Client, eg[0])
    victim = session.scalars(select(Client).join(GenerationInstallation, GenerationInstallation.client_id == Client.id)
                             .where(Client.id.not_in(taken), Client.company_id == eg_client.company_id)
                             .order_by(Client.id)).first()
    invoice = session.scalar(select(Invoice.number).where(Invoice.client_id == victim.id).order_by(Invoice.period.desc()))
    annex = session.scalar(select(InjectionAnnex.number).where(InjectionAnnex.client_id == victim.id)
                           .order_by(InjectionAnnex.period.desc()))
    strings = (victim.name, victim.rut, format_rut(victim.rut), victim.client_number, victim.address)
    return Supplies(cliente, cliente2[0], eg[0], victim.id, victim.client_number, strings, invoice, annex,
                    eg_client.company_id)


@pytest.fixture(scope="session")
def supplies(shared_app) -> Supplies:
    """The demo supplies of the shared tiny database."""
    with shared_app.extensions["db"].session() as session:
        return supplies_of(session)

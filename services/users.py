"""User accounts: creation by operators/seeding, supplies, and the demo accounts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.passwords import check_policy, hash_password
from data.models import ROLES, Client, DistributionCompany, GenerationInstallation, SupervisedCompany, User, UserSupply
from services.rut import normalize_rut

DEMO_PASSWORD = "RedAbierta2026"


class UserError(ValueError):
    """An invalid or duplicate account."""


def create_user(session: Session, username: str, password: str, role: str, email: str, *, rut: str | None = None,
                full_name: str = "", company_code: str | None = None, supply_numbers: list[str] | None = None,
                must_change_password: bool = False, supervised_company_code: str | None = None) -> User:
    """Create a user after validating role, uniqueness, RUT and password policy."""
    if role not in ROLES:
        raise UserError(f"Rol desconocido: {role}")
    check_policy(password, username)
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise UserError("El nombre de usuario ya está registrado.")
    if session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        raise UserError("El correo ya está registrado.")
    rut_norm = normalize_rut(rut) if rut else None
    if rut_norm and session.scalar(select(User.id).where(User.rut == rut_norm)):
        raise UserError("El RUT ya está registrado.")
    company_id = None
    if company_code:
        company_id = session.scalar(select(DistributionCompany.id).where(DistributionCompany.code == company_code))
        if company_id is None:
            raise UserError(f"Empresa desconocida: {company_code}")
    if role == "operator" and company_id is None:
        raise UserError("Un operador debe pertenecer a una empresa (--company).")
    rt_company_id = None
    if supervised_company_code:
        rt_company_id = session.scalar(select(SupervisedCompany.id).where(SupervisedCompany.code == supervised_company_code))
    user = User(username=username, email=email, rut=rut_norm, full_name=full_name, password_hash=hash_password(password),
                role=role, company_id=company_id, must_change_password=must_change_password,
                supervised_company_id=rt_company_id)
    session.add(user)
    session.flush()
    for number in supply_numbers or []:
        client_id = session.scalar(select(Client.id).where(Client.client_number == number))
        if client_id is None:
            raise UserError(f"Suministro desconocido: {number}")
        session.add(UserSupply(user_id=user.id, client_id=client_id))
    session.flush()
    return user


@dataclass(frozen=True)
class DemoAccount:
    """A demo account created by seeding (listed in the README)."""

    username: str
    role: str
    description: str


def create_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create one account per role (two clients and two operators for isolation checks)."""
    companies = list(session.scalars(select(DistributionCompany).order_by(DistributionCompany.id)))
    eg_clients = list(session.execute(
        select(Client.client_number, Client.name, Client.rut).join(GenerationInstallation, GenerationInstallation.client_id == Client.id)
        .order_by(Client.id).limit(2)))
    eg_numbers = {n for n, _, _ in eg_clients}
    plain = [row for row in session.execute(
        select(Client.client_number, Client.name, Client.rut, Client.company_id).order_by(Client.id).limit(40))
        if row[0] not in eg_numbers]
    accounts = [
        ("publico", "public", "publico@example.cl", {}, "Usuario registrado del perfil público"),
        ("cliente", "client", "cliente@example.cl", {"supply_numbers": [plain[0][0], plain[1][0]], "full_name": plain[0][1]},
         f"Cliente con dos suministros ({plain[0][0]}, {plain[1][0]})"),
        ("cliente2", "client", "cliente2@example.cl", {"supply_numbers": [plain[2][0]], "full_name": plain[2][1]},
         f"Otro cliente ({plain[2][0]}), para pruebas de aislamiento"),
        ("cliente_eg", "eg_client", "cliente.eg@example.cl",
         {"supply_numbers": [eg_clients[0][0]], "full_name": eg_clients[0][1]}, f"Cliente EG (netbilling) {eg_clients[0][0]}"),
        ("sec", "sec", "auditor@sec.example.cl", {"full_name": "Auditor SEC"}, "Auditor SEC"),
        ("operador_" + companies[0].code.lower(), "operator", f"operador@{companies[0].code.lower()}.example.cl",
         {"company_code": companies[0].code}, f"Operador de {companies[0].name}"),
        ("operador_" + companies[1].code.lower(), "operator", f"operador@{companies[1].code.lower()}.example.cl",
         {"company_code": companies[1].code}, f"Operador de {companies[1].name}"),
        ("supervisor", "supervisor", "supervisor@cso.example.pe", {"full_name": "Supervisor CSO"},
         "Supervisor del Centro de Supervisión (OSINERGMIN)"),
    ]
    created = []
    for username, role, email, extra, description in accounts:
        if session.scalar(select(User.id).where(User.username == username)):
            continue
        create_user(session, username, DEMO_PASSWORD, role, email, **extra)
        created.append(DemoAccount(username, role, description))
    return created

"""The registry: supervised companies, installations and signals (Arts. 4.2, 5–7; Annex 5.1)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import AccessDenied, Actor, NotFound
from data.models import RtInstallation, Signal, SupervisedCompany
from geo.crs import PERU_ZONES, to_wgs84
from realtime import naming, states

ACTIVITIES = {"exploitation": "Explotación", "processing": "Procesamiento", "transport": "Transporte por ductos"}
# What each activity must send (Arts. 5-7): the groups a signal may belong to.
ACTIVITY_GROUPS = {
    "exploitation": {"5a": "Producción de gas natural húmedo por lote", "5b": "Gas seco reinyectado por lote",
                     "5c": "Alarmas de emergencia en instalaciones de superficie"},
    "processing": {"6a": "Gas húmedo que ingresa a la planta", "6b": "Gas seco producido / entregado",
                   "6c": "LGN producido / entregado", "6d": "LGN que ingresa a fraccionamiento",
                   "6e": "Nivel de LGN almacenado", "6f": "Productos de procesamiento y fraccionamiento",
                   "6g": "Tanques de productos de fraccionamiento", "6h": "Gas seco a licuefacción",
                   "6i": "GNL producido", "6j": "Nivel de GNL en tanques", "6k": "Alarmas de emergencia en plantas"},
    "transport": {"7a": "Presión en estaciones (ingreso/salida)", "7b": "Presión en puntos de entrega",
                  "7c": "Volumen entregado a usuarios", "7d": "Volumen de linepack", "7e": "Caudal en estaciones",
                  "7f": "Caudal en puntos de entrega", "7g": "Temperatura en estaciones",
                  "7h": "Temperatura en puntos de entrega", "7i": "Alarmas de emergencia del transporte"},
}


class RegistryError(ValueError):
    """Invalid registry data (message in Spanish)."""


@dataclass(frozen=True)
class SignalSpec:
    """Input model of a signal to register."""

    code: str
    description: str
    unit: str = ""
    nominal_value: float | None = None
    group: str = ""
    is_emergency: bool = False


def require_supervisor_or_own(actor: Actor, company_id: int) -> None:
    """Supervisors see every company; a gas company (token or user) only its own."""
    if actor.role == "supervisor":
        return
    if actor.supervised_company_id is not None and actor.supervised_company_id == company_id:
        return
    raise NotFound()


def visible_companies(session: Session, actor: Actor) -> list[SupervisedCompany]:
    """Companies the actor may see, by code."""
    query = select(SupervisedCompany).order_by(SupervisedCompany.code)
    if actor.role != "supervisor":
        if actor.supervised_company_id is None:
            return []
        query = query.where(SupervisedCompany.id == actor.supervised_company_id)
    return list(session.scalars(query))


def company_by_code(session: Session, actor: Actor, code: str) -> SupervisedCompany:
    """A visible company by its code, or NotFound."""
    company = session.scalar(select(SupervisedCompany).where(SupervisedCompany.code == (code or "").upper()))
    if company is None:
        raise NotFound()
    require_supervisor_or_own(actor, company.id)
    return company


def register_company(session: Session, code: str, name: str, ruc: str, activity: str, domain: str,
                     incorporated_on: dt.date | None = None, state_mapping: dict | None = None) -> SupervisedCompany:
    """Create a supervised company after validating code, RUC, activity and state mapping."""
    if not re.fullmatch(r"[A-Z]{2,6}", code or ""):
        raise RegistryError("El código de empresa debe tener 2 a 6 letras mayúsculas.")
    if activity not in ACTIVITIES:
        raise RegistryError(f"Actividad desconocida: {activity}")
    if not (ruc.isdigit() and len(ruc) == 11):
        raise RegistryError("El RUC debe tener 11 dígitos.")
    company = SupervisedCompany(code=code, name=name, ruc=ruc, activity=activity, domain=domain.lower(),
                                incorporated_on=incorporated_on,
                                state_mapping=states.validate_mapping(state_mapping or states.IDENTITY_MAPPING),
                                status="operating" if incorporated_on else "registered")
    session.add(company)
    session.flush()
    return company


def add_installation(session: Session, company: SupervisedCompany, code: str, name: str, x: float, y: float,
                     zone: str, datum: str = "WGS84") -> RtInstallation:
    """Register an installation with its UTM coordinates as recorded (Art. 4.2)."""
    prefix = code[:2]
    if prefix not in naming.INSTALLATION_KINDS or not code[2:].isdigit() or len(code) != 4:
        raise RegistryError(f"Código de instalación inválido: {code}")
    if datum != "WGS84" or zone not in PERU_ZONES:
        raise RegistryError("Las coordenadas deben ser UTM WGS84, husos 17S, 18S o 19S.")
    lon, lat = to_wgs84(x, y, datum, zone)
    if not (-82.0 <= lon <= -68.0 and -18.6 <= lat <= 0.2):
        raise RegistryError("Las coordenadas no caen en el territorio del Perú.")
    inst = RtInstallation(company_id=company.id, code=code, name=name, kind=naming.INSTALLATION_KINDS[prefix][0],
                          x=x, y=y, datum=datum, zone=zone)
    session.add(inst)
    session.flush()
    return inst


def add_signal(session: Session, company: SupervisedCompany, spec: SignalSpec) -> Signal:
    """Register a signal whose code follows the mnemonic convention of this company and installation."""
    parsed = naming.parse_code(spec.code)
    if parsed.company != company.code:
        raise RegistryError(f"El código {spec.code} no comienza con el código de la empresa {company.code}.")
    inst = session.scalar(select(RtInstallation).where(RtInstallation.company_id == company.id,
                                                       RtInstallation.code == parsed.installation))
    if inst is None:
        raise RegistryError(f"La instalación {parsed.installation} no está registrada.")
    if spec.group and spec.group not in ACTIVITY_GROUPS[company.activity]:
        raise RegistryError(f"El grupo {spec.group} no corresponde a la actividad {ACTIVITIES[company.activity]}.")
    if parsed.kind == "measure" and not spec.nominal_value:
        raise RegistryError(f"La medida {spec.code} necesita un valor nominal (banda muerta).")
    signal = Signal(company_id=company.id, installation_id=inst.id, code=spec.code, kind=parsed.kind,
                    variable=parsed.variable, description=spec.description, unit=spec.unit,
                    nominal_value=spec.nominal_value, group=spec.group, is_flow=parsed.is_flow,
                    is_emergency=spec.is_emergency or parsed.kind == "alarm", under_maintenance=False)
    session.add(signal)
    session.flush()
    return signal


def installations(session: Session, company_ids: list[int]) -> list[RtInstallation]:
    """Installations of the given companies."""
    if not company_ids:
        return []
    return list(session.scalars(select(RtInstallation).where(RtInstallation.company_id.in_(company_ids))
                                .order_by(RtInstallation.company_id, RtInstallation.code)))


def installation_for(session: Session, actor: Actor, installation_id: int) -> RtInstallation:
    """An installation the actor may see, or NotFound."""
    inst = session.get(RtInstallation, installation_id)
    if inst is None:
        raise NotFound()
    require_supervisor_or_own(actor, inst.company_id)
    return inst


def signals_of(session: Session, company_id: int, installation_id: int | None = None) -> list[Signal]:
    """Signals of a company (optionally one installation), by code."""
    query = select(Signal).where(Signal.company_id == company_id)
    if installation_id is not None:
        query = query.where(Signal.installation_id == installation_id)
    return list(session.scalars(query.order_by(Signal.code)))


def set_state_mapping(session: Session, actor: Actor, company: SupervisedCompany, mapping: dict) -> None:
    """Change a company's raw -> norm state mapping (supervisors only)."""
    if actor.role != "supervisor":
        raise AccessDenied()
    company.state_mapping = states.validate_mapping(mapping)

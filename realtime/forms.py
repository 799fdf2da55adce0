"""The "Formulario de conexión al sistema" (Appendix A), its review workflow and the Appendix B data."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import AccessDenied, Actor, NotFound
from data.models import ConnectionForm, SupervisedCompany
from realtime.registry import require_supervisor_or_own

FIELDS = {
    "sender": "1. Razón social del remitente",
    "contact_name": "2. Nombre del personal de contacto",
    "contact_email": "3. Correo electrónico del personal de contacto",
    "contact_phones": "4. Teléfono y/o celular del personal de contacto",
    "carrier": "5. Portador de servicios de datos (empresa de telecomunicaciones)",
    "carrier_email": "6. Correo electrónico del personal de la empresa de telecomunicaciones",
    "connection_date": "7. Fecha prevista de conexión al Sistema",
    "activation_date": "8. Fecha prevista de activación en el Sistema",
    "protocols": "9. Protocolo(s) usado(s)",
    "on_corporate_network": "10. ¿El servidor o cliente está conectado a la red local corporativa?",
}
PROTOCOLS = ("ICCP/TASE.2 sobre TCP/IP", "ICCP/TASE.2 sobre OSI", "MQTT (pasarela ICCP)")
STATUS_LABELS = {"submitted": "Presentado", "clarification": "Requiere aclaración", "approved": "Aprobado",
                 "rejected": "Rechazado"}
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


class FormError(ValueError):
    """A form that fails its checks; ``problems`` maps field -> Spanish message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def check(company: SupervisedCompany, data: dict) -> dict:
    """Validate the Appendix A fields; returns the normalised data or raises ``FormError``."""
    problems: dict[str, str] = {}
    clean: dict = {}
    for key in ("sender", "contact_name", "carrier"):
        value = str(data.get(key) or "").strip()
        if not value:
            problems[key] = f"Complete «{FIELDS[key]}»."
        clean[key] = value[:200]
    email = str(data.get("contact_email") or "").strip().lower()
    domain = email.rsplit("@", 1)[-1]
    if not EMAIL_RE.match(email):
        problems["contact_email"] = "El correo del contacto no es válido."
    elif domain != company.domain and not domain.endswith("." + company.domain):
        problems["contact_email"] = f"El correo del contacto debe tener el dominio de la empresa ({company.domain})."
    clean["contact_email"] = email
    raw_phones = data.get("contact_phones") or []
    if isinstance(raw_phones, str):
        raw_phones = re.split(r"[;,\n]", raw_phones)
    phones = [p.strip() for p in raw_phones if str(p).strip()]
    digits = {re.sub(r"\D", "", p) for p in phones}
    if any(not PHONE_RE.match(p) for p in phones):
        problems["contact_phones"] = "Hay teléfonos con formato inválido."
    elif len(digits) < 2:
        problems["contact_phones"] = "Indique por lo menos dos números de teléfono distintos."
    clean["contact_phones"] = phones
    carrier_email = str(data.get("carrier_email") or "").strip().lower()
    if not EMAIL_RE.match(carrier_email):
        problems["carrier_email"] = "El correo del personal de telecomunicaciones no es válido."
    clean["carrier_email"] = carrier_email
    conn, act = _date(data.get("connection_date")), _date(data.get("activation_date"))
    if conn is None:
        problems["connection_date"] = "Indique la fecha prevista de conexión (AAAA-MM-DD)."
    if act is None:
        problems["activation_date"] = "Indique la fecha prevista de activación (AAAA-MM-DD)."
    elif conn is not None and act < conn:
        problems["activation_date"] = "La activación no puede ser anterior a la conexión de la línea."
    clean["connection_date"] = conn.isoformat() if conn else None
    clean["activation_date"] = act.isoformat() if act else None
    protocols = data.get("protocols") or []
    if isinstance(protocols, str):
        protocols = [protocols]
    if not protocols or any(p not in PROTOCOLS for p in protocols):
        problems["protocols"] = "Seleccione el/los protocolo(s) de la lista."
    clean["protocols"] = list(protocols)
    corporate = data.get("on_corporate_network")
    if corporate in (True, "si", "sí", "Sí", "yes", "true", 1, "1"):
        problems["on_corporate_network"] = "El servidor del protocolo no debe estar conectado a la red corporativa."
    elif corporate not in (False, "no", "No", "false", 0, "0"):
        problems["on_corporate_network"] = "Indique si el servidor está conectado a la red corporativa (Sí/No)."
    clean["on_corporate_network"] = False
    if problems:
        raise FormError(problems)
    return clean


def submit(session: Session, actor: Actor, company: SupervisedCompany, data: dict, today: dt.date) -> ConnectionForm:
    """Submit (or resubmit after a clarification request) a company's form; field 11 is set on receipt."""
    require_supervisor_or_own(actor, company.id)
    clean = check(company, data)
    clean["received_on"] = today.isoformat()  # "Sección a ser llenada por Osinergmin"
    form = ConnectionForm(company_id=company.id, data=clean, status="submitted", review_note="")
    session.add(form)
    session.flush()
    return form


def get_form(session: Session, actor: Actor, form_id: int) -> ConnectionForm:
    """A form the actor may see."""
    form = session.get(ConnectionForm, form_id)
    if form is None:
        raise NotFound()
    require_supervisor_or_own(actor, form.company_id)
    return form


def list_forms(session: Session, actor: Actor) -> list[ConnectionForm]:
    """Forms the actor may see, newest first."""
    query = select(ConnectionForm).order_by(ConnectionForm.id.desc())
    if actor.role != "supervisor":
        query = query.where(ConnectionForm.company_id == (actor.supervised_company_id or -1))
    return list(session.scalars(query))


def review(session: Session, actor: Actor, form: ConnectionForm, decision: str, note: str, at: dt.datetime) -> ConnectionForm:
    """Approve, reject or ask for clarification (supervisors); approval issues the Appendix B data."""
    if actor.role != "supervisor":
        raise AccessDenied("Sólo el supervisor del CSO revisa formularios.")
    if form.status != "submitted":
        raise FormError({"status": f"El formulario ya fue revisado ({STATUS_LABELS.get(form.status, form.status)})."})
    if decision not in ("approved", "rejected", "clarification"):
        raise FormError({"decision": "Decisión inválida."})
    if decision != "approved" and not note.strip():
        raise FormError({"note": "Indique el motivo del rechazo o la aclaración requerida."})
    form.status = decision
    form.reviewed_by = actor.username
    form.reviewed_at = at
    form.review_note = note.strip()[:2000]
    if decision == "approved":
        company = session.get(SupervisedCompany, form.company_id)
        form.server_config = server_config(company)
        if company.status == "registered":
            company.status = "approved"
    session.flush()
    return form


def server_config(company: SupervisedCompany) -> dict:
    """Appendix B: configuration data of both ICCP ends for one company (deterministic per company)."""
    n = company.id
    return {
        "osinergmin": {
            "ip_primary": f"192.168.{10 + n}.10", "ip_secondary": f"192.168.{10 + n}.11",
            "arname": f"OSINERGMIN_{company.code}_VCC", "domain": "OSINERGMIN_CSO",
            "psel": "00000001", "ssel": "0001", "tsel": "0001", "ap_title": f"1.3.9999.{n}.1",
            "ap_qualifier": 1, "bilateral_table": "VER_0", "iccp_version": "2000-08", "initiator": True,
        },
        "company": {
            "ip_primary": f"192.168.{10 + n}.20", "ip_secondary": f"192.168.{10 + n}.21",
            "arname": f"{company.code}_VCC", "domain": company.code,
            "psel": "00000001", "ssel": "0001", "tsel": "0001", "ap_title": f"1.3.9999.{n}.2",
            "ap_qualifier": 2, "bilateral_table": "VER_0", "iccp_version": "2000-08", "initiator": False,
        },
        "protocol": {"standard": "IEC 60870-6 TASE.2 versión 2000-08", "tcp_port": 102, "blocks": [1, 2],
                     "note": "OSINERGMIN ES EL INICIADOR ICCP"},
        "gateway": {"mqtt_topic_data": f"cso/{company.code}/data", "mqtt_topic_status": f"cso/{company.code}/status",
                    "mqtt_username": company.code, "qos": 1,
                    "http_endpoint": "/api/v1/realtime/batches"},
    }

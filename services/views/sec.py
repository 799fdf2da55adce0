"""SEC auditor views: client search (fig. 20-21) and the audit trail of SEC users' accesses."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from auth.policy import roles
from auth.scope import Actor
from reports.model import Column, Report, Table, Text
from reports.views import VIEWS, optional, str_param, view
from services.audit_trail import ACTION_LABELS, MAX_ROWS, AuditFilters, audit_entries
from services.client_search import MAX_RESULTS, SEARCH_FIELDS, search_clients
from services.formatting import fmt_date, fmt_datetime, fmt_number

CLIENT_SEARCH = roles("sec", "operator", description="SEC auditors; operators within their company")
SEC_ONLY = roles("sec", description="SEC auditors")


def search_field(text: str) -> str:
    """The search criterion: numero, direccion or rut."""
    if text not in SEARCH_FIELDS:
        raise ValueError(f"debe ser uno de {', '.join(SEARCH_FIELDS)}")
    return text


def day_param(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` day."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("debe tener el formato AAAA-MM-DD") from None


@view("sec-clientes", title="Búsqueda de clientes", policy=CLIENT_SEARCH, personal_data=True,
      params={"por": optional(search_field), "q": optional(str_param(80))})
def client_search_view(session: Session, actor: Actor, por: str = "rut", q: str | None = None) -> Report:
    """DETALLE CLIENTES: clients matching the search, linking to the client or EG view."""
    sections = []
    params = {"por": por, **({"q": q} if q else {})}
    if q:
        hits, total = search_clients(session, actor, por, q)
        rows = [{"name": h.name, "rut": h.rut, "address": h.address, "client_number": h.client_number,
                 "company": h.company, "href": h.href, "eg": "EG" if h.has_eg else ""} for h in hits]
        note = f"{fmt_number(total)} clientes coinciden."
        if total > len(rows):
            note += f" Se listan los primeros {fmt_number(MAX_RESULTS)}: acote la búsqueda."
        sections.append(Table("Detalle clientes", "clientes", [
            Column("name", "NOMBRE"), Column("rut", "RUT"), Column("address", "DIRECCIÓN"),
            Column("client_number", "N° CLIENTE", "link", href_key="href"), Column("eg", "EG"),
            Column("company", "EMPRESA")], rows, total=total, note=note,
            empty_text="Ningún cliente coincide con la búsqueda."))
    else:
        sections.append(Text("Buscar cliente", ["Ingrese un N° de cliente, una dirección (o nombre) o un RUT, "
                                                "completo o parcial, y presione BUSCAR."]))
    subtitle = f"{SEARCH_FIELDS[por]} contiene «{q}»" if q else ""
    return Report("sec-clientes", "Búsqueda de clientes", params, sections, subtitle=subtitle,
                  breadcrumb=[("Inicio", "/"), ("Buscar cliente", None)])


@view("sec-auditoria", title="Auditoría de accesos SEC", policy=SEC_ONLY,
      params={"usuario": optional(str_param(64)), "accion": optional(str_param(40)),
              "desde": optional(day_param), "hasta": optional(day_param)})
def audit_view(session: Session, actor: Actor, usuario: str | None = None, accion: str | None = None,
               desde: dt.date | None = None, hasta: dt.date | None = None) -> Report:
    """Every access by SEC users (who, what, when), newest first, with its filters."""
    filters = AuditFilters(usuario, accion, desde, hasta)
    entries, total = audit_entries(session, actor, filters)
    rows = [{"at": fmt_datetime(e.at), "username": e.username, "action": ACTION_LABELS.get(e.action, e.action),
             "target": VIEWS[e.target].title if e.target in VIEWS else e.target, "object": e.object_id,
             "personal": "Sí" if e.personal_data else "No", "ip": e.ip} for e in entries]
    note = f"{fmt_number(total)} accesos registrados con estos filtros (hora de Chile)."
    if total > len(rows):
        note += f" Se muestran y exportan los {fmt_number(MAX_ROWS)} más recientes: acote los filtros."
    params = {k: v for k, v in (("usuario", usuario), ("accion", accion), ("desde", desde), ("hasta", hasta)) if v}
    described = [f"usuario {usuario}" if usuario else "", f"acción {ACTION_LABELS.get(accion, accion)}" if accion else "",
                 f"desde {fmt_date(desde)}" if desde else "", f"hasta {fmt_date(hasta)}" if hasta else ""]
    return Report("sec-auditoria", "Auditoría de accesos SEC", {k: v.isoformat() if isinstance(v, dt.date) else v
                                                                   for k, v in params.items()},
                  [Table("Accesos de usuarios SEC", "accesos", [
                      Column("at", "Fecha y hora"), Column("username", "Usuario"), Column("action", "Acción"),
                      Column("target", "Qué"), Column("object", "Detalle"), Column("personal", "Datos personales"),
                      Column("ip", "IP")], rows, total=total, note=note, empty_text="Sin accesos con estos filtros.")],
                  subtitle=", ".join(d for d in described if d) or "Todos los accesos",
                  breadcrumb=[("Inicio", "/"), ("Auditoría SEC", None)])

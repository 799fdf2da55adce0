"""Feeder detail (Anexo 1 fig. 10-11): data, 12 demands, transformers with MARGEN, map, and the asset search."""
from __future__ import annotations

from sqlalchemy.orm import Session

from auth.policy import NETWORK
from auth.scope import Actor
from data.models import Comuna
from services.capacity.sections import feeder_capacity_sections
from reports.model import Column, KeyValues, Link, MapSection, Report, Table, Text
from reports.views import int_param, optional, str_param, view
from services.formatting import fmt_kv, fmt_month, fmt_number
from services.network import hierarchy as h
from services.network.assets import KINDS, SearchError, equipment_history, search_assets
from services.network.demand import MARGIN_FORMULA, feeder_demands, feeder_transformer_margins
from services.network.maps import feeder_map
from services.views.network_detail import DEMAND_COLUMNS, FEEDER_KINDS, PHASE_TYPES, demand_chart

SEARCH_PAGE_SIZE = 20


def kmz_href(feeder_id: int) -> str:
    """The KMZ plan of a feeder (served by the KMZ export module)."""
    return f"/red/alimentador/{feeder_id}/plano.kmz"


def _kind_param(text: str) -> str:
    if text not in KINDS:
        raise ValueError("debe ser poste, vano o equipo")
    return text


SEARCH_COLUMNS = {
    "poste": [Column("code", "Id poste"), Column("x", "Coordenada X", "number", 1), Column("y", "Coordenada Y", "number", 1),
              Column("datum", "Datum"), Column("zone", "Huso"), Column("voltages", "Tensión media / baja"),
              Column("vnr_code", "Código VNR", "link", href_key="vnr_href")],
    "vano": [Column("code", "Id vano"), Column("from_node", "Nodo origen"), Column("to_node", "Nodo destino"),
             Column("level", "Nivel"), Column("length_m", "Extensión (m)", "number", 1),
             Column("conductor_material", "Material conductor"), Column("conductor_insulation", "Aislación"),
             Column("vnr_code", "Código VNR", "link", href_key="vnr_href"),
             Column("ampacity_a", "Capacidad conductor (A)", "int"), Column("phases", "Fases", "int")],
    "equipo": [Column("code", "Id equipo"), Column("kind", "Tipo equipo"), Column("capacity_text", "Capacidad (A o kVA)"),
               Column("connection", "Conexión"), Column("operating_mode", "Modo operación"),
               Column("voltage_setpoints", "Consignas de tensión"), Column("ratio", "Razón de transformación"),
               Column("vnr_code", "Código VNR", "link", href_key="vnr_href")],
}
HISTORY_COLUMNS = [Column("code", "Id equipo"), Column("month", "Mes", "month"), Column("kind", "Tipo"),
                   Column("capacity_text", "Capacidad"), Column("connection", "Conexión"),
                   Column("operating_mode", "Modo operación"), Column("voltage_setpoints", "Consignas de tensión")]


def search_sections(session: Session, actor: Actor, feeder_id: int, kind: str, q: str, page: int) -> list:
    """The result table of a pole/span/equipment search (and the equipment's monthly history)."""
    label = {"poste": "postes", "vano": "vanos", "equipo": "equipos"}[kind]
    try:
        result = search_assets(session, actor, feeder_id, kind, q, page, SEARCH_PAGE_SIZE)
    except SearchError as exc:
        return [Text("Búsqueda en el alimentador", [str(exc)], "busqueda")]
    pages = max(1, -(-result.total // SEARCH_PAGE_SIZE))
    criterion = f"identificador que contiene «{q}»" if q else "todos los identificadores"
    note = (f"{fmt_number(result.total)} {label} encontrados ({criterion}); página {page} de {pages}, "
            f"{SEARCH_PAGE_SIZE} por página.")
    sections = [Table(f"Búsqueda de {label}", "busqueda", SEARCH_COLUMNS[kind], result.rows, total=result.total,
                      note=note, empty_text=f"No se encontraron {label} con {criterion} en este alimentador.")]
    if kind == "equipo" and result.rows:
        history = equipment_history(session, actor, [r["id"] for r in result.rows])
        sections.append(Table("Información de equipos: historial mensual (12 meses)", "historial-equipos",
                              HISTORY_COLUMNS, history, total=len(history)))
    return sections


@view("detalle-alimentador", shared=True, title="Detalle de alimentador", policy=NETWORK,
      params={"feeder_id": int_param, "tipo": optional(_kind_param), "q": optional(str_param(40)),
              "pagina": optional(int_param)})
def feeder_detail(session: Session, actor: Actor, feeder_id: int, tipo: str | None = None, q: str | None = None,
                  pagina: int | None = None) -> Report:
    """Every field of fig. 10, plus the pole/span/equipment search of fig. 11 when ``tipo`` is given."""
    feeder = h.get_feeder(session, actor, feeder_id)
    sub = feeder.substation
    comuna = session.get(Comuna, feeder.comuna_code)
    company = h.company_name(session, feeder.company_id)
    is_sub = feeder.kind == "sub_feeder"
    items = [
        ("Id alimentador", feeder.code), ("Nombre", feeder.name), ("Tipo", FEEDER_KINDS.get(feeder.kind, feeder.kind)),
        ("Distribuidora propietaria", (feeder.owner_company_name or "—") if is_sub else company),
        ("Nodo de distribución (punto de compra)", (feeder.purchase_point or "—") if is_sub else "No aplica (alimentador)"),
        ("Subestación", Link(f"{sub.code} {sub.name}", f"/red/subestacion/{sub.id}")), ("Comuna", comuna.name),
        ("Tensión nominal", fmt_kv(feeder.nominal_kv)),
        ("Capacidad", f"{fmt_number(feeder.capacity_kva)} kVA ({fmt_number(feeder.capacity_a)} A)"),
        ("Potencia de cortocircuito en cabecera", f"{fmt_number(feeder.short_circuit_kva)} kVA"),
        ("Plano KMZ", Link("Descargar plano KMZ", kmz_href(feeder.id), download=True)),
    ]
    demands = feeder_demands(session, actor, feeder_id)
    margins = feeder_transformer_margins(session, actor, feeder_id)
    for r in margins:
        r["phase_label"] = PHASE_TYPES.get(r["phase_type"], r["phase_type"])
    sections = [
        KeyValues("Alimentador", items, "alimentador", width=5),
        MapSection("Mapa georreferenciado", feeder_map(session, actor, feeder_id), "mapa", 460, width=7,
                   note="Vanos MT (gruesos) y BT (delgados), postes, transformadores y equipos por tipo. "
                        "Pulse un elemento para ver su identificador y el enlace a su ficha."),
        Table("Transformadores y margen", "transformadores", [
            Column("code", "Id transformador", "link", href_key="href"), Column("name", "Nombre"),
            Column("kva", "Capacidad (kVA)", "int"), Column("phase_label", "Tipo"), Column("smmc", "Monitoreo SMMC"),
            Column("max_kw", "Demanda máx. 12 meses (kW)", "number", 1), Column("margin_kw", "Margen (kW)", "number", 1)],
            margins, total=len(margins),
            note=f"{MARGIN_FORMULA} Sin SMMC, la demanda máxima es la estimada por la distribuidora a partir del "
                 "consumo de sus clientes. Un margen negativo indica sobrecarga."),
        Table("12 últimas demandas", "demandas", DEMAND_COLUMNS, demands, width=5,
              note="Condiciones normales de operación, excluidos traspasos de carga."),
        demand_chart(demands, "Demandas máximas y mínimas del alimentador"),
        *feeder_capacity_sections(session, feeder_id),
    ]
    params = {"feeder_id": feeder_id}
    if tipo:
        params.update(tipo=tipo, q=q or "", pagina=pagina or 1)
        sections.extend(search_sections(session, actor, feeder_id, tipo, q or "", pagina or 1))
    return Report("detalle-alimentador", f"Detalle alimentador {feeder.code} {feeder.name}", params, sections,
                  breadcrumb=h.breadcrumb(session, feeder.comuna_code, sub, None, f"Detalle alimentador {feeder.code}"),
                  subtitle=f"{FEEDER_KINDS.get(feeder.kind)} de la subestación {sub.name}, {comuna.name}",
                  company=company, as_of=fmt_month(demands[0]["month"]) if demands else "")

"""Search inside a feeder by pole, span or equipment identifier (Anexo 1 fig. 11): partial match, paginated."""
from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import Equipment, EquipmentMonthly, Pole, Span
from geo.crs import DATUM_LABELS, format_location
from services.formatting import fmt_number
from services.network.hierarchy import Page, get_feeder

KINDS = {"poste": "Poste", "vano": "Vano", "equipo": "Equipo"}
MAX_QUERY = 40
MAX_PAGE_SIZE = 500
HISTORY_MONTHS = 12
CATEGORY_LABELS = {
    "protection": "Protección",
    "switching": "Maniobra",
    "regulator": "Regulador de tensión",
    "compensation": "Compensación",
    "autotransformer": "Autotransformador",
}


class SearchError(ValueError):
    """An invalid search (the message is Spanish and shown to the user)."""


def vnr_href(code: str | None) -> str | None:
    """The VNR search page of a code."""
    return f"/red/vnr?codigo={quote(code)}" if code else None


def clean_query(q: str | None) -> str:
    """A trimmed identifier fragment, or SearchError when too long."""
    q = (q or "").strip()
    if len(q) > MAX_QUERY:
        raise SearchError(f"El identificador debe tener como máximo {MAX_QUERY} caracteres.")
    return q


def _like(column, q: str):
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def _voltages(mv_kv: float | None, lv_v: float | None) -> str:
    mv = f"{fmt_number(mv_kv, 1 if mv_kv and mv_kv % 1 else 0)} kV" if mv_kv else "—"
    lv = f"{fmt_number(lv_v)} V" if lv_v else "—"
    return f"{mv} / {lv}"


def _pole_row(p: Pole) -> dict:
    return {"id": p.id, "code": p.code, "x": p.x, "y": p.y, "datum": DATUM_LABELS.get(p.datum, p.datum),
            "zone": p.zone, "location": format_location(p.x, p.y, p.datum, p.zone), "mv_kv": p.mv_kv,
            "lv_v": p.lv_v, "voltages": _voltages(p.mv_kv, p.lv_v), "vnr_code": p.vnr_code,
            "vnr_href": vnr_href(p.vnr_code)}


def _span_row(s: Span) -> dict:
    return {"id": s.id, "code": s.code, "from_node": s.from_node, "to_node": s.to_node, "level": s.voltage_level,
            "length_m": s.length_m, "conductor_material": s.conductor_material,
            "conductor_insulation": s.conductor_insulation, "section_mm2": s.conductor_section_mm2,
            "conductor": f"{s.conductor_material} {fmt_number(s.conductor_section_mm2)} mm² · {s.conductor_insulation}",
            "ampacity_a": s.ampacity_a, "phases": s.phases, "vnr_code": s.vnr_code, "vnr_href": vnr_href(s.vnr_code)}


def _capacity(value: float, unit: str) -> str:
    return f"{fmt_number(value, 0 if float(value).is_integer() else 1)} {unit}"


def _equipment_row(e: Equipment) -> dict:
    return {"id": e.id, "code": e.code, "category": CATEGORY_LABELS.get(e.category, e.category), "kind": e.kind,
            "capacity": e.capacity, "capacity_unit": e.capacity_unit, "capacity_text": _capacity(e.capacity, e.capacity_unit),
            "connection": e.connection, "operating_mode": e.operating_mode, "voltage_setpoints": e.voltage_setpoints,
            "ratio": e.ratio, "vnr_code": e.vnr_code, "vnr_href": vnr_href(e.vnr_code),
            "location": format_location(e.x, e.y, e.datum, e.zone)}


_MODELS = {"poste": (Pole, _pole_row), "vano": (Span, _span_row), "equipo": (Equipment, _equipment_row)}


def search_assets(session: Session, actor: Actor, feeder_id: int, kind: str, q: str | None = "",
                  page: int = 1, page_size: int = 20) -> Page:
    """Poles, spans or equipment of a feeder whose identifier contains ``q`` (case-insensitive), one page."""
    if kind not in _MODELS:
        raise SearchError("Seleccione poste, vano o equipo.")
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise SearchError(f"Página inválida (tamaño entre 1 y {MAX_PAGE_SIZE}).")
    q = clean_query(q)
    get_feeder(session, actor, feeder_id)
    model, to_row = _MODELS[kind]
    where = [model.feeder_id == feeder_id]
    if q:
        where.append(_like(model.code, q))
    total = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    items = session.scalars(select(model).where(*where).order_by(model.code)
                            .offset((page - 1) * page_size).limit(page_size))
    return Page([to_row(x) for x in items], int(total))


def equipment_history(session: Session, actor: Actor, equipment_ids: list[int], months: int = HISTORY_MONTHS) -> list[dict]:
    """The monthly state of each equipment (type, capacity, connection, mode, set points), newest first."""
    if not equipment_ids:
        return []
    codes = dict(session.execute(select(Equipment.id, Equipment.code).where(Equipment.id.in_(equipment_ids))).all())
    latest = dict(session.execute(select(EquipmentMonthly.equipment_id, func.max(EquipmentMonthly.month))
                                  .where(EquipmentMonthly.equipment_id.in_(equipment_ids))
                                  .group_by(EquipmentMonthly.equipment_id)).all())
    rows = []
    for h in session.scalars(select(EquipmentMonthly).where(EquipmentMonthly.equipment_id.in_(equipment_ids))
                             .order_by(EquipmentMonthly.equipment_id, EquipmentMonthly.month.desc())):
        top = latest[h.equipment_id]
        if (top.year - h.month.year) * 12 + top.month - h.month.month >= months:
            continue
        rows.append({"equipment_id": h.equipment_id, "code": codes.get(h.equipment_id), "month": h.month,
                     "kind": h.kind, "capacity_text": _capacity(h.capacity, h.capacity_unit),
                     "capacity": h.capacity, "capacity_unit": h.capacity_unit, "connection": h.connection,
                     "operating_mode": h.operating_mode, "voltage_setpoints": h.voltage_setpoints})
    order = {eid: i for i, eid in enumerate(equipment_ids)}
    rows.sort(key=lambda r: (order.get(r["equipment_id"], 0), -r["month"].toordinal()))
    return rows

"""Exchange status of a company: initial loads and daily batches, accepted or rejected with reasons."""
from __future__ import annotations

from sqlalchemy.orm import Session

from auth.policy import roles
from auth.scope import Actor
from exchange.batches import next_sequence
from reports.model import Column, KeyValues, Report, Table
from reports.views import optional, str_param, view
from services.exchange_admin import recent_batches, recent_loads, visible_company
from services.formatting import fmt_datetime, fmt_number

EXCHANGE_READERS = roles("operator", "sec", description="company operators (own company) and SEC")
STATUS_LABELS = {"accepted": "Aceptado", "rejected": "Rechazado", "loaded": "Cargada", "unchanged": "Sin cambios",
                 "running": "En curso"}


def _reason(errors: list | None) -> str:
    if not errors:
        return ""
    head = errors[0].get("error") or errors[0].get("reason", "")
    items = [e for e in errors if "reason" in e]
    if items and "error" in errors[0]:
        first = items[0]
        where = first.get("file") or (f"operación {first['operation']}" if first.get("operation") is not None else "")
        head += f" — {where} {first.get('field') or ''}: {first['reason']}".replace("  ", " ")
    more = len(items) - 1 if "error" in errors[0] else len(errors) - 1
    return head + (f" (y {fmt_number(more)} errores más)" if more > 0 else "")


def _ops(counts: dict | None) -> str:
    if not counts:
        return ""
    totals = {op: sum(c.get(op, 0) for c in counts.values()) for op in ("insert", "update", "delete")}
    return f"{fmt_number(totals['insert'])} altas · {fmt_number(totals['update'])} cambios · {fmt_number(totals['delete'])} bajas"


@view("intercambio", title="Intercambio de datos con SEC", policy=EXCHANGE_READERS,
      params={"empresa": optional(str_param(32))})
def exchange_status_view(session: Session, actor: Actor, empresa: str | None = None) -> Report:
    """Loads and batches of one company (operators: their own) with the reasons of rejections."""
    company = visible_company(session, actor, empresa)
    loads = recent_loads(session, company.id)
    batches = recent_batches(session, company.id)
    accepted = [b for b in batches if b.status == "accepted"]
    summary = KeyValues("Resumen", [
        ("Empresa", f"{company.name} ({company.code})"),
        ("Próximo N° de secuencia esperado", fmt_number(next_sequence(session, company.id))),
        ("Último lote aceptado", f"{accepted[0].batch_id} · {fmt_datetime(accepted[0].received_at)}" if accepted else "—"),
        ("Lotes rechazados (recientes)", fmt_number(sum(b.status == "rejected" for b in batches))),
        ("Cargas iniciales", fmt_number(len(loads))),
    ], "resumen", width=12)
    load_rows = [{"id": r.id, "at": fmt_datetime(r.started_at), "status": STATUS_LABELS.get(r.status, r.status),
                  "source": r.source.rsplit("/", 1)[-1],
                  "rows": sum(e["rows"] for e in (r.sizing or {}).get("entities", [])),
                  "ops": _ops((r.sizing or {}).get("counts")), "reason": _reason(r.errors)} for r in loads]
    batch_rows = [{"batch_id": b.batch_id, "sequence": b.sequence, "at": fmt_datetime(b.received_at),
                   "status": STATUS_LABELS.get(b.status, b.status), "operations": b.operations,
                   "ops": _ops((b.receipt or {}).get("counts")), "reason": _reason(b.errors)} for b in batches]
    return Report("intercambio", "Intercambio de datos con SEC", {"empresa": company.code}, [
        summary,
        Table("Cargas iniciales (§6.1)", "cargas", [
            Column("id", "N°", "int"), Column("at", "Inicio"), Column("status", "Estado"), Column("source", "Archivo"),
            Column("rows", "Registros", "int"), Column("ops", "Cambios"), Column("reason", "Motivo del rechazo")],
            load_rows, empty_text="La empresa aún no registra cargas iniciales."),
        Table("Lotes diarios (§6.2)", "lotes", [
            Column("batch_id", "Lote"), Column("sequence", "Secuencia", "int"), Column("at", "Recibido"),
            Column("status", "Estado"), Column("operations", "Operaciones", "int"), Column("ops", "Cambios"),
            Column("reason", "Motivo del rechazo")], batch_rows, empty_text="La empresa aún no envía lotes."),
    ], subtitle=company.name, company=company.name, breadcrumb=[("Inicio", "/"), ("Intercambio SEC", None)])

"""Printed boletas/facturas and injection annexes, generated from the stored invoice data (never placeholders)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from auth.scope import Actor
from reports.model import Report
from reports.pdf import template_pdf
from services import eg as eg_service
from services.audit import record_access
from services.clients import get_invoice, invoice_history, supply_profile
from services.formatting import fmt_clp, fmt_date, fmt_month, fmt_number
from services.rut import format_rut

KIND_TITLES = {"boleta": "BOLETA ELECTRÓNICA", "factura": "FACTURA ELECTRÓNICA"}


def _parties(profile) -> dict:
    c, co = profile.client, profile.company
    return dict(company=dict(name=co.name, rut=format_rut(co.rut), address=co.address, phone=co.phone, website=co.website),
                client=dict(name=c.name, rut=format_rut(c.rut), address=c.address, comuna=profile.comuna.name,
                            region=profile.region.name, number=c.client_number, tariff=c.tariff,
                            capacity=f"{fmt_number(c.service_capacity_kw, 1)} kW"))


def invoice_context(session: Session, actor: Actor, client_id: int, number: str) -> dict:
    """Everything printed on a boleta/factura, formatted es-CL."""
    profile = supply_profile(session, actor, client_id)
    inv = get_invoice(session, actor, client_id, number)
    lines = [dict(description=l.description, quantity=fmt_number(l.quantity, 1 if l.unit == "kWh" else 0), unit=l.unit,
                  unit_price=fmt_number(l.unit_price, 2 if l.unit == "kWh" else 0), amount=fmt_clp(l.amount_clp),
                  negative=l.amount_clp < 0) for l in inv.lines]
    history = invoice_history(session, client_id, inv.period)
    peak = max((h.consumption_kwh for h in history), default=0) or 1
    bars = [dict(label=fmt_month(h.month, short=True), kwh=fmt_number(h.consumption_kwh), pct=round(h.consumption_kwh / peak * 100, 1),
                 current=h.month == inv.period) for h in history]
    annex = None
    if profile.is_eg:
        annexes, _ = eg_service.search_annexes(session, profile, eg_service.DocumentFilter(period=inv.period), limit=1)
        annex = annexes[0].number if annexes else None
    return dict(title=KIND_TITLES.get(inv.kind, "BOLETA ELECTRÓNICA"), number=inv.number, kind=inv.kind,
                period=fmt_month(inv.period), issue_date=fmt_date(inv.issue_date), due_date=fmt_date(inv.due_date),
                reading_from=fmt_number(inv.reading_from_kwh, 1), reading_to=fmt_number(inv.reading_to_kwh, 1),
                consumption=fmt_number(inv.consumption_kwh, 1), lines=lines, net=fmt_clp(inv.net_clp),
                vat=fmt_clp(inv.vat_clp), total=fmt_clp(inv.total_clp), bars=bars, annex=annex, **_parties(profile))


def invoice_pdf(session: Session, actor: Actor, report: Report) -> bytes:
    """The boleta/factura PDF of the invoice the report shows (download recorded in the access log)."""
    client_id, number = report.params["client_id"], report.params["numero"]
    context = invoice_context(session, actor, client_id, number)
    record_access(session, actor, "download", target="boleta", object_type="invoice", object_id=number, personal_data=True)
    return template_pdf("boleta.html", context, actor.username)


def annex_context(session: Session, actor: Actor, client_id: int, number: str) -> dict:
    """Everything printed on an injection annex."""
    profile = eg_service.eg_profile(session, actor, client_id)
    annex = eg_service.get_annex(session, profile, number)
    inst = profile.installation
    return dict(title="ANEXO DE INYECCIONES", number=annex.number, period=fmt_month(annex.period),
                issue_date=fmt_date(annex.issue_date), invoice=eg_service.annex_invoice_number(session, annex),
                eg_code=inst.code, capacity=f"{fmt_number(inst.capacity_kw, 1)} kW",
                reading_from=fmt_number(annex.reading_from_kwh, 1), reading_to=fmt_number(annex.reading_to_kwh, 1),
                injected=fmt_number(annex.injected_kwh, 1), price=fmt_number(annex.injection_price_clp_kwh, 2),
                value=fmt_clp(annex.injection_value_clp), offset=fmt_clp(annex.offset_clp),
                surplus=fmt_clp(annex.surplus_clp), settlement_method=inst.settlement_method, **_parties(profile))


def annex_pdf(session: Session, actor: Actor, report: Report) -> bytes:
    """The injection-annex PDF (download recorded in the access log)."""
    client_id, number = report.params["client_id"], report.params["numero"]
    context = annex_context(session, actor, client_id, number)
    record_access(session, actor, "download", target="anexo", object_type="injection_annex", object_id=number,
                  personal_data=True)
    return template_pdf("anexo.html", context, actor.username)

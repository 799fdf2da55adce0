"""EG client views (Anexo 1 §5.2 I–IV, VI–VIII): one view per section, plus the whole-supply sheet."""
from __future__ import annotations

import plotly.graph_objects as go
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import InjectionAnnex, Invoice
from reports.charts import PALETTE, styled
from reports.model import Chart, Column, KeyValues, Report, Table, Text
from reports.views import int_param, optional, view
from services import eg as eg_service
from services.clients import SupplyProfile
from services.formatting import fmt_clp, fmt_date, fmt_datetime, fmt_long_date, fmt_month, fmt_number, month_add
from services.obis import METER_TYPE_LABELS, display_sequence, parse_obis
from services.views.client import (
    CLIENT_VIEW_POLICY,
    consumption_sections,
    eg_technical_section,
    general_section,
    supply_report,
    technical_section,
)

P = {"client_id": int_param}
SECTION_TITLES = {
    "general": "I. Información general", "tecnica": "II. Información técnica",
    "consumos": "III. Consumos y cargos históricos", "inyecciones": "IV. Consumos e inyecciones",
    "boletas": "V. Boletas/facturas y anexos de inyecciones", "historial": "VI. Historial de lectura y facturación",
    "remanentes": "VII. Remanentes", "medidor": "VIII. Display y medidor", "documentos": "IX. Copia de documentos",
}


def eg_report(session, actor, profile, name, title, sections, params=None) -> Report:
    """A supply report linked to the EG page."""
    return supply_report(session, actor, profile, name, title, sections, params, eg=True)


@view("cliente-eg-general", title=SECTION_TITLES["general"], policy=CLIENT_VIEW_POLICY, params=P, personal_data=True)
def eg_general_view(session: Session, actor: Actor, client_id: int) -> Report:
    """§5.2 I: general information of an EG supply."""
    profile = eg_service.eg_profile(session, actor, client_id)
    return eg_report(session, actor, profile, "cliente-eg-general", SECTION_TITLES["general"], [general_section(profile)])


@view("cliente-eg-tecnica", title=SECTION_TITLES["tecnica"], policy=CLIENT_VIEW_POLICY, params=P, personal_data=True)
def eg_technical_view(session: Session, actor: Actor, client_id: int) -> Report:
    """§5.2 II: service connection, transformer and the EG installation."""
    profile = eg_service.eg_profile(session, actor, client_id)
    a, b = technical_section(profile, "Empalme y transformador"), eg_technical_section(profile)
    a.width = b.width = 6
    return eg_report(session, actor, profile, "cliente-eg-tecnica", SECTION_TITLES["tecnica"], [a, b])


@view("cliente-eg-consumos", title=SECTION_TITLES["consumos"], policy=CLIENT_VIEW_POLICY, params=P, personal_data=True)
def eg_consumption_view(session: Session, actor: Actor, client_id: int) -> Report:
    """§5.2 III: consumption and net charges of the last 36 months."""
    profile = eg_service.eg_profile(session, actor, client_id)
    return eg_report(session, actor, profile, "cliente-eg-consumos", SECTION_TITLES["consumos"],
                     consumption_sections(session, actor, profile, "Cargos netos"))


def injection_sections(session: Session, profile: SupplyProfile) -> list:
    """12 months of injected vs consumed energy (grouped bars, one kWh axis) and the table with totals."""
    rows = eg_service.month_rows(session, profile, 12)
    labels = [fmt_month(r.month, short=True) for r in rows]
    cons = [round(r.consumption_kwh or 0, 1) for r in rows]
    inj = [round(r.injected_kwh or 0, 1) for r in rows]
    fig = go.Figure([
        go.Bar(x=labels, y=cons, name="Consumo", marker_color=PALETTE[0],
               customdata=[fmt_number(v, 1) for v in cons], hovertemplate="Consumo: %{customdata} kWh<extra></extra>"),
        go.Bar(x=labels, y=inj, name="Inyección", marker_color=PALETTE[2],
               customdata=[fmt_number(v, 1) for v in inj], hovertemplate="Inyección: %{customdata} kWh<extra></extra>"),
    ])
    styled(fig, height=380, yaxis_title="Energía (kWh)")
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category")
    table = [dict(month=r.month, consumption_kwh=c, injected_kwh=i, balance_kwh=round(c - i, 1),
                  injection_value_clp=r.injection_value_clp or 0) for r, c, i in zip(reversed(rows), reversed(cons), reversed(inj))]
    table.append(dict(month="Total", consumption_kwh=round(sum(cons), 1), injected_kwh=round(sum(inj), 1),
                      balance_kwh=round(sum(cons) - sum(inj), 1),
                      injection_value_clp=sum(r.injection_value_clp or 0 for r in rows)))
    return [Chart(f"Inyecciones y consumo por mes, últimos {len(rows)} meses", fig, "inyecciones", 380),
            Table("Detalle mensual", "inyecciones", [
                Column("month", "Mes", "month"), Column("consumption_kwh", "Consumo (kWh)", "number", 1),
                Column("injected_kwh", "Inyección (kWh)", "number", 1),
                Column("balance_kwh", "Consumo − inyección (kWh)", "number", 1),
                Column("injection_value_clp", "Valor inyecciones ($)", "clp")], table, total=len(rows),
                note="Total de los 12 meses en la última fila.")]


@view("cliente-eg-inyecciones", title=SECTION_TITLES["inyecciones"], policy=CLIENT_VIEW_POLICY, params=P,
      personal_data=True)
def eg_injections_view(session: Session, actor: Actor, client_id: int) -> Report:
    """§5.2 IV: injections vs consumption, 12 months."""
    profile = eg_service.eg_profile(session, actor, client_id)
    return eg_report(session, actor, profile, "cliente-eg-inyecciones", SECTION_TITLES["inyecciones"],
                     injection_sections(session, profile))


@view("cliente-eg-lecturas", title="Historial de lectura de consumo e inyecciones", policy=CLIENT_VIEW_POLICY,
      params=P, personal_data=True)
def eg_readings_view(session: Session, actor: Actor, client_id: int) -> Report:
    """§5.2 VI: meter readings of consumption and injections, 36 months."""
    profile = eg_service.eg_profile(session, actor, client_id)
    rows = []
    for r in reversed(eg_service.month_rows(session, profile, 36)):
        rows.append(dict(month=r.month,
                         cons_from=None if r.reading_kwh is None else round(r.reading_kwh - (r.consumption_kwh or 0), 1),
                         cons_to=r.reading_kwh, cons=r.consumption_kwh,
                         inj_from=None if r.injection_reading_kwh is None else round(r.injection_reading_kwh - (r.injected_kwh or 0), 1),
                         inj_to=r.injection_reading_kwh, inj=r.injected_kwh))
    table = Table("Lecturas del medidor, últimos 36 meses", "lecturas", [
        Column("month", "Mes", "month"), Column("cons_from", "Consumo: lectura anterior", "number", 1),
        Column("cons_to", "Consumo: lectura actual", "number", 1), Column("cons", "Consumo (kWh)", "number", 1),
        Column("inj_from", "Inyección: lectura anterior", "number", 1), Column("inj_to", "Inyección: lectura actual", "number", 1),
        Column("inj", "Inyección (kWh)", "number", 1)], rows, total=len(rows),
        note="Registros 1.8.0 (consumo) y 2.8.0 (inyección) del medidor al cierre de cada período.")
    return eg_report(session, actor, profile, "cliente-eg-lecturas", "Historial de lectura de consumo e inyecciones", [table])


@view("cliente-eg-facturacion", title="Historial de facturación de consumo e inyecciones", policy=CLIENT_VIEW_POLICY,
      params=P, personal_data=True)
def eg_billing_view(session: Session, actor: Actor, client_id: int) -> Report:
    """§5.2 VI: what was billed for consumption and credited for injections, 36 months."""
    profile = eg_service.eg_profile(session, actor, client_id)
    months = eg_service.month_rows(session, profile, 36)
    cid = profile.client.id
    first = months[0].month if months else None
    invoices = {i.period: i for i in session.scalars(select(Invoice).where(Invoice.client_id == cid, Invoice.period >= first))} if first else {}
    annexes = {a.period: a for a in session.scalars(select(InjectionAnnex).where(InjectionAnnex.client_id == cid,
                                                                                  InjectionAnnex.period >= first))} if first else {}
    rows = []
    for r in reversed(months):
        inv, ann = invoices.get(r.month), annexes.get(r.month)
        rows.append(dict(month=r.month, number=inv.number if inv else None, consumption_kwh=r.consumption_kwh,
                         net_clp=inv.net_clp if inv else None, vat_clp=inv.vat_clp if inv else None,
                         total_clp=inv.total_clp if inv else r.charge_clp, injected_kwh=r.injected_kwh,
                         injection_value_clp=r.injection_value_clp, offset_clp=ann.offset_clp if ann else None,
                         surplus_clp=ann.surplus_clp if ann else None))
    table = Table("Facturación, últimos 36 meses", "facturacion", [
        Column("month", "Mes", "month"), Column("number", "Boleta/factura N°"),
        Column("consumption_kwh", "Consumo (kWh)", "number", 1), Column("net_clp", "Neto ($)", "clp"),
        Column("vat_clp", "IVA ($)", "clp"), Column("total_clp", "Total ($)", "clp"),
        Column("injected_kwh", "Inyección (kWh)", "number", 1), Column("injection_value_clp", "Valor inyección ($)", "clp"),
        Column("offset_clp", "Descontado ($)", "clp"), Column("surplus_clp", "Remanente ($)", "clp")], rows, total=len(rows))
    return eg_report(session, actor, profile, "cliente-eg-facturacion", "Historial de facturación de consumo e inyecciones",
                     [table])


def settlement_section(profile: SupplyProfile, ledger: eg_service.SurplusPage) -> KeyValues:
    """Settlement terms of the connection contract and the next settlement date."""
    inst = profile.installation
    after = month_add(ledger.window[1], 1) if ledger.window else inst.settlement_date
    return KeyValues("Liquidación según contrato de conexión", [
        ("Forma de liquidación según contrato", inst.settlement_method),
        ("Fecha de liquidación según contrato", fmt_long_date(inst.settlement_date)),
        ("Periodicidad", "Anual, en la fecha de liquidación del contrato"),
        ("Próxima liquidación", fmt_long_date(eg_service.next_settlement_date(inst.settlement_date, after))),
    ], key="liquidacion", width=6)


def surplus_totals_section(ledger: eg_service.SurplusPage) -> KeyValues:
    """Totals of the five-year window."""
    t = ledger.totals
    span = f"{fmt_month(ledger.window[0])} a {fmt_month(ledger.window[1])}" if ledger.window else "sin registros"
    return KeyValues(f"Totales últimos 5 años ({span})", [
        ("Remanente al inicio", fmt_clp(t.get("opening", 0))), ("Valor de inyecciones", fmt_clp(t["injection"])),
        ("Descontado en boletas", fmt_clp(t["offset"])), ("Pagado en liquidaciones", fmt_clp(t["paid"])),
        ("Remanente actual", fmt_clp(t["closing"])),
    ], key="totales", width=6)


@view("cliente-eg-remanentes", title=SECTION_TITLES["remanentes"], policy=CLIENT_VIEW_POLICY,
      params={"client_id": int_param, "pagina": optional(int_param)}, personal_data=True)
def eg_surplus_view(session: Session, actor: Actor, client_id: int, pagina: int = 1) -> Report:
    """§5.2 VII: remanente accounting of the last five years, month by month, paginated, with the settlement terms."""
    profile = eg_service.eg_profile(session, actor, client_id)
    ledger = eg_service.surplus_ledger(session, profile, pagina)
    rows = [dict(month=r.month, opening=r.opening_clp, injection=r.injection_value_clp, offset=r.consumption_offset_clp,
                 paid=r.paid_out_clp, closing=r.closing_clp) for r in ledger.rows]
    table = Table(f"Contabilidad de remanentes (página {ledger.page} de {ledger.pages})", "remanentes", [
        Column("month", "Período", "month"), Column("opening", "Remanente anterior ($)", "clp"),
        Column("injection", "Valor inyecciones ($)", "clp"), Column("offset", "Descontado en boleta ($)", "clp"),
        Column("paid", "Pagado ($)", "clp"), Column("closing", "Remanente ($)", "clp")], rows, total=ledger.total_rows,
        note="Remanente = remanente anterior + valor inyecciones − descontado en boleta − pagado.")
    params = {"client_id": client_id, **({"pagina": pagina} if pagina != 1 else {})}
    return eg_report(session, actor, profile, "cliente-eg-remanentes", SECTION_TITLES["remanentes"],
                     [settlement_section(profile, ledger), surplus_totals_section(ledger), table], params)


def meter_sections(session: Session, profile: SupplyProfile) -> list:
    """Meter data, the display indicators of its type and the stored OBIS registers."""
    meter, registers = eg_service.meter_registers(session, profile)
    if meter is None:
        return [Text("Medidor", ["No hay un medidor registrado para este suministro."], key="medidor")]
    latest = {r.display: r for r in registers}
    indicators = [dict(display=d.display, label=d.label, value=fmt_number(latest[d.display].value, 2) + " " + latest[d.display].unit
                       if d.display in latest else "—", check=d.check) for d in display_sequence(meter.meter_type)]
    regs = [dict(obis=r.obis_code, display=r.display, explanation=r.explanation, value=r.value, unit=r.unit,
                 read_at=fmt_datetime(r.read_at), previous=r.previous,
                 delta=None if r.previous is None or parse_obis(r.obis_code).d != 8 else round(r.value - r.previous, 1))
            for r in registers]
    return [
        KeyValues("Medidor", [("N° de serie", meter.serial), ("Marca y modelo", f"{meter.brand} {meter.model}"),
                              ("Tipo", METER_TYPE_LABELS.get(meter.meter_type, meter.meter_type)),
                              ("Instalado el", fmt_date(meter.installed_on))], key="medidor", width=5),
        Text("Cómo leer el display", [
            "El medidor muestra en su pantalla, en secuencia, cada registro con su código OBIS abreviado (C.D.E).",
            "Para verificar la energía consumida, espere el código 1.8.0; para la energía inyectada, el código 2.8.0. "
            "La diferencia entre la lectura actual y la anterior es lo facturado (consumo) o lo valorizado en el anexo "
            "(inyección)."], key="ayuda", width=7),
        Table("Indicadores del display para este tipo de medidor", "display", [
            Column("display", "Código en display"), Column("label", "Indicador"), Column("value", "Valor actual"),
            Column("check", "Cómo verificar")], indicators),
        Table("Registros almacenados (código OBIS, IEC 62056-6-1:2017)", "registros", [
            Column("obis", "Código OBIS"), Column("display", "Display"), Column("explanation", "Qué significa"),
            Column("value", "Valor", "number", 2), Column("unit", "Unidad"), Column("read_at", "Fecha de lectura"),
            Column("previous", "Lectura anterior", "number", 2), Column("delta", "Diferencia", "number", 1)], regs,
            note="Formato OBIS A-B:C.D.E*F — A medio (1 = electricidad), B canal, C magnitud, D tipo de registro, "
                 "E tarifa, F período (255 = actual)."),
    ]


@view("cliente-eg-medidor", title=SECTION_TITLES["medidor"], policy=CLIENT_VIEW_POLICY, params=P, personal_data=True)
def eg_meter_view(session: Session, actor: Actor, client_id: int) -> Report:
    """§5.2 VIII: meter display indicators and stored OBIS registers."""
    profile = eg_service.eg_profile(session, actor, client_id)
    return eg_report(session, actor, profile, "cliente-eg-medidor", SECTION_TITLES["medidor"], meter_sections(session, profile))


@view("cliente-eg-ficha", title="Ficha del suministro EG", policy=CLIENT_VIEW_POLICY, params=P, personal_data=True)
def eg_sheet_view(session: Session, actor: Actor, client_id: int) -> Report:
    """The EG supply in one view (whole-supply PDF): sections I–IV, VII summary and VIII."""
    profile = eg_service.eg_profile(session, actor, client_id)
    general, technical, eg = general_section(profile), technical_section(profile), eg_technical_section(profile)
    general.width = 12
    technical.width = eg.width = 6
    ledger = eg_service.surplus_ledger(session, profile, 1)
    sections = [general, technical, eg, *consumption_sections(session, actor, profile, "Cargos netos"),
                *injection_sections(session, profile), settlement_section(profile, ledger), surplus_totals_section(ledger),
                *meter_sections(session, profile)]
    return eg_report(session, actor, profile, "cliente-eg-ficha", "Ficha del suministro EG", sections)

"""Client views (Anexo 1 §4.2): general and technical information, and 36 months of consumption and charges.

Each section is its own view (own PDF, CSV and JSON twin); ``cliente-ficha`` joins them for a
whole-supply PDF. The section builders are shared with the EG views (§5.2 I–III).
"""
from __future__ import annotations

import calendar
import datetime as dt

import plotly.graph_objects as go
from sqlalchemy.orm import Session

from auth.policy import CLIENT_DATA_READERS, role_set
from auth.scope import Actor
from reports.charts import HOUSE_TEMPLATE, PALETTE
from reports.model import Chart, Column, KeyValues, Report, Table
from reports.views import int_param, view
from services.clients import SupplyProfile, last_billed_month, monthly_history, supply_href, supply_profile
from services.formatting import fmt_clp, fmt_date, fmt_kv, fmt_month, fmt_number
from services.rut import format_rut

CLIENT_VIEW_POLICY = role_set(CLIENT_DATA_READERS, description="the supply's holder, SEC, and the company's operators")
PHASES = {1: "monofásico", 2: "bifásico", 3: "trifásico"}


def supply_report(session: Session, actor: Actor, profile: SupplyProfile, view_name: str, title: str, sections: list,
                  params: dict | None = None, eg: bool = False) -> Report:
    """A Report for one supply with its breadcrumb, subtitle, company and data date."""
    c = profile.client
    home = supply_href(c.id, eg)
    crumbs = [("Inicio", "/")]
    if actor.role in ("client", "eg_client"):
        crumbs.append(("Mis suministros", "/mis-suministros"))
    crumbs += [(f"Suministro N° {c.client_number}", home), (title, None)]
    last = last_billed_month(session, c.id)
    as_of = fmt_date(last.replace(day=calendar.monthrange(last.year, last.month)[1])) if last else ""
    return Report(view_name, title, params or {"client_id": c.id}, sections, breadcrumb=crumbs,
                  subtitle=f"{c.name} · N° cliente {c.client_number}" + (" · Cliente EG (netbilling)" if eg else ""),
                  company=profile.company.name, as_of=as_of)


def general_section(profile: SupplyProfile, title: str = "Información general") -> KeyValues:
    """RUT, name, contact, address, comuna, región and billing day."""
    c = profile.client
    return KeyValues(title, [
        ("RUT cliente", format_rut(c.rut)), ("Nombre", c.name), ("Correo", c.email or "—"), ("Teléfono", c.phone or "—"),
        ("Dirección", c.address), ("Comuna", profile.comuna.name), ("Región", profile.region.name),
        ("Fecha de facturación", f"Día {c.billing_day} de cada mes"), ("N° cliente", c.client_number),
        ("Tarifa", c.tariff), ("Empresa distribuidora", profile.company.name),
    ], key="general")


def technical_section(profile: SupplyProfile, title: str = "Información técnica") -> KeyValues:
    """Service connection capacity and the feeding distribution transformer."""
    c, t = profile.client, profile.transformer
    return KeyValues(title, [
        ("Capacidad de empalme", f"{fmt_number(c.service_capacity_kw, 1)} kW ({PHASES.get(c.service_phases, '')})"),
        ("Transformador (nombre)", t.name), ("Placa del transformador", t.code),
        ("Capacidad del transformador", f"{fmt_number(t.kva)} kVA"),
        ("Tensión del transformador", f"{fmt_kv(t.primary_kv)} / {fmt_number(t.secondary_v)} V"),
        ("Tipo de transformador", t.phase_type.replace("fasico", "fásico")),
    ], key="tecnica")


def eg_technical_section(profile: SupplyProfile) -> KeyValues:
    """The EG installation's technical data."""
    inst = profile.installation
    tech = {"solar_pv": "Solar fotovoltaica", "wind": "Eólica", "hydro": "Hidráulica"}.get(inst.technology, inst.technology)
    return KeyValues("Equipamiento de Generación", [
        ("Código EG", inst.code), ("Tecnología", tech), ("Capacidad instalada", f"{fmt_number(inst.capacity_kw, 1)} kW"),
        ("Potencia del inversor", f"{fmt_number(inst.inverter_kw, 1)} kW"),
        ("Fecha de conexión", fmt_date(inst.connection_date)), ("Estado", "Conectado" if inst.status == "connected" else inst.status),
    ], key="eg")


def bars_two_axes(months: list[dt.date], left: list, right: list, left_name: str, right_name: str,
                  left_unit: str, right_is_clp: bool, height: int = 380) -> go.Figure:
    """Grouped bars of two quantities on two y axes with Spanish month labels and exact es-CL hover values."""
    labels = [fmt_month(m, short=True) for m in months]
    fmt_right = fmt_clp if right_is_clp else (lambda v: f"{fmt_number(v)} {left_unit}")
    right_title = right_name + (" ($)" if right_is_clp else f" ({left_unit})")
    # One constructor call: plotly validates the whole figure once instead of once per update_* call.
    return go.Figure(data=[
        dict(type="bar", x=labels, y=left, name=left_name, marker_color=PALETTE[0], offsetgroup=1, yaxis="y",
             customdata=[f"{fmt_number(v)} {left_unit}" if v is not None else "—" for v in left],
             hovertemplate=f"{left_name}: %{{customdata}}<extra></extra>"),
        dict(type="bar", x=labels, y=right, name=right_name, marker_color=PALETTE[1], offsetgroup=2, yaxis="y2",
             customdata=[fmt_right(v) if v is not None else "—" for v in right],
             hovertemplate=f"{right_name}: %{{customdata}}<extra></extra>"),
    ], layout=dict(
        template=HOUSE_TEMPLATE, height=height, barmode="group", bargap=0.25, margin=dict(l=95, r=70, t=40, b=80),
        # Legend above the plot: below it, it would cover the rotated month labels.
        legend=dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom"),
        xaxis=dict(type="category", tickangle=-60, automargin=True),
        yaxis=dict(title_text=f"{left_name} ({left_unit})", rangemode="tozero"),
        yaxis2=dict(title_text=right_title, overlaying="y", side="right", tickformat=",.0f" if right_is_clp else ",~r",
                    showgrid=False, rangemode="tozero")))


def consumption_sections(session: Session, actor: Actor, profile: SupplyProfile, charge_label: str = "Cargos") -> list:
    """The 36-month consumption/charges chart and the same figures in a table with totals."""
    rows = monthly_history(session, actor, profile.client.id)
    months = [r.month for r in rows]
    kwh = [round(r.consumption_kwh, 1) for r in rows]
    clp = [int(r.charge_clp) for r in rows]
    fig = bars_two_axes(months, kwh, clp, "Consumo", charge_label, "kWh", True)
    span = f"{fmt_month(months[0])} a {fmt_month(months[-1])}" if months else "sin meses facturados"
    table_rows = [dict(month=r.month, consumption_kwh=k, charge_clp=v, reading_kwh=r.reading_kwh)
                  for r, k, v in zip(reversed(rows), reversed(kwh), reversed(clp))]
    table_rows.append(dict(month="Total", consumption_kwh=round(sum(kwh), 1), charge_clp=sum(clp), reading_kwh=None))
    return [
        Chart(f"Consumo (kWh) y {charge_label.lower()} ($) por mes, últimos {len(rows)} meses", fig, "consumos", 400),
        Table(f"Detalle mensual ({span})", "consumos", [
            Column("month", "Mes", "month"), Column("consumption_kwh", "Consumo (kWh)", "number", 1),
            Column("charge_clp", f"{charge_label} ($)", "clp"), Column("reading_kwh", "Lectura al cierre (kWh)", "number", 1),
        ], table_rows, total=len(rows), note=f"{charge_label} con IVA incluido. Total de los {len(rows)} meses en la última fila."),
    ]


@view("cliente-general", title="Información general", policy=CLIENT_VIEW_POLICY, params={"client_id": int_param},
      personal_data=True)
def general_view(session: Session, actor: Actor, client_id: int) -> Report:
    """Anexo 1 §4.2 Información general of a supply."""
    profile = supply_profile(session, actor, client_id)
    return supply_report(session, actor, profile, "cliente-general", "Información general", [general_section(profile)])


@view("cliente-tecnica", title="Información técnica", policy=CLIENT_VIEW_POLICY, params={"client_id": int_param},
      personal_data=True)
def technical_view(session: Session, actor: Actor, client_id: int) -> Report:
    """Anexo 1 §4.2 Información técnica: service capacity and transformer."""
    profile = supply_profile(session, actor, client_id)
    return supply_report(session, actor, profile, "cliente-tecnica", "Información técnica", [technical_section(profile)])


@view("cliente-consumos", title="Consumos y cargos", policy=CLIENT_VIEW_POLICY, params={"client_id": int_param},
      personal_data=True)
def consumption_view(session: Session, actor: Actor, client_id: int) -> Report:
    """Anexo 1 §4.2 consumption and charges of the last 36 months (chart and table)."""
    profile = supply_profile(session, actor, client_id)
    return supply_report(session, actor, profile, "cliente-consumos", "Consumos y cargos de facturación",
                         consumption_sections(session, actor, profile))


@view("cliente-ficha", title="Ficha del suministro", policy=CLIENT_VIEW_POLICY, params={"client_id": int_param},
      personal_data=True)
def supply_sheet_view(session: Session, actor: Actor, client_id: int) -> Report:
    """Every §4.2 section of a supply in one view (the whole-supply PDF)."""
    profile = supply_profile(session, actor, client_id)
    general, technical = general_section(profile), technical_section(profile)
    general.width = technical.width = 6
    return supply_report(session, actor, profile, "cliente-ficha", "Ficha del suministro",
                         [general, technical, *consumption_sections(session, actor, profile)])

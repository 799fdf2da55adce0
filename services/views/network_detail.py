"""Substation (Anexo 1 fig. 7) and distribution transformer (fig. 14 and 16) detail views."""
from __future__ import annotations

import plotly.graph_objects as go
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.policy import NETWORK
from auth.scope import Actor
from data.models import Comuna, DistributionTransformer, Feeder, Region
from geo.crs import format_location
from reports.charts import PALETTE, styled
from services.capacity.sections import substation_capacity_section, transformer_capacity_card
from reports.model import Chart, Column, KeyValues, Link, MapSection, Report, Table, Text
from reports.views import int_param, view
from services.formatting import fmt_kv, fmt_month, fmt_number
from services.network import hierarchy as h
from services.network.assets import vnr_href
from services.network.demand import MARGIN_FORMULA, transformer_demands, transformer_margin
from services.network.maps import substation_map, transformer_map

FEEDER_KINDS = {"feeder": "Alimentador", "sub_feeder": "Sub-alimentador"}
PHASE_TYPES = {"monofasico": "Monofásico", "bifasico": "Bifásico", "trifasico": "Trifásico"}
DEMAND_COLUMNS = [Column("month", "Fecha", "month"), Column("min_kw", "Mínima (kW)", "number", 1),
                  Column("max_kw", "Máxima (kW)", "number", 1)]


def vnr_value(code: str | None) -> str:
    """A VNR code linked to the VNR search page (or a dash)."""
    return Link(code, vnr_href(code)) if code else "—"


def demand_chart(rows: list[dict], title: str) -> Chart:
    """Max/min monthly demand lines, oldest month first."""
    ordered = sorted(rows, key=lambda r: r["month"])
    months = [f"{r['month'].month:02d}/{r['month'].year}" for r in ordered]  # Anexo 1 fig. 10 style
    fig = go.Figure([
        go.Scatter(x=months, y=[r["max_kw"] for r in ordered], name="Demanda máxima", mode="lines+markers",
                   line=dict(color=PALETTE[3], width=2.5), hovertemplate="%{y:,.1f} kW"),
        go.Scatter(x=months, y=[r["min_kw"] for r in ordered], name="Demanda mínima", mode="lines+markers",
                   line=dict(color=PALETTE[0], width=2.5, dash="dash"), hovertemplate="%{y:,.1f} kW"),
    ])
    styled(fig, height=320, yaxis_title="kW")
    fig.update_xaxes(tickangle=-45)
    fig.update_layout(legend=dict(y=-0.32), margin=dict(b=80))
    return Chart(title, fig, "demandas-grafico", 320, width=7)


@view("detalle-subestacion", shared=True, title="Detalle de subestación", policy=NETWORK, params={"substation_id": int_param})
def substation_detail(session: Session, actor: Actor, substation_id: int) -> Report:
    """Name, id, AT/MT transformers, feeders and distribution transformers, map (fig. 7)."""
    sub = h.get_substation(session, actor, substation_id)
    comuna = session.get(Comuna, sub.comuna_code)
    region = session.get(Region, comuna.region_code)
    pts = list(sub.power_transformers)
    feeders = list(sub.feeders)
    transformers = session.execute(
        select(DistributionTransformer.id, DistributionTransformer.code, DistributionTransformer.name, Feeder.code)
        .join(Feeder, Feeder.id == DistributionTransformer.feeder_id).where(Feeder.substation_id == substation_id)
        .order_by(DistributionTransformer.code)).all()
    items = [
        ("Id subestación", sub.code), ("Nombre", sub.name), ("Distribuidora", h.company_name(session, sub.company_id)),
        ("Región", region.name), ("Comuna", comuna.name), ("Tensión AT", fmt_kv(sub.hv_kv)),
        ("Transformadores AT/MT", ", ".join(p.code for p in pts) or "—"),
        ("Alimentadores", ", ".join(f.code for f in feeders) or "—"),
        ("Transformadores de distribución", fmt_number(len(transformers))),
        ("Ubicación", format_location(sub.x, sub.y, sub.datum, sub.zone)),
    ]
    return Report("detalle-subestacion", f"Detalle subestación {sub.name}", {"substation_id": substation_id}, [
        KeyValues("Subestación", items, "subestacion", width=5),
        MapSection("Mapa georreferenciado", substation_map(session, actor, substation_id), "mapa", 420, width=7,
                   note="Límite comunal, subestación y vanos de media tensión de cada alimentador. "
                        "Coordenadas reproyectadas a WGS84 desde el datum y huso registrados."),
        Table("Transformadores AT/MT", "transformadores-atmt", [
            Column("code", "Id"), Column("name", "Nombre"), Column("hv_kv", "AT (kV)", "number", 1),
            Column("mv_kv", "MT (kV)", "number", 1), Column("mva", "Potencia (MVA)", "number", 1)],
            [{"code": p.code, "name": p.name, "hv_kv": p.hv_kv, "mv_kv": p.mv_kv, "mva": p.mva} for p in pts], width=6),
        Table("Alimentadores", "alimentadores", [
            Column("code", "Id alimentador", "link", href_key="href"), Column("name", "Nombre"), Column("kind", "Tipo")],
            [{"code": f.code, "name": f.name, "kind": FEEDER_KINDS.get(f.kind, f.kind), "href": f"/red/alimentador/{f.id}"}
             for f in feeders], width=6),
        Table("Transformadores de distribución", "transformadores", [
            Column("code", "Id transformador", "link", href_key="href"), Column("name", "Nombre"),
            Column("feeder", "Alimentador")],
            [{"code": c, "name": n, "feeder": f, "href": f"/red/transformador/{i}"} for i, c, n, f in transformers],
            total=len(transformers)),
        substation_capacity_section(session, substation_id),
    ], breadcrumb=h.breadcrumb(session, sub.comuna_code, None, None, f"Detalle subestación {sub.code}"),
        subtitle=f"{comuna.name}, región {region.name}", company=h.company_name(session, sub.company_id))


@view("detalle-transformador", shared=True, title="Detalle de transformador", policy=NETWORK, params={"transformer_id": int_param})
def transformer_detail(session: Session, actor: Actor, transformer_id: int) -> Report:
    """Transformer fields, its feeder and substation, 12 demands when SMMC-monitored, map (fig. 14 and 16)."""
    tr = h.get_transformer(session, actor, transformer_id)
    feeder = tr.feeder
    sub = feeder.substation
    comuna = session.get(Comuna, feeder.comuna_code)
    peak, margin = transformer_margin(session, actor, transformer_id)
    items = [
        ("Id transformador", tr.code), ("Nombre", tr.name), ("Capacidad", f"{fmt_number(tr.kva)} kVA"),
        ("Conexión", tr.connection_group), ("Tensión", f"{fmt_kv(tr.primary_kv)} / {fmt_number(tr.secondary_v)} V"),
        ("Número (placa poste)", tr.pole_plate), ("Tipo", PHASE_TYPES.get(tr.phase_type, tr.phase_type)),
        ("Identificador de fases", tr.phase_id), ("Ubicación", format_location(tr.x, tr.y, tr.datum, tr.zone)),
        ("Código VNR", vnr_value(tr.vnr_code)), ("Monitoreo SMMC", "Sí" if tr.smmc_monitored else "No"),
        ("Margen", "—" if margin is None else f"{fmt_number(margin, 1)} kW"),
    ]
    sections = [
        KeyValues("Transformador", items, "transformador", width=5),
        MapSection("Mapa georreferenciado", transformer_map(session, actor, transformer_id), "mapa", 400, width=7,
                   note=f"Ubicación registrada: {format_location(tr.x, tr.y, tr.datum, tr.zone)}; "
                        "reproyectada a WGS84 para el mapa."),
        KeyValues("Alimentador", [("Id alimentador", Link(feeder.code, f"/red/alimentador/{feeder.id}")),
                                  ("Nombre", feeder.name), ("Capacidad", f"{fmt_number(feeder.capacity_kva)} kVA"),
                                  ("Comuna", comuna.name)], "alimentador", width=6),
        KeyValues("Subestación", [("Id subestación", Link(sub.code, f"/red/subestacion/{sub.id}")),
                                  ("Nombre", sub.name)], "subestacion", width=6),
    ]
    demands = transformer_demands(session, actor, transformer_id)
    if demands is None:
        sections.append(Text("12 últimas demandas", [
            "Este transformador no cuenta con equipos de monitoreo incorporados al SMMC: "
            "sus demandas máximas y mínimas no se publican."], "demandas"))
    else:
        sections.append(Table("12 últimas demandas", "demandas", DEMAND_COLUMNS, demands, width=5,
                              note="Demandas mensuales medidas por el SMMC."))
        sections.append(demand_chart(demands, "Demandas máximas y mínimas (SMMC)"))
    source = "medida por el SMMC" if tr.smmc_monitored else "estimada por la distribuidora a partir del consumo de sus clientes"
    sections.append(Text("Margen", [MARGIN_FORMULA,
                                    f"Demanda máxima 12 meses ({source}): {fmt_number(peak, 1)} kW; "
                                    f"margen {fmt_number(margin, 1)} kW." if peak is not None else
                                    "Sin datos de demanda."], "margen"))
    sections.append(transformer_capacity_card(session, transformer_id))
    return Report("detalle-transformador", f"Detalle transformador {tr.code}", {"transformer_id": transformer_id},
                  sections, breadcrumb=h.breadcrumb(session, feeder.comuna_code, sub, feeder,
                                                    f"Detalle transformador {tr.code}"),
                  subtitle=f"{tr.name} · alimentador {feeder.code} {feeder.name}",
                  company=h.company_name(session, tr.company_id),
                  as_of=fmt_month(demands[0]["month"]) if demands else "")

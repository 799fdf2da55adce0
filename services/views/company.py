"""Distribution companies and their concession areas (entry view of the public profile)."""
from __future__ import annotations

import plotly.graph_objects as go
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.policy import NETWORK
from auth.scope import Actor
from data.models import CompanyComuna, Comuna, DistributionCompany, DistributionTransformer, Feeder, Region, Substation
from geo.comunas import comuna_geojson
from reports.charts import PALETTE, styled
from reports.model import Chart, Column, MapLayer, MapSection, Report, Table
from reports.views import view
from services.formatting import fmt_number
from services.rut import format_rut


def company_rows(session: Session) -> list[dict]:
    """One row per company with its regions, comunas and asset counts."""
    counts = {}
    for model, key in ((Substation, "substations"), (Feeder, "feeders"), (DistributionTransformer, "transformers")):
        for company_id, n in session.execute(select(model.company_id, func.count()).group_by(model.company_id)):
            counts.setdefault(company_id, {})[key] = n
    kva = dict(session.execute(select(DistributionTransformer.company_id, func.sum(DistributionTransformer.kva))
                               .group_by(DistributionTransformer.company_id)).all())
    rows = []
    for company in session.scalars(select(DistributionCompany).order_by(DistributionCompany.name)):
        comunas = session.execute(select(Comuna.name, Region.name).join(CompanyComuna, CompanyComuna.comuna_code == Comuna.code)
                                  .join(Region, Region.code == Comuna.region_code)
                                  .where(CompanyComuna.company_id == company.id).order_by(Comuna.name)).all()
        rows.append(dict(id=company.id, code=company.code, name=company.name, rut=format_rut(company.rut),
                         regions=", ".join(sorted({r for _, r in comunas})), comunas=", ".join(c for c, _ in comunas),
                         n_comunas=len(comunas), kva=kva.get(company.id, 0) or 0, **{k: counts.get(company.id, {}).get(k, 0)
                                                                                    for k in ("substations", "feeders", "transformers")}))
    return rows


@view("distribuidoras", shared=True, title="Distribuidoras y zonas de concesión", policy=NETWORK)
def companies_view(session: Session, actor: Actor) -> Report:
    """Companies on the platform, their concession comunas (map) and installed transformer capacity."""
    rows = company_rows(session)
    table = Table("Empresas distribuidoras", "empresas", [
        Column("name", "Empresa"), Column("rut", "RUT"), Column("regions", "Regiones"),
        Column("n_comunas", "Comunas", "int"), Column("substations", "Subestaciones", "int"),
        Column("feeders", "Alimentadores", "int"), Column("transformers", "Transformadores", "int"),
        Column("kva", "kVA instalados", "int")], rows)
    fig = go.Figure([go.Bar(x=[r["code"] for r in rows], y=[r["kva"] for r in rows], name="kVA instalados",
                            marker_color=PALETTE[0], hovertemplate="%{x}: %{y:,.0f} kVA<extra></extra>")])
    styled(fig, height=300, yaxis_title="kVA")
    layers = []
    for i, r in enumerate(rows):
        codes = session.scalars(select(CompanyComuna.comuna_code).where(CompanyComuna.company_id == r["id"]))
        features = []
        for code in codes:
            for feature in comuna_geojson(code)["features"]:
                features.append({"type": "Feature", "geometry": feature["geometry"],
                                 "properties": {"popup": f"{feature['properties']['name']} · {r['code']}"}})
        layers.append(MapLayer(f"{r['name']}", features, "polygon", PALETTE[i % len(PALETTE)], fill_opacity=0.25))
    summary = ", ".join(f"{r['code']}: {fmt_number(r['n_comunas'])} comunas" for r in rows)
    return Report("distribuidoras", "Distribuidoras y zonas de concesión", {}, [
        table,
        Chart("Capacidad instalada de transformadores de distribución", fig, "capacidad", 300, width=5),
        MapSection("Comunas atendidas", layers, "concesion", 420, width=7, note=summary),
    ], breadcrumb=[("Inicio", "/"), ("Distribuidoras", None)])

"""Result lists of "Buscar ubicación" (Anexo 1 fig. 6, 9 and 13): substations, feeders, transformers."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.policy import NETWORK
from auth.scope import Actor
from data.models import CompanyComuna, DistributionCompany, Region, Substation
from reports.model import Column, MapLayer, MapSection, Report, Table
from reports.views import int_param, str_param, view
from services.network import hierarchy as h
from services.network.maps import comuna_layer, substation_point

FEEDER_KINDS = {"feeder": "Alimentador", "sub_feeder": "Sub-alimentador"}


def _companies(session: Session, comuna_code: str) -> str:
    names = session.scalars(select(DistributionCompany.name).join(CompanyComuna, CompanyComuna.company_id ==
                                                                  DistributionCompany.id)
                            .where(CompanyComuna.comuna_code == comuna_code).order_by(DistributionCompany.name))
    return ", ".join(names)


@view("subestaciones-comuna", shared=True, title="Subestaciones de una comuna", policy=NETWORK, params={"comuna_code": str_param(5)})
def substations_of_comuna(session: Session, actor: Actor, comuna_code: str) -> Report:
    """Substations of a comuna with links to their feeders and their detail (fig. 6)."""
    comuna = h.get_comuna(session, actor, comuna_code)
    page = h.substations(session, actor, comuna_code)
    counts = dict(session.execute(select(Substation.id, func.count()).join(Substation.feeders)
                                  .where(Substation.comuna_code == comuna_code).group_by(Substation.id)).all())
    rows = [{**r, "href": f"/red/subestacion/{r['id']}", "feeders": f"Ver alimentadores ({counts.get(r['id'], 0)})",
             "feeders_href": f"/red/subestacion/{r['id']}/alimentadores", "detail": "Ver detalle"} for r in page.rows]
    table = Table("Subestaciones", "subestaciones", [
        Column("code", "Id subestación", "link", href_key="href"), Column("name", "Nombre subestación"),
        Column("feeders", "Alimentadores", "link", href_key="feeders_href"),
        Column("detail", "Detalle", "link", href_key="href")], rows, total=page.total,
        width=7, empty_text="La comuna no tiene subestaciones registradas.")
    layers = [comuna_layer(comuna.code, comuna.name)]
    points = []
    for sub in session.scalars(select(Substation).where(Substation.comuna_code == comuna_code).order_by(Substation.code)):
        points.extend(substation_point(sub).features)
    layers.append(MapLayer("Subestaciones", points, "point", "#000000", radius=8))
    region = session.get(Region, comuna.region_code)
    return Report("subestaciones-comuna", f"Subestaciones de {comuna.name}", {"comuna_code": comuna_code}, [
        table,
        MapSection("Mapa de la comuna", layers, "mapa", 380, width=5),
    ], breadcrumb=h.breadcrumb(session, comuna_code), subtitle=f"Región {region.name} · comuna {comuna.code}",
        company=_companies(session, comuna_code))


@view("alimentadores-subestacion", shared=True, title="Alimentadores de una subestación", policy=NETWORK,
      params={"substation_id": int_param})
def feeders_of_substation(session: Session, actor: Actor, substation_id: int) -> Report:
    """Feeders of a substation with their transformers (fig. 9)."""
    sub = h.get_substation(session, actor, substation_id)
    page = h.feeders(session, actor, substation_id)
    feeder_rows, transformer_rows = [], []
    for r in page.rows:
        trs = h.transformers(session, actor, r["id"]).rows
        feeder_rows.append({**r, "kind_label": FEEDER_KINDS.get(r["kind"], r["kind"]), "href": f"/red/alimentador/{r['id']}",
                            "transformers": f"{len(trs)} transformadores",
                            "transformers_href": f"/red/alimentador/{r['id']}/transformadores",
                            "codes": ", ".join(t["code"] for t in trs)})
        transformer_rows.extend({"feeder": f"{r['code']} {r['name']}", "code": t["code"], "name": t["name"],
                                 "kva": t["kva"], "href": f"/red/transformador/{t['id']}"} for t in trs)
    return Report("alimentadores-subestacion", f"Alimentadores de {sub.name}", {"substation_id": substation_id}, [
        Table("Alimentadores", "alimentadores", [
            Column("code", "Id alimentador", "link", href_key="href"), Column("name", "Nombre alimentador"),
            Column("kind_label", "Tipo"), Column("transformers", "Transformadores", "link", href_key="transformers_href"),
            Column("codes", "Lista de transformadores")], feeder_rows, total=page.total,
            empty_text="La subestación no tiene alimentadores registrados."),
        Table("Transformadores por alimentador", "transformadores", [
            Column("feeder", "Alimentador"), Column("code", "Id transformador", "link", href_key="href"),
            Column("name", "Nombre transformador"), Column("kva", "Capacidad (kVA)", "int")], transformer_rows,
            total=len(transformer_rows)),
    ], breadcrumb=h.breadcrumb(session, sub.comuna_code, sub), subtitle=f"Subestación {sub.code}",
        company=h.company_name(session, sub.company_id))


@view("transformadores-alimentador", shared=True, title="Transformadores de un alimentador", policy=NETWORK,
      params={"feeder_id": int_param})
def transformers_of_feeder(session: Session, actor: Actor, feeder_id: int) -> Report:
    """Transformers of a feeder with links to their detail (fig. 13)."""
    feeder = h.get_feeder(session, actor, feeder_id)
    page = h.transformers(session, actor, feeder_id)
    rows = [{**r, "href": f"/red/transformador/{r['id']}", "detail": "Ver detalle"} for r in page.rows]
    return Report("transformadores-alimentador", f"Transformadores del alimentador {feeder.code} {feeder.name}",
                  {"feeder_id": feeder_id}, [
        Table("Transformadores de distribución", "transformadores", [
            Column("code", "Id transformador", "link", href_key="href"), Column("name", "Nombre transformador"),
            Column("kva", "Capacidad (kVA)", "int"), Column("detail", "Detalle", "link", href_key="href")],
            rows, total=page.total, empty_text="El alimentador no tiene transformadores registrados."),
    ], breadcrumb=h.breadcrumb(session, feeder.comuna_code, feeder.substation, feeder),
        subtitle=f"Subestación {feeder.substation.code} {feeder.substation.name}",
        company=h.company_name(session, feeder.company_id))


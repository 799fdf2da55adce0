"""The georeferenced plan of a feeder as KMZ: spans, equipment by category and distribution transformers.

Each asset is reprojected from its own recorded datum and zone to WGS84 lon/lat (one pyproj
call per datum/zone group, see ``geo.crs.frame_to_wgs84``). Folders follow Anexo 1 §2.3: spans
(with length and conductor), protection and switching equipment, distribution transformers,
compensation equipment, voltage regulators and autotransformers.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import Actor, NotFound
from data.models import Comuna, DistributionCompany, DistributionTransformer, Equipment, Feeder, Pole, Span, Substation
from geo.crs import DATUM_LABELS, frame_to_wgs84
from geo.kmz import PlanFolder, PlanPlacemark, build_kml, kmz_bytes
from reports.charts import PALETTE
from services.audit import record_access
from services.formatting import fmt_number

# (folder name, style id, categories, colour) — Okabe-Ito colours as on the maps.
EQUIPMENT_FOLDERS = (
    ("Equipos de protección y maniobra", "proteccion-maniobra", ("protection", "switching"), PALETTE[5]),
    ("Equipos de compensación", "compensacion", ("compensation",), PALETTE[2]),
    ("Reguladores de tensión", "reguladores", ("regulator",), PALETTE[4]),
    ("Autotransformadores", "autotransformadores", ("autotransformer",), PALETTE[6 % len(PALETTE)]),
)
CATEGORY_LABELS = {"protection": "Protección", "switching": "Maniobra", "regulator": "Regulador de tensión",
                   "compensation": "Compensación", "autotransformer": "Autotransformador"}


def _lonlat(rows: list, attr=lambda r: r) -> list[tuple[float, float]]:
    """WGS84 (lon, lat) of located rows, each from its own datum and zone."""
    if not rows:
        return []
    located = [attr(r) for r in rows]
    lon, lat = frame_to_wgs84(np.array([r.x for r in located]), np.array([r.y for r in located]),
                              np.array([r.datum for r in located]), np.array([r.zone for r in located]))
    return list(zip(lon.tolist(), lat.tolist()))


def _recorded(row) -> str:
    return f"{fmt_number(row.x, 1)}; {fmt_number(row.y, 1)} ({DATUM_LABELS.get(row.datum, row.datum)}, huso {row.zone})"


def _span_folder(session: Session, feeder: Feeder, substation: Substation) -> PlanFolder:
    spans = list(session.scalars(select(Span).where(Span.feeder_id == feeder.id).order_by(Span.id)))
    pole_ids = {s.from_pole_id for s in spans} | {s.to_pole_id for s in spans}
    poles = list(session.scalars(select(Pole).where(Pole.id.in_([p for p in pole_ids if p is not None]))))
    where = dict(zip((p.id for p in poles), _lonlat(poles)))
    head = _lonlat([substation])[0]
    placemarks = []
    for s in spans:
        start = where.get(s.from_pole_id, head) if s.from_pole_id else head
        end = where.get(s.to_pole_id)
        if end is None:
            continue
        conductor = f"{s.conductor_material} {fmt_number(s.conductor_section_mm2)} mm² ({s.conductor_insulation})"
        placemarks.append(PlanPlacemark(s.code, [start, end], {
            "Código": s.code, "Nivel de tensión": s.voltage_level, "Nodo origen": s.from_node, "Nodo destino": s.to_node,
            "Largo (m)": fmt_number(s.length_m, 1), "Conductor": conductor, "Material": s.conductor_material,
            "Aislación": s.conductor_insulation, "Sección (mm²)": fmt_number(s.conductor_section_mm2),
            "Ampacidad (A)": fmt_number(s.ampacity_a), "Fases": str(s.phases), "Código VNR": s.vnr_code or "—"},
            style_id="vanos-bt" if s.voltage_level == "BT" else "vanos-mt",
            description=f"{fmt_number(s.length_m, 1)} m · {conductor}"))
    return PlanFolder("Vanos", "vanos-mt", PALETTE[3], "line", placemarks, width=3.0,
                      description="Vanos de media (rojo) y baja tensión (azul) con su largo y conductor.")


def _transformer_folder(session: Session, feeder: Feeder) -> PlanFolder:
    rows = list(session.scalars(select(DistributionTransformer).where(DistributionTransformer.feeder_id == feeder.id)
                                .order_by(DistributionTransformer.code)))
    placemarks = [PlanPlacemark(t.code, [xy], {
        "Id": str(t.id), "Nombre": t.name, "Capacidad (kVA)": fmt_number(t.kva), "Conexión": t.connection_group,
        "Tensión": f"{fmt_number(t.primary_kv, 1)} kV / {fmt_number(t.secondary_v)} V", "Número (placa poste)": t.pole_plate,
        "Tipo": t.phase_type, "Identificador de fases": t.phase_id, "Ubicación registrada": _recorded(t),
        "Código VNR": t.vnr_code or "—"}, description=f"{t.name} · {fmt_number(t.kva)} kVA")
        for t, xy in zip(rows, _lonlat(rows))]
    return PlanFolder("Transformadores de distribución", "transformadores", PALETTE[1], "point", placemarks)


def _equipment_folders(session: Session, feeder: Feeder) -> list[PlanFolder]:
    rows = list(session.scalars(select(Equipment).where(Equipment.feeder_id == feeder.id).order_by(Equipment.code)))
    where = dict(zip((e.id for e in rows), _lonlat(rows)))
    folders = []
    for name, style_id, categories, color in EQUIPMENT_FOLDERS:
        placemarks = [PlanPlacemark(e.code, [where[e.id]], {
            "Categoría": CATEGORY_LABELS.get(e.category, e.category), "Tipo": e.kind,
            "Capacidad": f"{fmt_number(e.capacity)} {e.capacity_unit}", "Conexión": e.connection,
            "Modo de operación": e.operating_mode, "Consignas de tensión": e.voltage_setpoints or "—",
            "Razón de transformación": e.ratio or "—", "Ubicación registrada": _recorded(e),
            "Código VNR": e.vnr_code or "—"}, description=f"{e.kind} · {fmt_number(e.capacity)} {e.capacity_unit}")
            for e in rows if e.category in categories]
        folders.append(PlanFolder(name, style_id, color, "point", placemarks))
    return folders


def feeder_plan_kmz(session: Session, actor: Actor, feeder_id: int) -> tuple[str, bytes]:
    """(file name, KMZ bytes) of a feeder's plan; ``NotFound`` for an unknown feeder."""
    feeder = session.get(Feeder, feeder_id)
    if feeder is None:
        raise NotFound("El alimentador no existe.")
    substation = session.get(Substation, feeder.substation_id)
    company = session.get(DistributionCompany, feeder.company_id)
    comuna = session.get(Comuna, feeder.comuna_code)
    head = PlanFolder("Subestación", "subestacion", "#000000", "point", [PlanPlacemark(
        substation.name, [_lonlat([substation])[0]], {"Id": str(substation.id), "Código": substation.code,
                                                      "Ubicación registrada": _recorded(substation)})])
    protection, *other_equipment = _equipment_folders(session, feeder)
    folders = [_span_folder(session, feeder, substation), protection, _transformer_folder(session, feeder),
               *other_equipment, head]
    description = (f"Alimentador {feeder.code} {feeder.name} ({'sub-alimentador' if feeder.kind == 'sub_feeder' else 'alimentador'}), "
                   f"{company.name}, comuna de {comuna.name}. Coordenadas WGS84 reproyectadas desde el datum y huso "
                   f"registrados de cada elemento.")
    kml = build_kml(f"Plano alimentador {feeder.code} — {feeder.name}", folders, description,
                    extra_styles=[("vanos-bt", PALETTE[0], "line", 1.5)])
    data = kmz_bytes(kml)
    record_access(session, actor, "download", target=f"/red/alimentador/{feeder_id}/plano.kmz", object_type="feeder",
                  object_id=feeder_id, detail="kmz")
    return f"plano-{feeder.code}.kmz", data

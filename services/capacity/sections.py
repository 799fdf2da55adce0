"""Capacity sections for the network detail views (substation, feeder, transformer): card + coloured map."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import Feeder
from reports.model import KeyValues, Link, MapSection
from services.capacity import queries as q
from services.capacity.calc import CIP_LABELS, IEP_LABELS, PMGD_LABELS
from services.capacity.criteria import current_criteria
from services.capacity.export import DISCLAIMER
from services.capacity.layers import feeder_layers, transformer_layers
from services.formatting import fmt_number


def _kw(value, decimals: int = 1) -> str:
    return "—" if value is None or value != value else f"{fmt_number(value, decimals)} kW"


def transformer_capacity_card(session: Session, transformer_id: int) -> KeyValues:
    """EG capacity of one transformer (IEP, CIP, simplified track) with a link to its full card."""
    frame, as_of = q.transformer_capacity(session, q.Scope(ids=(transformer_id,)))
    r = frame.iloc[0]
    iep = "sin demanda publicada (sin SMMC)" if r["iep_binding"] is None else \
        f"{_kw(r['iep_kw'])} — limita: {IEP_LABELS[r['iep_binding']]}"
    return KeyValues("Capacidad de conexión EG (indicativa)", [
        ("IEP disponible", iep),
        ("CIP disponible", f"{_kw(r['cip_available_kw'])} — limita: {CIP_LABELS[r['cip_binding']]}"),
        ("Tramo simplificado", f"hasta {_kw(r['simplified_max_kw'])}" if r["simplified_applies"] else "no aplica"),
        ("EG conectada + en trámite", _kw(r["eg_total_kw"])),
        ("Detalle de criterios", Link("Ver ficha de capacidad", f"/capacidad/transformador/{transformer_id}")),
    ], key="capacidad", width=5)


def feeder_capacity_sections(session: Session, feeder_id: int) -> list:
    """PMGD indicators card and a map of the feeder and its transformers coloured by available capacity."""
    c = current_criteria()
    fframe, _ = q.feeder_capacity(session, q.Scope(ids=(feeder_id,)), c)
    tframe, _ = q.transformer_capacity(session, q.Scope(feeder_id=feeder_id), c)
    r = fframe.iloc[0]
    card = KeyValues("Capacidad de conexión (indicativa)", [
        ("Disponible para PMGD", f"{_kw(r['pmgd_available_kw'], 0)} — limita: {PMGD_LABELS.get(r['pmgd_binding'] or '', 'sin datos')}"),
        ("Generación conectada + en trámite", _kw(r["generation_total_kw"], 0)),
        ("Transformadores sin capacidad EG", fmt_number(int((tframe["capacity_class"] == "none").sum()))),
        ("Detalle de criterios", Link("Ver indicadores PMGD", f"/capacidad/alimentador/{feeder_id}")),
    ], key="capacidad", width=5)
    lines = q.feeder_lines(session, [feeder_id])
    mapsec = MapSection("Capacidad disponible", [*feeder_layers(fframe, lines, c), *transformer_layers(tframe, c)],
                        "mapa-capacidad", 420, width=7, note=DISCLAIMER)
    return [card, mapsec]


def substation_capacity_section(session: Session, substation_id: int) -> MapSection:
    """A map of the substation's feeders and transformers coloured by available capacity."""
    c = current_criteria()
    ids = tuple(session.scalars(select(Feeder.id).where(Feeder.substation_id == substation_id)))
    fframe, _ = q.feeder_capacity(session, q.Scope(ids=ids), c)
    layers = feeder_layers(fframe, q.feeder_lines(session, list(ids)), c)
    frames = [q.transformer_capacity(session, q.Scope(feeder_id=fid), c)[0] for fid in ids]
    if frames:
        layers += transformer_layers(pd.concat(frames, ignore_index=True), c)
    return MapSection("Capacidad disponible (EG por transformador, PMGD por alimentador)", layers, "mapa-capacidad", 460,
                      note=DISCLAIMER)

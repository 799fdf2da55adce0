"""Capacity on maps: transformers and feeders coloured by available capacity, one layer per class.

One MapLayer per colour class keeps the legend (page and PDF) truthful without custom legend code;
every feature also carries ``properties.color`` for pages that merge the classes into one layer.
"""
from __future__ import annotations

from html import escape

import pandas as pd
from sqlalchemy.orm import Session

from reports.model import MapLayer
from services.capacity.criteria import CapacityCriteria, current_criteria
from services.formatting import fmt_number

# Okabe-Ito based, ordered from "no capacity" to "ample"; grey where the figure cannot be computed.
CLASS_COLORS = {"none": "#D55E00", "low": "#E69F00", "medium": "#F0E442", "high": "#009E73", "unknown": "#999999"}
CLASS_ORDER = ("high", "medium", "low", "none", "unknown")


def class_labels(breaks: tuple[float, float], unknown: str) -> dict[str, str]:
    """Spanish legend text of each class for the given kW breaks."""
    low, high = (fmt_number(b, 0) for b in breaks)
    return {"high": f"≥ {high} kW", "medium": f"{low} – {high} kW", "low": f"< {low} kW", "none": "Sin capacidad (0 kW)",
            "unknown": unknown}


def legend_rows(criteria: CapacityCriteria | None = None) -> list[dict]:
    """The thresholds of both colour scales, for the legend table."""
    criteria = criteria or current_criteria()
    eg = class_labels(criteria.eg_class_breaks_kw, "Sin demanda publicada (sin SMMC)")
    pm = class_labels(criteria.pmgd_class_breaks_kw, "Sin datos de demanda")
    return [{"class": c, "color": CLASS_COLORS[c], "transformers": eg[c], "feeders": pm[c]} for c in CLASS_ORDER]


def _kw(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{fmt_number(value, 1)} kW"


def transformer_popup(row) -> str:
    """Escaped popup HTML of a transformer's capacity."""
    return (f"<b>{escape(str(row['code']))}</b> · {fmt_number(row['kva'], 0)} kVA<br>"
            f"Disponible (IEP): <b>{_kw(row['iep_kw'])}</b><br>CIP disponible: {_kw(row['cip_available_kw'])}<br>"
            f"EG conectada + en trámite: {_kw(row['eg_total_kw'])}<br>"
            f"<a href='/capacidad/transformador/{int(row['id'])}'>Ver ficha de capacidad</a>")


def feeder_popup(row) -> str:
    """Escaped popup HTML of a feeder's PMGD indicators."""
    return (f"<b>{escape(str(row['code']))}</b> {escape(str(row['name']))}<br>"
            f"Disponible PMGD (indicativo): <b>{_kw(row['pmgd_available_kw'])}</b><br>"
            f"Generación conectada + en trámite: {_kw(row['generation_total_kw'])}<br>"
            f"<a href='/capacidad/alimentador/{int(row['id'])}'>Ver indicadores PMGD</a>")


def transformer_features(frame: pd.DataFrame) -> list[dict]:
    """GeoJSON point features (lon/lat) with popup, colour and the headline figures."""
    out = []
    for row in frame.to_dict("records"):
        out.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(row["lon"], 6), round(row["lat"], 6)]},
                    "properties": {"id": int(row["id"]), "code": row["code"], "capacity_class": row["capacity_class"],
                                   "available_kw": None if pd.isna(row["available_kw"]) else round(float(row["available_kw"]), 2),
                                   "color": CLASS_COLORS[row["capacity_class"]], "popup": transformer_popup(row)}})
    return out


def feeder_features(frame: pd.DataFrame, lines: dict[int, list]) -> list[dict]:
    """GeoJSON MultiLineString features of feeders (MV spans) with popup and colour."""
    out = []
    for row in frame.to_dict("records"):
        segments = lines.get(int(row["id"]))
        if not segments:
            continue
        out.append({"type": "Feature", "geometry": {"type": "MultiLineString", "coordinates": segments},
                    "properties": {"id": int(row["id"]), "code": row["code"], "capacity_class": row["capacity_class"],
                                   "available_kw": None if pd.isna(row["pmgd_available_kw"]) else round(float(row["pmgd_available_kw"]), 1),
                                   "color": CLASS_COLORS[row["capacity_class"]], "popup": feeder_popup(row)}})
    return out


def class_layers(features: list[dict], kind: str, prefix: str, labels: dict[str, str], **style) -> list[MapLayer]:
    """One layer per colour class (empty classes included, so the legend always shows the full scale)."""
    return [MapLayer(f"{prefix}: {labels[c]}", [f for f in features if f["properties"]["capacity_class"] == c], kind,
                     CLASS_COLORS[c], **style) for c in CLASS_ORDER]


def transformer_layers(frame: pd.DataFrame, criteria: CapacityCriteria | None = None) -> list[MapLayer]:
    """Transformers coloured by available EG capacity (IEP)."""
    criteria = criteria or current_criteria()
    labels = class_labels(criteria.eg_class_breaks_kw, "sin demanda publicada")
    return class_layers(transformer_features(frame), "point", "Transformadores", labels, radius=6)


def feeder_layers(frame: pd.DataFrame, lines: dict[int, list], criteria: CapacityCriteria | None = None) -> list[MapLayer]:
    """Feeders coloured by available PMGD capacity (indicative)."""
    criteria = criteria or current_criteria()
    labels = class_labels(criteria.pmgd_class_breaks_kw, "sin datos")
    return class_layers(feeder_features(frame, lines), "line", "Alimentadores", labels, weight=4)


def capacity_layer(session: Session, feeder_id: int, criteria: CapacityCriteria | None = None) -> MapLayer:
    """All transformers of one feeder as ONE layer with per-feature colours (for the network detail maps)."""
    from services.capacity.queries import Scope, transformer_capacity

    frame, _ = transformer_capacity(session, Scope(feeder_id=feeder_id), criteria)
    return MapLayer("Capacidad disponible EG (color por clase)", transformer_features(frame), "point",
                    CLASS_COLORS["unknown"], radius=6)

"""Map layers of substations, feeders and transformers: database rows -> ``geo.layers`` -> ``MapLayer``.

Locations are read as recorded (x, y, datum, zone) and reprojected to EPSG:4326 by ``geo.layers``.
On pages the big feeder layers (spans, poles) are merged into one MultiLineString / MultiPoint per layer
(~25 bytes a point instead of ~100 with per-feature popups) so a 2,000-span feeder stays small; the
per-span/per-pole features with popups are served by ``/api/v1/red/alimentadores/<id>/mapa/<key>.geojson``.
"""
from __future__ import annotations

from urllib.parse import quote

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import Actor, NotFound
from data.models import DistributionTransformer, Equipment, Feeder, Pole, Span, Substation
from geo.layers import (
    comuna_features,
    line_features,
    merged_line_feature,
    multipoint_feature,
    point_features,
    popup_html,
    with_lonlat,
)
from reports.charts import PALETTE
from reports.model import MapLayer
from services.formatting import fmt_number
from services.frames import query_frame
from services.network.assets import CATEGORY_LABELS
from services.network.hierarchy import get_feeder, get_substation, get_transformer

COMUNA_COLOR = "#8a96a3"
MV_COLOR, LV_COLOR, POLE_COLOR = PALETTE[0], PALETTE[1], "#6c757d"
TRANSFORMER_COLOR, SUBSTATION_COLOR = PALETTE[3], "#000000"
EQUIPMENT_COLORS = {"protection": PALETTE[4], "switching": PALETTE[2], "regulator": "#5a3e8c",
                    "compensation": PALETTE[5], "autotransformer": PALETTE[6]}
FEEDER_LAYER_KEYS = ("vanos-mt", "vanos-bt", "postes")




def _search_href(feeder_id: int, kind: str, code: str) -> str:
    return f"/red/alimentador/{feeder_id}?tipo={kind}&q={quote(code)}"


def comuna_layer(comuna_code: str, name: str) -> MapLayer:
    """The comuna boundary: always drawn, and the base layer when web tiles cannot load."""
    return MapLayer(f"Comuna {name}", comuna_features(comuna_code, name), "polygon", COMUNA_COLOR, weight=2.0,
                    fill_opacity=0.12)


def substation_point(sub: Substation) -> MapLayer:
    """The substation as a point with a link to its detail."""
    frame = with_lonlat(pd.DataFrame([{"x": sub.x, "y": sub.y, "datum": sub.datum, "zone": sub.zone}]))
    frame["popup"] = popup_html(f"Subestación {sub.name}", [sub.code], ("Ver detalle", f"/red/subestacion/{sub.id}"))
    return MapLayer("Subestación", point_features(frame), "point", SUBSTATION_COLOR, radius=8)


def _span_frame(session: Session, feeder_ids: list[int], level: str | None = None) -> pd.DataFrame:
    """Spans of the feeders with origin/destination lon/lat (head spans start at the substation)."""
    where = [Span.feeder_id.in_(feeder_ids)]
    if level:
        where.append(Span.voltage_level == level)
    spans = query_frame(session, select(Span.id, Span.code, Span.feeder_id, Span.from_pole_id, Span.to_pole_id,
                                   Span.voltage_level, Span.length_m, Span.conductor_material,
                                   Span.conductor_insulation).where(*where).order_by(Span.id))
    poles = with_lonlat(query_frame(session, select(Pole.id, Pole.x, Pole.y, Pole.datum, Pole.zone)
                               .where(Pole.feeder_id.in_(feeder_ids))))
    heads = with_lonlat(query_frame(session, select(Feeder.id.label("feeder_id"), Substation.x, Substation.y,
                                               Substation.datum, Substation.zone)
                               .join(Substation, Substation.id == Feeder.substation_id)
                               .where(Feeder.id.in_(feeder_ids))))
    lon, lat = poles.set_index("id")["lon"], poles.set_index("id")["lat"]
    head_lon, head_lat = heads.set_index("feeder_id")["lon"], heads.set_index("feeder_id")["lat"]
    out = spans.copy()
    out["to_lon"] = out["to_pole_id"].map(lon)
    out["to_lat"] = out["to_pole_id"].map(lat)
    has_from = out["from_pole_id"].notna()
    out["from_lon"] = out["from_pole_id"].map(lon).where(has_from, out["feeder_id"].map(head_lon))
    out["from_lat"] = out["from_pole_id"].map(lat).where(has_from, out["feeder_id"].map(head_lat))
    return out


def _span_popups(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([
        popup_html(f"Vano {code}", [f"{lvl} · {fmt_number(length, 1)} m · {mat} {ins}"],
                   ("Ver ficha", _search_href(fid, "vano", code)))
        for code, lvl, length, mat, ins, fid in zip(frame["code"], frame["voltage_level"], frame["length_m"],
                                                    frame["conductor_material"], frame["conductor_insulation"],
                                                    frame["feeder_id"])], index=frame.index, dtype=object)


def layer_url(feeder_id: int, key: str) -> str:
    """The GeoJSON route of one big feeder layer (one feature per asset, with popups)."""
    return f"/api/v1/red/alimentadores/{feeder_id}/mapa/{key}.geojson"


def spans_layer(session: Session, feeder_id: int, level: str, merged: bool = True) -> MapLayer:
    """MV (thick) or LV (thin) spans of a feeder.

    ``merged``: one MultiLineString (print, bounds, JSON twin), the interactive map loading the detailed
    layer from its URL; otherwise one feature per span with a popup (the layer route itself).
    """
    frame = _span_frame(session, [feeder_id], level)
    mv = level == "MT"
    name = "Vanos MT" if mv else "Vanos BT"
    if merged:
        features = merged_line_feature(frame, popup_html(
            f"{name}: {len(frame)}", ["Busque un vano por su identificador bajo el mapa."],
            ("Listar vanos", f"/red/alimentador/{feeder_id}?tipo=vano&q=")))
    else:
        frame["popup"] = _span_popups(frame) if len(frame) else []
        features = line_features(frame)
    return MapLayer(name, features, "line", MV_COLOR if mv else LV_COLOR, weight=3.0 if mv else 1.5,
                    url=layer_url(feeder_id, "vanos-mt" if mv else "vanos-bt") if merged else None)


def poles_layer(session: Session, feeder_id: int, merged: bool = True) -> MapLayer:
    """Poles of a feeder as small points (``merged``: one MultiPoint, detailed points from the layer URL)."""
    frame = with_lonlat(query_frame(session, select(Pole.code, Pole.x, Pole.y, Pole.datum, Pole.zone, Pole.mv_kv)
                               .where(Pole.feeder_id == feeder_id).order_by(Pole.id)))
    if merged:
        features = multipoint_feature(frame, popup_html(f"Postes: {len(frame)}", [
            "Busque un poste por su placa bajo el mapa."], ("Listar postes", f"/red/alimentador/{feeder_id}?tipo=poste&q=")))
    else:
        frame["popup"] = [popup_html(f"Poste {c}", ["MT" if pd.notna(mv) else "BT"],
                                     ("Ver ficha", _search_href(feeder_id, "poste", c)))
                          for c, mv in zip(frame["code"], frame["mv_kv"])] if len(frame) else []
        features = point_features(frame)
    return MapLayer("Postes", features, "point", POLE_COLOR, radius=2, url=layer_url(feeder_id, "postes") if merged else None)


def transformers_layer(session: Session, where, name: str = "Transformadores de distribución") -> MapLayer:
    """Distribution transformers matching ``where`` with a link to each detail."""
    frame = with_lonlat(query_frame(session, select(DistributionTransformer.id, DistributionTransformer.code,
                                               DistributionTransformer.name, DistributionTransformer.kva,
                                               DistributionTransformer.x, DistributionTransformer.y,
                                               DistributionTransformer.datum, DistributionTransformer.zone)
                               .where(where).order_by(DistributionTransformer.code)))
    frame["popup"] = [popup_html(f"Transformador {c}", [n, f"{fmt_number(k)} kVA"], ("Ver detalle", f"/red/transformador/{i}"))
                      for i, c, n, k in zip(frame["id"], frame["code"], frame["name"], frame["kva"])] if len(frame) else []
    return MapLayer(name, point_features(frame), "point", TRANSFORMER_COLOR, radius=6)


def equipment_layers(session: Session, feeder_id: int) -> list[MapLayer]:
    """One layer per equipment category (protection, switching, regulators, compensation, autotransformers)."""
    frame = with_lonlat(query_frame(session, select(Equipment.code, Equipment.category, Equipment.kind, Equipment.capacity,
                                               Equipment.capacity_unit, Equipment.x, Equipment.y, Equipment.datum,
                                               Equipment.zone).where(Equipment.feeder_id == feeder_id)
                               .order_by(Equipment.code)))
    layers = []
    for category, label in CATEGORY_LABELS.items():
        part = frame[frame["category"] == category].copy()
        if part.empty:
            continue
        part["popup"] = [popup_html(f"{k} {c}", [f"{fmt_number(cap)} {u}"], ("Ver ficha", _search_href(feeder_id, "equipo", c)))
                         for c, k, cap, u in zip(part["code"], part["kind"], part["capacity"], part["capacity_unit"])]
        layers.append(MapLayer(f"Equipos: {label}", point_features(part), "point", EQUIPMENT_COLORS[category], radius=7))
    return layers


def feeder_layer(session: Session, actor: Actor, feeder_id: int, key: str) -> MapLayer:
    """One of the big feeder layers by key (``vanos-mt``, ``vanos-bt``, ``postes``) for its GeoJSON URL."""
    get_feeder(session, actor, feeder_id)
    if key == "vanos-mt":
        return spans_layer(session, feeder_id, "MT", merged=False)
    if key == "vanos-bt":
        return spans_layer(session, feeder_id, "BT", merged=False)
    if key == "postes":
        return poles_layer(session, feeder_id, merged=False)
    raise NotFound("Capa desconocida.")


def feeder_map(session: Session, actor: Actor, feeder_id: int) -> list[MapLayer]:
    """Comuna, spans (MV vs LV), poles, transformers, equipment by type and the substation of a feeder."""
    feeder = get_feeder(session, actor, feeder_id)
    from data.models import Comuna

    comuna = session.get(Comuna, feeder.comuna_code)
    return [comuna_layer(comuna.code, comuna.name), spans_layer(session, feeder_id, "MT"),
            spans_layer(session, feeder_id, "BT"), poles_layer(session, feeder_id),
            transformers_layer(session, DistributionTransformer.feeder_id == feeder_id),
            *equipment_layers(session, feeder_id), substation_point(feeder.substation)]


def substation_map(session: Session, actor: Actor, substation_id: int) -> list[MapLayer]:
    """Comuna boundary, the substation and the MV spans of each of its feeders (one colour per feeder)."""
    sub = get_substation(session, actor, substation_id)
    from data.models import Comuna

    comuna = session.get(Comuna, sub.comuna_code)
    layers = [comuna_layer(comuna.code, comuna.name)]
    feeders = list(sub.feeders)
    frame = _span_frame(session, [f.id for f in feeders], "MT") if feeders else pd.DataFrame()
    for i, f in enumerate(feeders):
        part = frame[frame["feeder_id"] == f.id].copy()
        part["popup"] = popup_html(f"Alimentador {f.code} {f.name}", [], ("Ver detalle", f"/red/alimentador/{f.id}"))
        layers.append(MapLayer(f"{f.code} {f.name}", line_features(part), "line",
                               PALETTE[(i + 1) % len(PALETTE)], weight=3.0))
    layers.append(substation_point(sub))
    return layers


def _lv_network(session: Session, transformer: DistributionTransformer) -> pd.DataFrame:
    """The LV spans hanging from the transformer's pole (walks the LV tree downstream)."""
    frame = _span_frame(session, [transformer.feeder_id], "BT")
    if transformer.pole_id is None or frame.empty:
        return frame.iloc[0:0]
    children = frame.groupby("from_pole_id")["to_pole_id"].apply(list).to_dict()
    reached, todo = set(), [transformer.pole_id]
    while todo:
        pole = todo.pop()
        for nxt in children.get(pole, []):
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    return frame[frame["to_pole_id"].isin(reached)].copy()


def transformer_map(session: Session, actor: Actor, transformer_id: int) -> list[MapLayer]:
    """Comuna boundary, the feeder's MV spans, the transformer's LV network and the transformer itself."""
    tr = get_transformer(session, actor, transformer_id)
    from data.models import Comuna

    comuna = session.get(Comuna, tr.comuna_code)
    mv = _span_frame(session, [tr.feeder_id], "MT")
    if tr.pole_id is not None:  # only the MV spans touching the transformer's pole: keeps the map local
        mv = mv[(mv["to_pole_id"] == tr.pole_id) | (mv["from_pole_id"] == tr.pole_id)].copy()
    mv["popup"] = _span_popups(mv) if len(mv) else []
    lv = _lv_network(session, tr)
    lv["popup"] = _span_popups(lv) if len(lv) else []
    return [comuna_layer(comuna.code, comuna.name),
            MapLayer(f"Vanos MT junto al transformador ({tr.feeder.code})", line_features(mv), "line", MV_COLOR, weight=2.0),
            MapLayer("Vanos BT del transformador", line_features(lv), "line", LV_COLOR, weight=2.0),
            transformers_layer(session, DistributionTransformer.id == transformer_id, "Transformador")]

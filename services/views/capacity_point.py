"""Point query view: nearest transformers and feeder to a place, with their available capacity."""
from __future__ import annotations

from sqlalchemy.orm import Session

from api.core import ApiError
from auth.policy import NETWORK
from auth.scope import Actor
from geo.crs import from_wgs84, zone_for_lon
from reports.model import Column, KeyValues, MapLayer, MapSection, Report, Table, Text
from reports.views import optional, str_param, view
from services.capacity import queries as q
from services.capacity.calc import PMGD_LABELS
from services.capacity.criteria import current_criteria
from services.capacity.export import transformer_rows
from services.capacity.layers import class_labels, feeder_layers, transformer_layers
from services.capacity.point import QUERY_KEYS, PointInputError, parse_point, point_result
from services.formatting import fmt_month, fmt_number
from services.views.capacity import base_layer, disclaimer_text, kw

POINT_COLOR = "#000000"


def _params() -> dict:
    return {key: optional(str_param(40)) for key in QUERY_KEYS}


def overview_layers(session: Session) -> list[MapLayer]:
    """All comunas with network and every feeder coloured by PMGD capacity: the map to click on."""
    c = current_criteria()
    comunas = [code for code, _, _ in q.comunas_with_network(session)]
    frame, _ = q.feeder_capacity(session, q.Scope(), c)
    return [base_layer(comunas), *feeder_layers(frame, q.feeder_lines(session, frame["id"].tolist()), c)]


@view("capacidad-punto", title="Red más cercana a un punto", policy=NETWORK, params=_params())
def point_view(session: Session, actor: Actor, **raw) -> Report:
    """Nearest transformers (distance, voltage, available EG capacity) and feeder to a point."""
    c = current_criteria()
    try:
        req = parse_point(session, actor, {k: v for k, v in raw.items() if v is not None}, c)
    except PointInputError as exc:
        raise ApiError(str(exc), 400, exc.errors) from None
    crumbs = [("Inicio", "/"), ("Capacidad", "/capacidad"), ("Consulta por punto", None)]
    if req is None:
        return Report("capacidad-punto", "Red más cercana a un punto", {}, [
            Text("Cómo consultar", ["Haga clic en el mapa, ingrese coordenadas (latitud/longitud o UTM con datum y huso) "
                                    "o un número de cliente para ver los transformadores y el alimentador más cercanos "
                                    "con su capacidad disponible indicativa."], key="ayuda"),
            MapSection("Red de distribución (clic para consultar)", overview_layers(session), "ubicacion", 520)],
            breadcrumb=crumbs, subtitle="Cifras indicativas; no reemplazan el estudio de conexión")
    result = point_result(session, req, c)
    tframe = result["transformers"]
    rows = transformer_rows(tframe) if not tframe.empty else []
    eg_labels = class_labels(c.eg_class_breaks_kw, "Sin demanda publicada (sin SMMC)")
    for i, row in enumerate(rows, start=1):
        row["rank"] = i
        row["voltage"] = f"{fmt_number(row['primary_kv'], 1)} kV / {fmt_number(row['secondary_v'])} V"
        row["class_label"] = eg_labels[row["capacity_class"]]
        row["simplified"] = f"hasta {kw(row['simplified_max_kw'])}" if row["simplified_applies"] else "no aplica"
    table = Table("Transformadores más cercanos", "cercanos", [
        Column("rank", "N°", "int"), Column("code", "Transformador", "link", href_key="href"),
        Column("distance_m", "Distancia (m)", "number", 0), Column("voltage", "Tensión"), Column("kva", "kVA", "number", 0),
        Column("iep_kw", "IEP disponible (kW)", "number", 1), Column("cip_available_kw", "CIP disponible (kW)", "number", 1),
        Column("simplified", "Tramo simplificado"), Column("class_label", "Clase"), Column("feeder_code", "Alimentador")],
        rows, note=f"Distancias geodésicas (WGS84) desde el punto. Búsqueda hasta {fmt_number(c.nearest_max_distance_m / 1000)} km.",
        empty_text=f"No hay transformadores a menos de {fmt_number(c.nearest_max_distance_m / 1000)} km.")
    feeder = result["feeder"]
    x19, y19 = from_wgs84(req.lon, req.lat, "WGS84", zone_for_lon(req.lon))
    items = [("Ubicación ingresada", req.label),
             ("WGS84", f"Latitud {fmt_number(req.lat, 6)}, longitud {fmt_number(req.lon, 6)}"),
             (f"UTM WGS84 huso {zone_for_lon(req.lon)}", f"E {fmt_number(x19, 1)} · N {fmt_number(y19, 1)}")]
    if feeder is not None:
        items += [("Alimentador más cercano", f"{feeder['code']} · {feeder['name']} ({fmt_number(feeder['nominal_kv'], 1)} kV), "
                                              f"a {fmt_number(feeder['distance_m'])} m"),
                  ("Disponible PMGD (indicativo)", f"{kw(feeder['pmgd_available_kw'], 0)} — limita: "
                                                   f"{PMGD_LABELS.get(feeder['pmgd_binding'] or '', 'sin datos')}")]
    else:
        items.append(("Alimentador más cercano", f"Ninguno a menos de {fmt_number(c.nearest_max_distance_m / 1000)} km"))
    items.append(("Datos al", fmt_month(result["as_of"]) if result["as_of"] else "—"))
    place = MapLayer("Punto consultado", [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [req.lon, req.lat]},
                                           "properties": {"popup": req.label, "radius": 8}}], "point", POINT_COLOR, radius=8)
    layers = [base_layer(set(tframe["comuna_code"]) if not tframe.empty else set())]
    if feeder is not None:
        fframe, _ = q.feeder_capacity(session, q.Scope(ids=(int(feeder["id"]),)), c)
        layers += feeder_layers(fframe, q.feeder_lines(session, [int(feeder["id"])]), c)
    if not tframe.empty:
        layers += transformer_layers(tframe, c)
    layers.append(place)
    params = {k: v for k, v in raw.items() if v is not None}
    return Report("capacidad-punto", "Red más cercana a un punto", params, [
        KeyValues("Punto consultado", items, key="punto", width=5),
        MapSection("Mapa (clic para consultar otro punto)", layers, "ubicacion", 460, width=7),
        table, disclaimer_text()],
        breadcrumb=crumbs, subtitle="Cifras indicativas; no reemplazan el estudio de conexión",
        as_of=fmt_month(result["as_of"]) if result["as_of"] else "")

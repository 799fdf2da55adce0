"""Capacity views: a transformer's EG capacity card, a feeder's PMGD indicators and the comuna capacity map."""
from __future__ import annotations

import plotly.graph_objects as go
from sqlalchemy.orm import Session

from auth.policy import NETWORK
from auth.scope import Actor, NotFound
from data.models import Comuna
from geo.comunas import comuna_geojson
from reports.charts import PALETTE, styled
from reports.model import Chart, Column, KeyValues, MapLayer, MapSection, Report, Table, Text
from reports.views import int_param, str_param, view
from services.capacity import queries as q
from services.capacity.calc import CIP_LABELS, IEP_LABELS, PMGD_LABELS
from services.capacity.criteria import SOURCES, current_criteria
from services.capacity.export import DISCLAIMER, as_table, feeder_rows, transformer_rows
from services.capacity.layers import class_labels, feeder_layers, transformer_layers
from services.formatting import fmt_month, fmt_number

QUEUE_NOTE = ("Cola de conexión: las solicitudes EG y PMGD en trámite informadas por la distribuidora se suman a la "
              "generación conectada en todas las cifras de esta página.")
KIND_LABELS = {"eg": "EG (netbilling)", "pmgd": "PMGD"}


def kw(value, decimals: int = 1) -> str:
    """``12,5 kW`` or ``—``."""
    return "—" if value is None or value != value else f"{fmt_number(value, decimals)} kW"


def base_layer(comuna_codes) -> MapLayer:
    """Comuna boundaries: the offline base of every capacity map (no popup, so clicks reach the map)."""
    features = [{"type": "Feature", "geometry": f["geometry"], "properties": {"name": f["properties"]["name"]}}
                for code in sorted(set(comuna_codes)) for f in comuna_geojson(code)["features"]]
    return MapLayer("Comuna", features, "polygon", "#6c757d", weight=1, fill_opacity=0.04, legend=False)


def disclaimer_text(extra: list[str] | None = None) -> Text:
    """The indicative-figures warning, the queue note and where the criteria are documented."""
    return Text("Advertencia", [DISCLAIMER, QUEUE_NOTE, *(extra or []),
                                "Los criterios, sus fuentes y los supuestos están documentados en la API "
                                "(/api/v1/capacidad/criterios) y en docs/interconnection.md."], key="advertencia")


def queue_table(session: Session, **where) -> Table:
    """Applications in process on a transformer or feeder."""
    frame = q.queue(session, **where)
    rows = [{"code": r["code"], "kind": KIND_LABELS.get(r["kind"], r["kind"]), "capacity_kw": r["capacity_kw"],
             "submitted_on": r["submitted_on"]} for r in frame.to_dict("records")]
    return Table("Solicitudes de conexión en trámite (cola)", "cola", [
        Column("code", "Solicitud"), Column("kind", "Tipo"), Column("capacity_kw", "kW", "number", 1),
        Column("submitted_on", "Ingresada", "date")], rows, note=QUEUE_NOTE, width=6,
        empty_text="No hay solicitudes en trámite.")


@view("capacidad-transformador", shared=True, title="Capacidad EG de un transformador", policy=NETWORK,
      params={"transformer_id": int_param})
def transformer_view(session: Session, actor: Actor, transformer_id: int) -> Report:
    """EG (netbilling) criteria of one distribution transformer: inputs, each criterion, the binding one."""
    c = current_criteria()
    frame, as_of = q.transformer_capacity(session, q.Scope(ids=(transformer_id,)), c)
    if frame.empty:
        raise NotFound("No existe el transformador solicitado.")
    r = transformer_rows(frame)[0]
    labels = class_labels(c.eg_class_breaks_kw, "Sin demanda publicada (sin SMMC)")
    eg_n, queue_n = int(r["eg_connected_n"]), int(r["eg_queue_n"])
    window = f"mínimo de {c.demand_window_months} meses hasta {fmt_month(as_of)}" if as_of else "sin datos"
    if r["iep_kw"] is None:
        iep_text = "No calculable: el transformador no tiene demanda publicada (sin SMMC)"
    else:
        iep_text = f"{kw(r['iep_kw'])} — limita: {IEP_LABELS[r['iep_binding']]}"
        if r["iep_floored"]:
            iep_text += f" (el criterio da {kw(r['iep_raw_kw'])}; se lleva a 0)"
    simplified = (f"Aplica para EG con inversor de hasta {kw(r['simplified_max_kw'])}" if r["simplified_applies"] else
                  f"No aplica: la EG total ({kw(r['eg_total_kw'])}) ya alcanza el "
                  f"{fmt_number(c.simplified_max_share_lv * 100)} % de {fmt_number(r['kva'])} kVA")
    result = KeyValues("Resultado indicativo", [
        ("Inyección de excedentes permitida disponible (IEP)", iep_text),
        ("Capacidad instalada permitida disponible (CIP − EG)", f"{kw(r['cip_available_kw'])} — limita: "
                                                                 f"{CIP_LABELS[r['cip_binding']]}"),
        ("Tramo simplificado", simplified),
        ("Clase en el mapa", labels[r["capacity_class"]]),
    ], key="resultado", width=6)
    inputs = KeyValues("Datos de entrada", [
        ("Transformador", f"{r['code']} · {r['name']}"), ("Alimentador", r["feeder_code"]),
        ("Capacidad", f"{fmt_number(r['kva'])} kVA · {fmt_number(r['primary_kv'], 1)} kV / {fmt_number(r['secondary_v'])} V"),
        ("Medición SMMC", "Sí" if r["smmc_monitored"] else "No"),
        ("Scc en el nodo MT (publicada)", f"{fmt_number(r['scc_mv_kva'])} kVA"),
        ("Scc en barra BT (calculada, uk " + fmt_number(c.transformer_impedance_pu * 100, 1) + " %)",
         f"{fmt_number(r['scc_kva'])} kVA"),
        ("Demanda mínima diurna (09-18 h)", f"{kw(r['min_daytime_demand_kw'])} ({window})"),
        ("EG conectada", f"{kw(r['eg_connected_kw'])} ({eg_n} instalaciones)"),
        ("EG en trámite (cola)", f"{kw(r['eg_queue_kw'])} ({queue_n} solicitudes)"),
        ("EG total considerada", kw(r["eg_total_kw"])),
    ], key="entradas", width=6)
    scc, eg = r["scc_kva"], r["eg_total_kw"]
    mark = "◀ limitante"
    crit_rows = [
        dict(what="CIP", name=CIP_LABELS["scc_kvs"], calc=f"{fmt_number(scc)} / ({fmt_number(c.kvs_lv)} · {fmt_number(c.kman_inverter)})",
             value=r["cip_scc_kvs_kw"], binding=mark if r["cip_binding"] == "scc_kvs" else "", source=SOURCES["kvs_lv"]),
        dict(what="CIP", name=CIP_LABELS["scc_share"], calc=f"{fmt_number(c.cip_max_scc_share * 100)} % · {fmt_number(scc)}",
             value=r["cip_scc_share_kw"], binding=mark if r["cip_binding"] == "scc_share" else "", source=SOURCES["cip_max_scc_share"]),
        dict(what="CIP disp.", name="CIP − EG total", calc=f"{fmt_number(r['cip_kw'], 1)} − {fmt_number(eg, 1)} (mín. 0)",
             value=r["cip_available_kw"], binding="", source="Cola incluida"),
        dict(what="IEP", name=IEP_LABELS["demand"],
             calc=f"{fmt_number(r['min_daytime_demand_kw'], 1)} − {fmt_number(eg, 1)}" if r["min_daytime_demand_kw"] is not None
             else "sin demanda publicada", value=r["iep_demand_kw"], binding=mark if r["iep_binding"] == "demand" else "",
             source=SOURCES["demand_window_months"]),
        dict(what="IEP", name=IEP_LABELS["scc"], calc=f"{fmt_number(scc)} / {fmt_number(c.iep_scc_divisor)} − {fmt_number(eg, 1)}",
             value=r["iep_scc_kw"], binding=mark if r["iep_binding"] == "scc" else "", source=SOURCES["iep_scc_divisor"]),
        dict(what="IEP", name=IEP_LABELS["cip"], calc="tope", value=r["cip_available_kw"],
             binding=mark if r["iep_binding"] == "cip" else "", source="IEP ≤ CIP disponible"),
    ]
    criteria_table = Table("Criterios y criterio limitante", "criterios", [
        Column("what", "Magnitud"), Column("name", "Criterio"), Column("calc", "Cálculo"),
        Column("value", "Valor (kW)", "number", 1), Column("binding", "Limita"), Column("source", "Fuente")], crit_rows,
        note="IEP = mín(criterios) llevado a 0 si es negativo y topado por la CIP disponible.")
    eg_frame = q.connected_eg(session, transformer_id)
    eg_table = Table("EG conectada en este transformador", "eg", [
        Column("code", "Instalación"), Column("technology", "Tecnología"), Column("capacity_kw", "kW", "number", 1),
        Column("inverter_kw", "Inversor kW", "number", 1), Column("connection_date", "Conexión", "date")],
        eg_frame.to_dict("records"), width=6, empty_text="No hay EG conectada.")
    lines = q.feeder_lines(session, [r["feeder_id"]])
    feeder_line = MapLayer(f"Alimentador {r['feeder_code']}",
                           [{"type": "Feature", "geometry": {"type": "MultiLineString", "coordinates": lines.get(r["feeder_id"], [])},
                             "properties": {"popup": r["feeder_code"]}}], "line", "#56B4E9", weight=2)
    mapsec = MapSection("Ubicación", [base_layer([r["comuna_code"]]), feeder_line, *transformer_layers(frame, c)],
                        "mapa", 380, width=12)
    return Report("capacidad-transformador", f"Capacidad EG · {r['code']}", {"transformer_id": transformer_id},
                  [result, inputs, criteria_table, queue_table(session, transformer_id=transformer_id), eg_table, mapsec,
                   disclaimer_text()],
                  breadcrumb=[("Inicio", "/"), ("Capacidad", f"/capacidad?comuna={r['comuna_code']}"),
                              (r["comuna_name"], f"/capacidad?comuna={r['comuna_code']}"), (r["code"], None)],
                  subtitle="Criterios de la norma técnica de netbilling (DS 57) · cifras indicativas",
                  company=r["company_code"], as_of=fmt_month(as_of) if as_of else "")


@view("capacidad-alimentador", shared=True, title="Indicadores PMGD de un alimentador", policy=NETWORK, params={"feeder_id": int_param})
def feeder_view(session: Session, actor: Actor, feeder_id: int) -> Report:
    """Indicative PMGD screens of one feeder: demand, PMGD/EG connected and queued, Scc, ratios, binding screen."""
    c = current_criteria()
    frame, as_of = q.feeder_capacity(session, q.Scope(ids=(feeder_id,)), c)
    if frame.empty:
        raise NotFound("No existe el alimentador solicitado.")
    r = feeder_rows(frame)[0]
    labels = class_labels(c.pmgd_class_breaks_kw, "Sin datos de demanda")
    avail = kw(r["pmgd_available_kw"], 0)
    if r["pmgd_floored"]:
        avail += f" (holgura {kw(r['pmgd_raw_kw'], 0)}; se lleva a 0)"
    result = KeyValues("Resultado indicativo", [
        ("Capacidad disponible para PMGD (indicativa)", avail),
        ("Criterio limitante", r["pmgd_binding_label"]), ("Clase en el mapa", labels[r["capacity_class"]]),
        ("Generación considerada", f"{kw(r['generation_total_kw'], 0)} (PMGD y EG conectados y en trámite)"),
    ], key="resultado", width=6)
    window = f"{c.demand_window_months} meses hasta {fmt_month(as_of)}" if as_of else "sin datos"
    inputs = KeyValues("Datos de entrada", [
        ("Alimentador", f"{r['code']} · {r['name']} ({fmt_number(r['nominal_kv'], 1)} kV)"),
        ("Subestación", r["substation_name"]), ("Capacidad", f"{fmt_number(r['capacity_kva'])} kVA"),
        ("Scc en cabecera", f"{fmt_number(r['scc_kva'])} kVA"),
        ("Demanda mínima / máxima", f"{kw(r['min_demand_kw'])} / {kw(r['max_demand_kw'])} ({window})"),
        ("PMGD conectados", f"{kw(r['pmgd_connected_kw'], 0)} ({int(r['pmgd_connected_n'])})"),
        ("PMGD en trámite (cola)", f"{kw(r['pmgd_queue_kw'], 0)} ({int(r['pmgd_queue_n'])})"),
        ("EG conectada / en trámite", f"{kw(r['eg_connected_kw'])} / {kw(r['eg_queue_kw'])}"),
    ], key="entradas", width=6)
    mark = "◀ limitante"

    def screen(key, threshold, limit, ratio):
        headroom = r[f"headroom_{key}_kw"]
        return dict(name=PMGD_LABELS[key], threshold=threshold, limit=limit, headroom=headroom, ratio=ratio,
                    ok=None if headroom is None else ("Sí" if headroom >= 0 else "No"),
                    binding=mark if r["pmgd_binding"] == key else "")

    rows = [
        screen("min_demand", f"G ≤ {fmt_number(c.pmgd_max_gen_to_min_demand, 2)} × Dmín", r["limit_min_demand_kw"],
               f"G/Dmín = {fmt_number(r['ratio_gen_to_min_demand'], 2)}"),
        screen("short_circuit", f"Scc/G ≥ {fmt_number(c.pmgd_min_short_circuit_ratio)}", r["limit_short_circuit_kw"],
               f"Scc/G = {fmt_number(r['short_circuit_ratio'], 1)}"),
        screen("thermal", f"G − Dmín ≤ {fmt_number(c.pmgd_max_export_to_capacity, 2)} × capacidad", r["limit_thermal_kw"],
               f"(G − Dmín)/capacidad = {fmt_number(r['ratio_export_to_capacity'], 2)}"),
        dict(name=PMGD_LABELS["pmgd_max"], threshold=f"≤ {fmt_number(c.pmgd_max_kw)} kW", limit=c.pmgd_max_kw,
             headroom=None, ratio="", ok="", binding=mark if r["pmgd_binding"] == "pmgd_max" else ""),
    ]
    screens = Table("Criterios indicativos (umbrales configurables)", "criterios", [
        Column("name", "Criterio"), Column("threshold", "Umbral"), Column("limit", "Límite de generación (kW)", "number", 0),
        Column("headroom", "Holgura (kW)", "number", 0), Column("ratio", "Razón actual"), Column("ok", "Cumple"),
        Column("binding", "Limita")], rows,
        note="Indicadores indicativos inspirados en DS 88/NTCO; no son el criterio oficial de «impacto no significativo».")
    monthly = q.feeder_monthly_demand(session, feeder_id, c)
    fig = go.Figure([
        go.Scatter(x=monthly["month"], y=monthly["max_demand_kw"], name="Demanda máxima", mode="lines+markers", line_color=PALETTE[0]),
        go.Scatter(x=monthly["month"], y=monthly["min_demand_kw"], name="Demanda mínima", mode="lines+markers", line_color=PALETTE[2]),
        go.Scatter(x=monthly["month"], y=[r["generation_total_kw"]] * len(monthly), name="Generación conectada + en trámite",
                   mode="lines", line=dict(color=PALETTE[3], dash="dash")),
    ])
    styled(fig, height=300, yaxis_title="kW")
    pm = q.connected_pmgds(session, feeder_id)
    pm_table = Table("PMGD conectados", "pmgd", [Column("code", "PMGD"), Column("name", "Nombre"),
                                                 Column("capacity_kw", "kW", "number", 0), Column("connection_date", "Conexión", "date")],
                     pm.to_dict("records"), width=6, empty_text="No hay PMGD conectados.")
    tframe, _ = q.transformer_capacity(session, q.Scope(feeder_id=feeder_id), c)
    lines = q.feeder_lines(session, [feeder_id])
    mapsec = MapSection("Alimentador y transformadores por capacidad disponible",
                        [base_layer(set(tframe["comuna_code"]) | {r["comuna_code"]}), *feeder_layers(frame, lines, c),
                         *transformer_layers(tframe, c)], "mapa", 460)
    return Report("capacidad-alimentador", f"Indicadores PMGD · {r['code']}", {"feeder_id": feeder_id},
                  [result, inputs, screens, Chart("Demanda mensual y generación", fig, "demanda", 300),
                   queue_table(session, feeder_id=feeder_id), pm_table, mapsec, disclaimer_text()],
                  breadcrumb=[("Inicio", "/"), ("Capacidad", f"/capacidad?comuna={r['comuna_code']}"),
                              (r["comuna_name"], f"/capacidad?comuna={r['comuna_code']}"), (r["code"], None)],
                  subtitle="PMGD (DS 88/2019) · indicadores indicativos, umbrales configurables",
                  company=r["company_code"], as_of=fmt_month(as_of) if as_of else "")


def class_counts(frame, labels: dict[str, str]) -> str:
    """``≥ 10 kW: 12 · 3 – 10 kW: 40 ...`` for a capacity frame."""
    counts = frame["capacity_class"].value_counts()
    return " · ".join(f"{labels[k]}: {int(counts.get(k, 0))}" for k in ("high", "medium", "low", "none", "unknown"))


@view("capacidad-comuna", shared=True, title="Mapa de capacidad de una comuna", policy=NETWORK, params={"comuna": str_param(5)})
def comuna_view(session: Session, actor: Actor, comuna: str) -> Report:
    """Transformers and feeders of a comuna coloured by available capacity, with tables and thresholds."""
    c = current_criteria()
    com = session.get(Comuna, comuna)
    if com is None:
        raise NotFound("No existe la comuna solicitada.")
    tframe, as_of = q.transformer_capacity(session, q.Scope(comuna_code=comuna), c)
    fframe, _ = q.feeder_capacity(session, q.Scope(comuna_code=comuna), c)
    lines = q.feeder_lines(session, fframe["id"].tolist())
    eg_labels = class_labels(c.eg_class_breaks_kw, "Sin demanda publicada (sin SMMC)")
    pm_labels = class_labels(c.pmgd_class_breaks_kw, "Sin datos de demanda")
    mapsec = MapSection(f"Capacidad disponible en {com.name}", [base_layer([comuna]), *feeder_layers(fframe, lines, c),
                                                                *transformer_layers(tframe, c)], "mapa", 560, width=12,
                        note="Color de transformadores: IEP disponible para EG. Color de alimentadores: capacidad "
                             "indicativa para PMGD. Haga clic en un elemento para ver su ficha.")
    legend = Table("Umbrales de color", "leyenda", [Column("color_name", "Color"), Column("transformers", "Transformadores (EG, IEP)"),
                                                   Column("feeders", "Alimentadores (PMGD)")],
                   [{"color_name": name, "transformers": eg_labels[k], "feeders": pm_labels[k]} for k, name in
                    (("high", "Verde"), ("medium", "Amarillo"), ("low", "Naranjo"), ("none", "Rojo"), ("unknown", "Gris"))],
                   width=5, note="Umbrales configurables (eg_class_breaks_kw, pmgd_class_breaks_kw).")
    queue_eg = float(tframe["eg_queue_kw"].sum()) if not tframe.empty else 0.0
    queue_pm = float(fframe["pmgd_queue_kw"].sum()) if not fframe.empty else 0.0
    summary = KeyValues("Resumen", [
        ("Transformadores", f"{len(tframe)} — {class_counts(tframe, eg_labels)}" if not tframe.empty else "0"),
        ("Alimentadores", f"{len(fframe)} — {class_counts(fframe, pm_labels)}" if not fframe.empty else "0"),
        ("En trámite (cola) incluidos", f"EG {kw(queue_eg)} · PMGD {kw(queue_pm, 0)}"),
        ("Datos al", fmt_month(as_of) if as_of else "—"),
    ], key="resumen", width=7)
    return Report("capacidad-comuna", f"Capacidad de conexión · {com.name}", {"comuna": comuna},
                  [mapsec, summary, legend, as_table("transformadores", transformer_rows(tframe)),
                   as_table("alimentadores", feeder_rows(fframe)), disclaimer_text()],
                  breadcrumb=[("Inicio", "/"), ("Capacidad", "/capacidad"), (com.name, None)],
                  subtitle="EG por transformador (netbilling) y PMGD por alimentador · cifras indicativas",
                  as_of=fmt_month(as_of) if as_of else "")


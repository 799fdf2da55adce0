"""Live views: supervision map, installation trends, alarm list and LOG (each a ``Report``)."""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
from plotly.subplots import make_subplots
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import Sample, Signal, SupervisedCompany
from geo.crs import format_location, to_wgs84
from realtime import alarms as alarm_service
from realtime import log, registry, states
from realtime.presentation import (ACTIVITY_LABELS, KIND_LABELS, RT_BREADCRUMB, SUPERVISOR, base_layer, clock_now,
                                   fmt_ts)
from realtime.availability import LIMA
from realtime.clock import as_utc
from realtime.quality import VALIDITY_LABELS
from realtime.seed import PIPELINES
from realtime.status import STATUS_COLORS, STATUS_LABELS, company_status, installation_statuses
from reports.charts import styled
from services.formatting import fmt_number
from reports.model import Chart, Column, KeyValues, MapLayer, MapSection, Report, Table, Text
from reports.views import int_param, optional, str_param, view

MAP_STATUSES = ("normal", "alarm", "uncertain", "no_data")


@view("tiempo-real", title="Supervisión en tiempo real", policy=SUPERVISOR,
      params={"empresa": optional(str_param(16))})
def supervision_view(session: Session, actor: Actor, empresa: str | None = None) -> Report:
    """Installations on the map coloured by status, and each company's live status."""
    now = clock_now()
    companies = registry.visible_companies(session, actor)
    if empresa:
        companies = [registry.company_by_code(session, actor, empresa)]
    statuses = installation_statuses(session, companies, now)
    codes = {c.id: c for c in companies}
    layers = {s: [] for s in MAP_STATUSES}
    positions = {}
    for inst in registry.installations(session, list(codes)):
        lon, lat = to_wgs84(inst.x, inst.y, inst.datum, inst.zone)
        positions[(inst.company_id, inst.code)] = [lon, lat]
        st = statuses.get(inst.id, {"status": "no_data", "label": STATUS_LABELS["no_data"], "last_received_at": None,
                                    "signals": 0})
        company = codes[inst.company_id]
        popup = (f"<b>{inst.name}</b><br>{company.code} · {KIND_LABELS.get(inst.kind, inst.kind)}<br>"
                 f"Estado: <b>{st['label']}</b><br>Última actualización: {fmt_ts(st['last_received_at'])}<br>"
                 f"{format_location(inst.x, inst.y, inst.datum, inst.zone)}<br>"
                 f"<a href='/tiempo-real/instalacion/{inst.id}'>Ver tendencias</a>")
        layers[st["status"]].append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                                     "properties": {"popup": popup, "tooltip": f"{inst.code} · {st['label']}",
                                                    "color": STATUS_COLORS[st["status"]], "radius": 9}})
    lines = []
    for company in companies:
        for route in PIPELINES.get(company.code, []):
            coords = [positions[(company.id, c)] for c in route if (company.id, c) in positions]
            if len(coords) > 1:
                lines.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                              "properties": {"popup": f"Ducto {company.code}: {' – '.join(route)}"}})
    map_layers = [base_layer(), MapLayer("Ductos de transporte", lines, "line", "#5b6b7f", weight=2.5)]
    # Thick rings: the shared point style draws point layers unfilled.
    map_layers += [MapLayer(STATUS_LABELS[s], layers[s], "point", STATUS_COLORS[s], radius=9, weight=5)
                   for s in MAP_STATUSES]
    rows = []
    for company in companies:
        cs = company_status(session, company, now)
        rows.append({"code": company.code, "name": company.name, "activity": ACTIVITY_LABELS[company.activity],
                     "status": STATUS_LABELS[cs.status], "last": fmt_ts(cs.last_measure_at),
                     "silent": None if cs.silent_seconds is None else int(cs.silent_seconds),
                     "alarms": cs.active_alarms})
    table = Table("Empresas supervisadas", "empresas", [
        Column("code", "Código"), Column("name", "Empresa"), Column("activity", "Actividad"), Column("status", "Estado"),
        Column("last", "Última medida"), Column("silent", "Segundos sin medidas", "int"),
        Column("alarms", "Alarmas activas", "int")], rows,
        note="Incierto: ninguna medida de la empresa se actualiza en 3 minutos sin interrupción de comunicaciones "
             "registrada (Anexo, 6.3.2).")
    return Report("tiempo-real", "Supervisión en tiempo real", {"empresa": empresa} if empresa else {}, [
        MapSection("Instalaciones por estado", map_layers, "instalaciones", 620, width=8,
                   note="Coordenadas UTM WGS84 (husos 17S, 18S, 19S) reproyectadas a WGS84 geográficas."),
        KeyValues("Resumen", [(STATUS_LABELS[s], str(len(layers[s]))) for s in MAP_STATUSES]
                                      + [("Hora del CSO (Lima)", fmt_ts(now))], "resumen", width=4),
        table,
    ], breadcrumb=RT_BREADCRUMB[:1] + [("Tiempo real", None)], as_of=fmt_ts(now))


def _local(value: dt.datetime) -> dt.datetime:
    """Lima wall time without tz (Plotly would print UTC otherwise)."""
    return as_utc(value).astimezone(LIMA).replace(tzinfo=None)


def _trend_figure(signals: list[Signal], samples: dict[int, list[Sample]], start: dt.datetime, end: dt.datetime,
                  before: dict[int, Sample]) -> go.Figure:
    measures = [s for s in signals if s.kind == "measure"]
    if not measures:
        return styled(go.Figure(), height=200)
    fig = make_subplots(rows=len(measures), cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        subplot_titles=[f"{s.code} · {s.description} ({s.unit})" for s in measures])
    shown = set()
    for row, s in enumerate(measures, start=1):
        every = samples.get(s.id, [])
        pts = [p for p in every if not p.wrong_value]
        xs, ys = [_local(p.source_ts) for p in pts], [p.value for p in pts]
        # Within the deadband nothing new is stored: the line holds the previous value until the
        # window start and up to the last receipt.
        if s.id in before:
            xs, ys = [_local(start)] + xs, [before[s.id].value] + ys
        if ys and s.last_received_at is not None and as_utc(s.last_received_at) > (as_utc(pts[-1].received_ts) if pts else start):
            xs, ys = xs + [_local(min(as_utc(s.last_received_at), end))], ys + [ys[-1]]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#0072B2", "width": 1.5,
                                                                                       "shape": "hv"},
                                 name="Valor", showlegend=False, hoverinfo="skip"), row=row, col=1)
        groups = {
            "Válida": ([p for p in every if p.validity == "VALID" and not p.wrong_value and p.timestamp_quality == "VALID"],
                       {"color": "#0072B2", "symbol": "circle", "size": 5}),
            "Calidad no válida / sospechosa / retenida": ([p for p in every if p.validity != "VALID" and not p.wrong_value],
                                                          {"color": "#E69F00", "symbol": "diamond", "size": 9}),
            "Marca de tiempo inválida": ([p for p in every if p.timestamp_quality != "VALID" and p.validity == "VALID"
                                         and not p.wrong_value], {"color": "#CC79A7", "symbol": "circle-open", "size": 9}),
            "Valor errado (flujo negativo)": ([p for p in every if p.wrong_value], {"color": "#D55E00", "symbol": "x", "size": 10}),
        }
        for label, (group, marker) in groups.items():
            if not group:
                continue
            fig.add_trace(go.Scatter(
                x=[_local(p.source_ts) for p in group], y=[p.value for p in group], mode="markers", marker=marker, name=label,
                legendgroup=label, showlegend=label not in shown,
                customdata=[[VALIDITY_LABELS.get(p.validity, p.validity), p.latency_ms / 1000] for p in group],
                hovertemplate="%{y}<br>Calidad: %{customdata[0]}<br>Latencia: %{customdata[1]:.1f} s<extra></extra>"),
                row=row, col=1)
            shown.add(label)
    styled(fig, height=max(260, 170 * len(measures)))
    fig.update_xaxes(range=[_local(start), _local(end)])
    fig.update_layout(legend={"orientation": "h", "y": 1.02 + 0.1 / len(measures), "x": 0, "yanchor": "bottom"},
                      margin={"t": 70})
    fig.update_annotations(font_size=11)
    return fig


@view("tiempo-real-instalacion", title="Tendencias de una instalación", policy=SUPERVISOR,
      params={"installation_id": int_param})
def installation_view(session: Session, actor: Actor, installation_id: int) -> Report:
    """The last hour of every signal of one installation, quality marked."""
    inst = registry.installation_for(session, actor, installation_id)
    company = session.get(SupervisedCompany, inst.company_id)
    now = clock_now()
    start = now - dt.timedelta(hours=1)
    signals = registry.signals_of(session, company.id, inst.id)
    samples: dict[int, list[Sample]] = {}
    for smp in session.scalars(select(Sample).where(Sample.signal_id.in_([s.id for s in signals]),
                                                    Sample.source_ts >= start)
                               .order_by(Sample.source_ts)):
        samples.setdefault(smp.signal_id, []).append(smp)
    before = {}
    for s in signals:
        if s.kind == "measure":
            prev = session.scalar(select(Sample).where(Sample.signal_id == s.id, Sample.source_ts < start,
                                                       Sample.wrong_value.is_(False)).order_by(Sample.source_ts.desc()).limit(1))
            if prev is not None:
                before[s.id] = prev
    status = installation_statuses(session, [company], now).get(inst.id, {"label": STATUS_LABELS["no_data"]})
    rows = []
    for s in signals:
        last = (samples.get(s.id) or [None])[-1] or session.scalar(
            select(Sample).where(Sample.signal_id == s.id).order_by(Sample.id.desc()).limit(1))
        value = None if last is None else (states.label(last.state) + f" ({last.state})" if s.kind == "state" else
                                           ("Activa" if last.value == 1 else "Normal") if s.kind == "alarm" else fmt_number(last.value, 2))
        rows.append({"code": s.code, "description": s.description, "kind": {"measure": "Medida", "state": "Estado",
                                                                              "alarm": "Alarma"}[s.kind],
                     "value": value, "unit": s.unit, "nominal": s.nominal_value,
                     "quality": None if last is None else VALIDITY_LABELS.get(last.validity, last.validity)
                     + (" · valor errado" if last.wrong_value else ""),
                     "latency": None if last is None else last.latency_ms / 1000,
                     "received": fmt_ts(s.last_received_at), "group": s.group})
    kv = KeyValues("Instalación", [("Empresa", f"{company.name} ({company.code})"),
                                   ("Tipo", KIND_LABELS.get(inst.kind, inst.kind)), ("Código", inst.code),
                                   ("Ubicación", format_location(inst.x, inst.y, inst.datum, inst.zone)),
                                   ("Estado", status["label"]), ("Ventana", f"{fmt_ts(start)} – {fmt_ts(now)} (Lima)")],
                   "instalacion", width=4)
    table = Table("Valores actuales por señal", "senales", [
        Column("code", "Código"), Column("description", "Descripción"), Column("kind", "Tipo"),
        Column("value", "Último valor"), Column("unit", "Unidad"),
        Column("nominal", "Nominal", "number", 1), Column("quality", "Calidad"),
        Column("latency", "Latencia (s)", "number", 1), Column("received", "Última recepción"),
        Column("group", "Literal")], rows,
        note="La banda muerta es 1 % del valor nominal: un cambio menor no se almacena (Anexo, 6.4 a).")
    return Report("tiempo-real-instalacion", f"{inst.name}", {"installation_id": installation_id}, [
        kv, Chart("Última hora (calidad marcada)", _trend_figure(signals, samples, start, now, before), "tendencias",
                  max(260, 170 * sum(1 for s in signals if s.kind == "measure")), width=8),
        table,
    ], breadcrumb=RT_BREADCRUMB + [(company.code, f"/tiempo-real?empresa={company.code}"), (inst.code, None)],
        subtitle=f"{company.name} · {KIND_LABELS.get(inst.kind, inst.kind)}", as_of=fmt_ts(now))


@view("tiempo-real-alarmas", title="Alarmas", policy=SUPERVISOR, params={"empresa": optional(str_param(16))})
def alarms_view(session: Session, actor: Actor, empresa: str | None = None) -> Report:
    """Alarms, emergency first; who acknowledged them and when."""
    company_id = registry.company_by_code(session, actor, empresa).id if empresa else None
    rows = alarm_service.list_alarms(session, actor, company_id)
    for r in rows:
        r["raised"] = fmt_ts(r["raised_at"])
        r["cleared"] = fmt_ts(r["cleared_at"]) if r["cleared_at"] else "Activa"
        r["ack"] = f"{r['acknowledged_by']} · {fmt_ts(r['acknowledged_at'])}" if r["acknowledged_at"] else "Pendiente"
        r["href"] = f"/tiempo-real/instalacion/{r['installation_id']}"
    table = Table("Alarmas (emergencia primero)", "alarmas", [
        Column("severity_label", "Severidad"), Column("company", "Empresa"),
        Column("installation", "Instalación", "link", href_key="href"), Column("signal", "Señal"),
        Column("message", "Descripción"), Column("raised", "Activada"), Column("cleared", "Normalizada"),
        Column("ack", "Reconocida por")], rows, empty_text="Sin alarmas registradas.")
    pending = sum(1 for r in rows if not r["acknowledged_at"])
    return Report("tiempo-real-alarmas", "Alarmas", {"empresa": empresa} if empresa else {}, [
        KeyValues("Resumen", [("Alarmas", str(len(rows))), ("Activas", str(sum(r["active"] for r in rows))),
                              ("Emergencias activas", str(sum(r["active"] and r["severity"] == "emergency" for r in rows))),
                              ("Pendientes de reconocer", str(pending))], "resumen"),
        table,
    ], breadcrumb=RT_BREADCRUMB + [("Alarmas", None)], as_of=fmt_ts(clock_now()))


@view("tiempo-real-log", title="LOG de fallas", policy=SUPERVISOR,
      params={"empresa": optional(str_param(16)), "naturaleza": optional(str_param(24))})
def log_view(session: Session, actor: Actor, empresa: str | None = None, naturaleza: str | None = None) -> Report:
    """The LOG (Annex 6.3.3): failures with their nature, newest first."""
    company_id = registry.company_by_code(session, actor, empresa).id if empresa else None
    entries, total = log.entries(session, actor, company_id, naturaleza, limit=300)
    codes = log.company_codes(session)
    rows = [{"at": fmt_ts(e.at), "company": codes.get(e.company_id, "—"), "nature": log.NATURES.get(e.nature, e.nature),
             "message": e.message} for e in entries]
    return Report("tiempo-real-log", "LOG de fallas", {k: v for k, v in (("empresa", empresa), ("naturaleza", naturaleza)) if v}, [
        Table("Registros", "log", [Column("at", "Fecha (Lima)"), Column("company", "Empresa"), Column("nature", "Naturaleza"),
                                   Column("message", "Detalle")], rows, total=total,
              note=f"Se muestran los {len(rows)} más recientes de {total}. Las empresas consultan su LOG en "
                   "GET /api/v1/realtime/log con su token."),
        Text("Naturalezas", [", ".join(f"{v}" for v in log.NATURES.values())]),
    ], breadcrumb=RT_BREADCRUMB + [("LOG", None)], as_of=fmt_ts(clock_now()))

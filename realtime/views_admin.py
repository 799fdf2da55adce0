"""Regulatory views: availability per semester, connection forms (Appendix A/B), maintenance schedules."""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import SupervisedCompany
from realtime import availability as av
from realtime import forms, maintenance, registry
from realtime.presentation import ACTIVITY_LABELS, RT_BREADCRUMB, SUPERVISOR, clock_now, fmt_pct, fmt_ts
from reports.charts import styled
from reports.model import Chart, Column, KeyValues, Report, Table, Text
from reports.views import int_param, optional, str_param, view

FORMULA = ("Índice = Σ tiempo con transferencia efectiva / Σ tiempo exigible, sumado sobre las medidas y estados de la "
           "empresa; el tiempo exigible excluye los mantenimientos programados informados dentro de los 10 primeros días "
           "del mes. Transferencia efectiva: recepciones válidas consecutivas separadas a lo más 3 minutos, medidas en el CSO.")


def _semester_label(year: int, half: int) -> str:
    return f"{'enero–junio' if half == 1 else 'julio–diciembre'} {year}"


def _daily_figure(rep: av.AvailabilityReport) -> go.Figure:
    days = [d["day"] for d in rep.daily]
    fig = go.Figure([
        go.Bar(x=days, y=[d["index"] for d in rep.daily], name="Disponibilidad diaria", marker_color="#0072B2",
               hovertemplate="%{x|%d-%m-%Y}: %{y:.1f} %<extra></extra>"),
        go.Scatter(x=days, y=[d["threshold"] for d in rep.daily], name="Umbral de la etapa", mode="lines",
                   line={"color": "#D55E00", "width": 2.5, "shape": "hv", "dash": "dash"},
                   hovertemplate="Umbral %{y:.0f} %<extra></extra>"),
    ])
    if rep.index is not None:
        fig.add_hline(y=rep.index, line={"color": "#009E73", "width": 1.5, "dash": "dot"},
                      annotation_text=f"Semestre: {fmt_pct(rep.index)}", annotation_position="bottom left")
    styled(fig, height=340, yaxis_title="%")
    fig.update_yaxes(range=[0, 101])
    fig.update_layout(legend={"orientation": "h", "y": 1.1, "x": 0})
    return fig


@view("tiempo-real-disponibilidad", title="Índice de disponibilidad", policy=SUPERVISOR,
      params={"empresa": optional(str_param(16)), "semestre": optional(str_param(7))})
def availability_view(session: Session, actor: Actor, empresa: str | None = None, semestre: str | None = None) -> Report:
    """Availability per company and control period, against the stage thresholds (75/90/96 %)."""
    now = clock_now()
    year, half = av.parse_semester(semestre, now)
    companies = registry.visible_companies(session, actor)
    company = registry.company_by_code(session, actor, empresa) if empresa else (companies[0] if companies else None)
    summary = []
    for c in companies:
        rep = av.semester_availability(session, c, year, half, now)
        current = rep.segments[-1] if rep.segments else None
        summary.append({"code": c.code, "name": c.name, "activity": ACTIVITY_LABELS[c.activity],
                        "index": rep.index, "stage": current.stage if current else "—",
                        "threshold": current.threshold if current else None,
                        "compliant": "—" if rep.compliant is None else ("Cumple" if rep.compliant else "No cumple"),
                        "href": f"/tiempo-real/disponibilidad?empresa={c.code}&semestre={year}-{half}"})
    sections = [Table(f"Empresas · semestre {_semester_label(year, half)}", "empresas", [
        Column("code", "Empresa", "link", href_key="href"), Column("name", "Razón social"), Column("activity", "Actividad"),
        Column("index", "Índice (%)", "number", 2), Column("stage", "Etapa vigente"),
        Column("threshold", "Umbral (%)", "number", 0), Column("compliant", "Resultado")], summary)]
    params = {k: v for k, v in (("empresa", company.code if company else None), ("semestre", f"{year}-{half}")) if v}
    if company is not None:
        rep = av.semester_availability(session, company, year, half, now)
        sections.append(KeyValues(f"{company.name} ({company.code})", [
            ("Periodo de control", _semester_label(year, half)),
            ("Ventana evaluada", f"{fmt_ts(rep.starts_at, False)} – {fmt_ts(rep.ends_at, False)}"),
            ("Incorporación al Sistema", company.incorporated_on.strftime("%d-%m-%Y") if company.incorporated_on else "—"),
            ("Índice del semestre", fmt_pct(rep.index)),
            ("Horas-señal exigibles", f"{rep.required_s / 3600:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")),
            ("Horas-señal excluidas por mantenimiento", f"{rep.excluded_s / 3600:.1f}".replace(".", ",")),
            ("Resultado", "—" if rep.compliant is None else ("Cumple" if rep.compliant else "No cumple"))],
            "indice", width=4))
        sections.append(Chart("Disponibilidad diaria y umbral de la etapa", _daily_figure(rep), "diaria", 340, width=8))
        sections.append(Table("Etapas dentro del semestre", "etapas", [
            Column("stage", "Etapa"), Column("from", "Desde"), Column("to", "Hasta"),
            Column("threshold", "Umbral (%)", "number", 0), Column("index", "Índice (%)", "number", 2),
            Column("result", "Resultado")],
            [{"stage": s.stage, "from": fmt_ts(s.starts_at, False), "to": fmt_ts(s.ends_at, False), "threshold": s.threshold,
              "index": s.index, "result": "—" if s.compliant is None else ("Cumple" if s.compliant else "No cumple")}
             for s in rep.segments], width=6))
        sections.extend(_incorporation_tests(session, company, now))
    sections.append(Text("Fórmula", [FORMULA, "Etapas (Anexo, 6.1): primera 75 % (6 meses desde la incorporación), "
                                     "segunda 90 % (6 meses siguientes), objetivo 96 % (en adelante)."]))
    return Report("tiempo-real-disponibilidad", "Índice de disponibilidad", params, sections,
                  breadcrumb=RT_BREADCRUMB + [("Disponibilidad", None)], as_of=fmt_ts(now))


def _incorporation_tests(session: Session, company: SupervisedCompany, now: dt.datetime) -> list:
    if company.incorporated_on is None:
        return []
    start = av.lima_midnight(company.incorporated_on)
    links = av.link_tests(session, company, start, start + dt.timedelta(days=1))
    acceptance = av.acceptance_test(session, company, start + dt.timedelta(days=1), now)
    return [
        KeyValues("Pruebas de incorporación (Apéndice C)", [
            ("3.3 Reconexión automática ≤ 10 s", "Sin eventos registrados el día de incorporación" if not links.cycles else
             ("Cumple" if links.reconnection_ok else "No cumple") + f" (máx. {links.max_seconds or 0:.0f} s)"),
            ("3.4 Paradas y arranques (≥ 5)", ("Cumple" if links.stability_ok else "No cumple") + f" ({len(links.cycles)} ciclos)"),
            ("4. Prueba de disponibilidad de 504 h", f"{acceptance.verdict} · {fmt_pct(acceptance.index)} (mín. 75 %)"),
            ("Periodo de la prueba", f"{fmt_ts(acceptance.starts_at, False)} – {fmt_ts(acceptance.ends_at, False)}"),
        ], "pruebas", width=6),
    ]


@view("tiempo-real-conexion", title="Formularios de conexión", policy=SUPERVISOR,
      params={"formulario": optional(int_param)})
def connection_view(session: Session, actor: Actor, formulario: int | None = None) -> Report:
    """Appendix A forms, their review, and the Appendix B configuration of an approved one."""
    codes = {c.id: c for c in registry.visible_companies(session, actor)}
    rows = [{"id": f.id, "company": codes[f.company_id].code if f.company_id in codes else "—",
             "received": f.data.get("received_on"), "contact": f.data.get("contact_email"),
             "status": forms.STATUS_LABELS.get(f.status, f.status),
             "reviewed": f"{f.reviewed_by} · {fmt_ts(f.reviewed_at, False)}" if f.reviewed_by else "—",
             "href": f"/tiempo-real/conexion?formulario={f.id}"} for f in forms.list_forms(session, actor)]
    sections = [Table("Formularios (Apéndice A)", "formularios", [
        Column("id", "N°", "link", href_key="href"), Column("company", "Empresa"), Column("received", "Recepción (campo 11)"),
        Column("contact", "Contacto"), Column("status", "Estado"), Column("reviewed", "Revisado por")], rows)]
    if formulario:
        form = forms.get_form(session, actor, formulario)
        company = session.get(SupervisedCompany, form.company_id)
        items = []
        for key, label in forms.FIELDS.items():
            value = form.data.get(key)
            if isinstance(value, list):
                value = ", ".join(value)
            if key == "on_corporate_network":
                value = "No"
            items.append((label, str(value or "—")))
        items.append(("11. Fecha de recepción del formulario por Osinergmin", form.data.get("received_on", "—")))
        items.append(("Estado", forms.STATUS_LABELS.get(form.status, form.status)
                      + (f" — {form.review_note}" if form.review_note else "")))
        sections.append(KeyValues(f"Formulario N° {form.id} · {company.code}", items, "formulario", width=6))
        if form.server_config:
            cfg = form.server_config
            rows_b = [{"param": k.upper(), "cso": str(cfg["osinergmin"].get(k, "")), "company": str(cfg["company"].get(k, ""))}
                      for k in ("ip_primary", "ip_secondary", "arname", "domain", "psel", "ssel", "tsel", "ap_title",
                                "ap_qualifier", "bilateral_table", "iccp_version")]
            sections.append(Table("Apéndice B · Información para la configuración del servidor", "apendice_b", [
                Column("param", "Parámetro"), Column("cso", "OSINERGMIN (iniciador ICCP)"),
                Column("company", company.code)], rows_b, width=6,
                note=f"{cfg['protocol']['standard']}, puerto TCP {cfg['protocol']['tcp_port']}, bloques 1 y 2. "
                     f"Pasarela MQTT: {cfg['gateway']['mqtt_topic_data']} (usuario {cfg['gateway']['mqtt_username']}, QoS 1)."))
    return Report("tiempo-real-conexion", "Formularios de conexión al Sistema", {"formulario": formulario} if formulario else {},
                  sections, breadcrumb=RT_BREADCRUMB + [("Conexión", None)], as_of=fmt_ts(clock_now()))


@view("tiempo-real-mantenimiento", title="Programa de mantenimientos", policy=SUPERVISOR,
      params={"empresa": optional(str_param(16))})
def maintenance_view(session: Session, actor: Actor, empresa: str | None = None) -> Report:
    """Monthly maintenance schedules and whether each window is excluded from the index."""
    companies = [registry.company_by_code(session, actor, empresa)] if empresa else registry.visible_companies(session, actor)
    rows = []
    for company in companies:
        for w in maintenance.list_windows(session, actor, company):
            rows.append({"company": company.code, "target": _target(session, w), "from": fmt_ts(w.starts_at, False),
                         "to": fmt_ts(w.ends_at, False), "reported": w.reported_on.strftime("%d-%m-%Y"),
                         "accepted": "Sí" if w.accepted else "No (informado después del día 10)", "note": w.note})
    return Report("tiempo-real-mantenimiento", "Programa de mantenimientos", {"empresa": empresa} if empresa else {}, [
        Table("Mantenimientos programados", "mantenimientos", [
            Column("company", "Empresa"), Column("target", "Equipo"), Column("from", "Inicio"), Column("to", "Fin"),
            Column("reported", "Informado"), Column("accepted", "Excluido del índice"), Column("note", "Nota")], rows,
            empty_text="Sin mantenimientos informados."),
        Text("Formato del archivo", ["CSV con columnas instalacion, senal, inicio, fin, nota (separador coma o punto y coma). "
                                     "Fechas en hora de Lima, AAAA-MM-DD HH:MM. Indique la instalación o la señal.",
                                     "Anexo, 6.1.4: la programación mensual se informa dentro de los diez primeros días "
                                     "calendario del mes; lo informado después no se excluye del índice."]),
    ], breadcrumb=RT_BREADCRUMB + [("Mantenimientos", None)], as_of=fmt_ts(clock_now()))


def _target(session: Session, w) -> str:
    from data.models import RtInstallation, Signal

    if w.signal_id:
        return session.get(Signal, w.signal_id).code
    if w.installation_id:
        inst = session.get(RtInstallation, w.installation_id)
        return f"{inst.code} · {inst.name}"
    return "Toda la empresa"

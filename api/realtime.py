"""Real-time supervision API: HTTP batch ingest (company tokens), LOG, status and alarms."""
from __future__ import annotations

import time

from flask import current_app, jsonify, request

from api.core import PAGE_PARAMETERS, ApiError, api_route, page_params, paged, query_param
from auth.policy import roles
from auth.session import current_actor
from data.db import get_session
from data.models import SupervisedCompany

GAS_COMPANY = roles("gas_company_system", description="real-time token of a supervised gas company")
CSO_OR_COMPANY = roles("supervisor", "gas_company_system", description="CSO supervisor or the company itself")
SUPERVISOR = roles("supervisor", description="CSO supervisor")
_last_sweep = [0.0]
SWEEP_EVERY_S = 15.0

READING_SCHEMA = {"type": "object", "required": ["code", "ts"], "properties": {
    "code": {"type": "string", "description": "Código nemotécnico EMPRESA_INSTALACION_VARIABLE[_CALIFICADOR]"},
    "ts": {"type": "string", "format": "date-time", "description": "Marca de tiempo de la sala de control"},
    "value": {"type": "number"}, "state": {"type": ["string", "integer"], "description": "Estado crudo (2 bits)"},
    "quality": {"type": "integer", "minimum": 0, "maximum": 255, "description": "Byte de calidad ICCP"}}}
BATCH_SCHEMA = {"type": "object", "required": ["message_id", "readings"], "additionalProperties": False, "properties": {
    "message_id": {"type": "string", "maxLength": 60}, "sent_at": {"type": "string"},
    "readings": {"type": "array", "minItems": 1, "maxItems": 5000, "items": READING_SCHEMA}}}
RESULT_SCHEMA = {"type": "object", "properties": {k: {"type": "integer"} for k in (
    "received", "stored", "duplicates", "deadband", "unchanged", "wrong_values", "late", "rejected", "max_latency_ms")}}


def _clock():
    return current_app.extensions.get("ra_rt_clock") or _system_clock()


def _system_clock():
    from realtime.clock import SystemClock

    return SystemClock()


def _own_company(session) -> SupervisedCompany:
    actor = current_actor()
    company = session.get(SupervisedCompany, actor.supervised_company_id) if actor.supervised_company_id else None
    if company is None:
        raise ApiError("El token no pertenece a una empresa supervisada.", 403)
    return company


def _maybe_sweep(session) -> None:
    """Flag "Incierto" companies now and then (the MQTT ingest does it on a timer)."""
    if time.monotonic() - _last_sweep[0] < SWEEP_EVERY_S:
        return
    _last_sweep[0] = time.monotonic()
    from realtime.status import sweep

    sweep(session, _clock())


@api_route("/realtime/batches", methods=("POST",), policy=GAS_COMPANY, tags=("tiempo real",),
           summary="Envía un lote de medidas, estados y alarmas con calidad (ingesta HTTP)",
           request_schema=BATCH_SCHEMA, response_schema=RESULT_SCHEMA,
           examples={"lote": {"message_id": "TSU-20261123-000001", "readings": [
               {"code": "TSU_EC01_PT_IN", "ts": "2026-11-23T10:00:00-05:00", "value": 98.4, "quality": 0},
               {"code": "TSU_EC01_XV_IN", "ts": "2026-11-23T10:00:00-05:00", "state": "10", "quality": 0}]}})
def rt_post_batch():
    """Ingest one batch of the token's company; a repeated message id stores nothing twice."""
    from realtime.ingest import BatchError, ingest_batch

    session = get_session()
    company = _own_company(session)
    body = request.get_json(silent=True)
    try:
        result = ingest_batch(session, company, body, _clock())
    except BatchError as exc:
        from realtime import log

        log.record(session, company.id, "dataset", f"Lote HTTP rechazado: {exc}", _clock().now())
        session.commit()
        raise ApiError(str(exc)) from None
    _maybe_sweep(session)
    return jsonify(result.as_dict())


@api_route("/realtime/events", methods=("POST",), policy=GAS_COMPANY, tags=("tiempo real",),
           summary="Registra un evento del enlace (conexión / desconexión) de la empresa",
           request_schema={"type": "object", "required": ["kind"], "properties": {
               "kind": {"enum": ["connected", "disconnected"]}, "detail": {"type": "string", "maxLength": 300}}},
           response_schema={"type": "object", "properties": {"recorded": {"type": "boolean"}}})
def rt_post_event():
    """Record a link event of the token's company."""
    from realtime.ingest import record_connection

    session = get_session()
    company = _own_company(session)
    body = request.get_json(silent=True) or {}
    kind = body.get("kind")
    if kind not in ("connected", "disconnected"):
        raise ApiError("'kind' debe ser 'connected' o 'disconnected'.")
    recorded = record_connection(session, company, kind, _clock().now(), str(body.get("detail", ""))[:300])
    return jsonify(recorded=recorded)


@api_route("/realtime/log", policy=CSO_OR_COMPANY, tags=("tiempo real",),
           summary="LOG de fallas (creación de datasets, conexión, validación); la empresa ve sólo el suyo",
           parameters=[*PAGE_PARAMETERS, {"name": "nature", "in": "query", "schema": {"type": "string"}},
                       {"name": "company", "in": "query", "schema": {"type": "string"}}],
           response_schema={"type": "object", "properties": {"items": {"type": "array"}, "total": {"type": "integer"}}})
def rt_get_log():
    """Paged LOG entries, newest first."""
    from realtime import log
    from realtime.registry import company_by_code

    session = get_session()
    actor = current_actor()
    page, size = page_params()
    code = query_param("company", max_len=16)
    company_id = company_by_code(session, actor, code).id if code else None
    rows, total = log.entries(session, actor, company_id, query_param("nature", max_len=24), size, (page - 1) * size)
    codes = log.company_codes(session)
    return jsonify(paged([log.as_dict(r, codes) for r in rows], total, page, size))


@api_route("/realtime/status", policy=CSO_OR_COMPANY, tags=("tiempo real",),
           summary="Estado en vivo por empresa (normal, alarma, incierto, sin datos, sin comunicación)",
           response_schema={"type": "object", "properties": {"companies": {"type": "array"}}})
def rt_get_status():
    """Live status of the visible companies."""
    from realtime.registry import visible_companies
    from realtime.status import company_status

    session = get_session()
    now = _clock().now()
    out = []
    for company in visible_companies(session, current_actor()):
        st = company_status(session, company, now)
        out.append({"company": st.code, "status": st.status, "uncertain": st.uncertain,
                    "last_measure_at": st.last_measure_at.isoformat() if st.last_measure_at else None,
                    "silent_seconds": st.silent_seconds, "active_alarms": st.active_alarms})
    return jsonify(companies=out)


@api_route("/realtime/companies/<code>/availability", policy=CSO_OR_COMPANY, tags=("tiempo real",),
           summary="Índice de disponibilidad de un semestre (periodo de control) con umbral por etapa",
           parameters=[{"name": "semester", "in": "query", "schema": {"type": "string", "example": "2026-2"}}],
           response_schema={"type": "object"})
def rt_get_availability(code: str):
    """The availability index of one company and semester."""
    from realtime.availability import parse_semester, semester_availability
    from realtime.registry import company_by_code

    session = get_session()
    company = company_by_code(session, current_actor(), code)
    now = _clock().now()
    year, half = parse_semester(query_param("semester", max_len=7), now)
    rep = semester_availability(session, company, year, half, now)
    return jsonify(company=company.code, semester=f"{year}-{half}", index=rep.index, compliant=rep.compliant,
                   starts_at=rep.starts_at.isoformat(), ends_at=rep.ends_at.isoformat(),
                   required_hours=rep.required_s / 3600, effective_hours=rep.effective_s / 3600,
                   excluded_hours=rep.excluded_s / 3600,
                   segments=[{"stage": s.stage, "threshold": s.threshold, "index": s.index, "compliant": s.compliant,
                              "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat()} for s in rep.segments])


@api_route("/realtime/alarms/<int:alarm_id>/ack", methods=("POST",), policy=SUPERVISOR, tags=("tiempo real",),
           summary="Reconoce una alarma (registra quién y cuándo)",
           response_schema={"type": "object", "properties": {"acknowledged_by": {"type": "string"},
                                                             "acknowledged_at": {"type": "string"}}})
def rt_ack_alarm(alarm_id: int):
    """Acknowledge an alarm."""
    from realtime.alarms import acknowledge

    alarm = acknowledge(get_session(), current_actor(), alarm_id, _clock().now())
    return jsonify(acknowledged_by=alarm.acknowledged_by, acknowledged_at=alarm.acknowledged_at.isoformat())


@api_route("/realtime/connection-forms", methods=("POST",), policy=GAS_COMPANY, tags=("tiempo real",),
           summary="Presenta el Formulario de conexión al sistema (Apéndice A)",
           request_schema={"type": "object", "properties": {
               "sender": {"type": "string"}, "contact_name": {"type": "string"}, "contact_email": {"type": "string"},
               "contact_phones": {"type": "array", "items": {"type": "string"}}, "carrier": {"type": "string"},
               "carrier_email": {"type": "string"}, "connection_date": {"type": "string", "format": "date"},
               "activation_date": {"type": "string", "format": "date"},
               "protocols": {"type": "array", "items": {"type": "string"}}, "on_corporate_network": {"type": "boolean"}}},
           response_schema={"type": "object", "properties": {"id": {"type": "integer"}, "status": {"type": "string"}}})
def rt_post_connection_form():
    """Submit the Appendix A form of the token's company."""
    from realtime import forms

    session = get_session()
    company = _own_company(session)
    try:
        form = forms.submit(session, current_actor(), company, request.get_json(silent=True) or {}, _clock().now().date())
    except forms.FormError as exc:
        raise ApiError("El formulario tiene observaciones.", details=[{"field": k, "message": v}
                                                                      for k, v in exc.problems.items()]) from None
    return jsonify(id=form.id, status=form.status)

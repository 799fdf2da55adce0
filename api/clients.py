"""Client and EG supply API (Anexo 1 §4–§5): supplies, paginated invoice/annex search, remanente ledger.

The section views have their JSON twins under /api/v1/vistas/cliente-*; these routes add what a
list needs (pagination, search). Every route checks the supply's scope in the service (404 otherwise).
"""
from __future__ import annotations

from flask import jsonify, request

from api.core import PAGE_PARAMETERS, ApiError, api_route, page_params, paged
from auth.policy import CLIENT_ROLES, role_set
from auth.session import current_actor
from data.db import get_session
from reports.views import month_param
from services import clients as client_service
from services import eg as eg_service
from services.audit import record_access
from services.views.client import CLIENT_VIEW_POLICY
from services.views.client_eg_docs import document_filter

SEARCH_PARAMETERS = [
    {"name": "numero", "in": "query", "schema": {"type": "string", "maxLength": 20, "pattern": "^[A-Za-z0-9]+$"}},
    {"name": "periodo", "in": "query", "schema": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}},
    {"name": "monto_min", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "monto_max", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    *PAGE_PARAMETERS,
]
_ALLOWED = {"numero", "periodo", "monto_min", "monto_max", "page", "page_size"}


def _search_filter():
    unknown = set(request.args) - _ALLOWED
    if unknown:
        raise ApiError(f"Parámetros desconocidos: {', '.join(sorted(unknown))[:120]}.")
    raw = {k: (request.args.get(k) or "").strip() or None for k in ("numero", "periodo", "monto_min", "monto_max")}
    try:
        period = month_param(raw["periodo"]) if raw["periodo"] else None
        amounts = [int(raw[k]) if raw[k] is not None else None for k in ("monto_min", "monto_max")]
    except ValueError:
        raise ApiError("'periodo' debe ser AAAA-MM y los montos, enteros.") from None
    return document_filter(raw["numero"], period, *amounts)


@api_route("/clientes/suministros", policy=role_set(CLIENT_ROLES), summary="Suministros del usuario", tags=("clientes",),
           response_schema={"type": "object", "properties": {"items": {"type": "array"}}})
def my_supplies():
    """The supplies the signed-in client holds."""
    return jsonify(items=client_service.list_supplies(get_session(), current_actor()))


@api_route("/clientes/<int:client_id>/boletas", policy=CLIENT_VIEW_POLICY, summary="Buscar boletas/facturas del suministro",
           tags=("clientes",), parameters=SEARCH_PARAMETERS, response_schema={"type": "object"})
def invoices(client_id: int):
    """Invoices of a supply, newest first, filtered by number, period and total-amount range."""
    flt = _search_filter()
    page, size = page_params()
    session, actor = get_session(), current_actor()
    rows, total = client_service.search_invoices(session, actor, client_id, flt, size, (page - 1) * size)
    record_access(session, actor, "search", target="api:boletas", object_type="client", object_id=client_id,
                  personal_data=True, detail=flt.describe())
    items = [dict(number=i.number, kind=i.kind, period=i.period.strftime("%Y-%m"), issue_date=i.issue_date.isoformat(),
                  due_date=i.due_date.isoformat(), consumption_kwh=i.consumption_kwh, net_clp=i.net_clp, vat_clp=i.vat_clp,
                  total_clp=i.total_clp, pdf=f"/reportes/cliente-eg-boleta.pdf?client_id={client_id}&numero={i.number}")
             for i in rows]
    return jsonify(paged(items, total, page, size))


@api_route("/clientes/<int:client_id>/anexos", policy=CLIENT_VIEW_POLICY, summary="Buscar anexos de inyecciones del suministro",
           tags=("clientes",), parameters=SEARCH_PARAMETERS, response_schema={"type": "object"})
def annexes(client_id: int):
    """Injection annexes of an EG supply, newest first, filtered by number, period and injection-value range."""
    flt = _search_filter()
    page, size = page_params()
    session, actor = get_session(), current_actor()
    profile = eg_service.eg_profile(session, actor, client_id)
    rows, total = eg_service.search_annexes(session, profile, flt, size, (page - 1) * size)
    record_access(session, actor, "search", target="api:anexos", object_type="client", object_id=client_id,
                  personal_data=True, detail=flt.describe())
    items = [dict(number=a.number, period=a.period.strftime("%Y-%m"), issue_date=a.issue_date.isoformat(),
                  injected_kwh=a.injected_kwh, injection_value_clp=a.injection_value_clp, offset_clp=a.offset_clp,
                  surplus_clp=a.surplus_clp, pdf=f"/reportes/cliente-eg-anexo.pdf?client_id={client_id}&numero={a.number}")
             for a in rows]
    return jsonify(paged(items, total, page, size))


@api_route("/clientes/<int:client_id>/remanentes", policy=CLIENT_VIEW_POLICY, summary="Remanentes de los últimos 5 años",
           tags=("clientes",), parameters=[PAGE_PARAMETERS[0]], response_schema={"type": "object"})
def surplus(client_id: int):
    """The remanente ledger, 12 months per page (newest first), with the five-year totals and settlement terms."""
    page, _ = page_params()
    session, actor = get_session(), current_actor()
    profile = eg_service.eg_profile(session, actor, client_id)
    ledger = eg_service.surplus_ledger(session, profile, page)
    record_access(session, actor, "view", target="api:remanentes", object_type="client", object_id=client_id,
                  personal_data=True)
    inst = profile.installation
    items = [dict(month=r.month.strftime("%Y-%m"), opening_clp=r.opening_clp, injection_value_clp=r.injection_value_clp,
                  consumption_offset_clp=r.consumption_offset_clp, paid_out_clp=r.paid_out_clp, closing_clp=r.closing_clp)
             for r in ledger.rows]
    return jsonify(paged(items, ledger.total_rows, page, 12, pages=ledger.pages, totals=ledger.totals,
                         settlement_method=inst.settlement_method, settlement_date=inst.settlement_date.isoformat()))

"""EG client view (Anexo 1 §5.2): the nine sections, each with Imprimir/Guardar, and a whole-supply sheet."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.report_view import error_alert
from pages.registry import PageSpec
from pages.supply_common import clean_query, guarded_section, section_nav
from services.views.client import CLIENT_VIEW_POLICY

EG_NAV = "eg-client-section-nav"
EG_SEARCH = "eg-client-search"
EG_SEARCH_NUMBER = "eg-client-search-number"
EG_SEARCH_PERIOD = "eg-client-search-period"
EG_SEARCH_MIN = "eg-client-search-min"
EG_SEARCH_MAX = "eg-client-search-max"
EG_SEARCH_SUBMIT = "eg-client-search-submit"
EG_DOWNLOAD = "eg-client-download"
EG_HISTORY_NAV = "eg-client-history-nav"
EG_PAGER = "eg-client-pager"

SECTIONS = [("general", "I. General"), ("tecnica", "II. Técnica"), ("consumos", "III. Consumos y cargos"),
            ("inyecciones", "IV. Inyecciones"), ("boletas", "V. Boletas y anexos"), ("historial", "VI. Historial"),
            ("remanentes", "VII. Remanentes"), ("medidor", "VIII. Medidor"), ("documentos", "IX. Documentos"),
            ("ficha", "Ficha completa")]
SIMPLE = {"general": "cliente-eg-general", "tecnica": "cliente-eg-tecnica", "consumos": "cliente-eg-consumos",
          "inyecciones": "cliente-eg-inyecciones", "medidor": "cliente-eg-medidor", "ficha": "cliente-eg-ficha"}
SEARCH_KEYS = {"numero", "periodo", "monto_min", "monto_max"}
SURPLUS_PAGE = 12  # months per page of the remanente ledger (services.eg.surplus_ledger default)


def _search_form(client_id: int, values: dict) -> html.Form:
    """A GET form: the search result has its own URL (server-side search, validated by the view)."""
    def field(label, ident, name, **kw):
        return dbc.Col([dbc.Label(label, html_for=ident, className="small mb-0"),
                        dcc.Input(id=ident, name=name, value=values.get(name, ""), className="form-control form-control-sm",
                                  **kw)], md=3)

    return html.Form([
        dcc.Input(type="hidden", name="seccion", value="boletas"),
        dbc.Row([
            field("N° de documento", EG_SEARCH_NUMBER, "numero", type="text", maxLength=20, pattern="[A-Za-z0-9]+",
                  placeholder="p. ej. 000100012"),
            field("Período (AAAA-MM)", EG_SEARCH_PERIOD, "periodo", type="text", maxLength=7, pattern=r"\d{4}-\d{2}",
                  placeholder="2026-05"),
            field("Monto desde ($)", EG_SEARCH_MIN, "monto_min", type="number", min=0, step=1),
            field("Monto hasta ($)", EG_SEARCH_MAX, "monto_max", type="number", min=0, step=1),
        ], className="g-2 align-items-end"),
        html.Div([html.Button("Buscar", type="submit", className="btn btn-primary btn-sm mt-2 me-2", id=EG_SEARCH_SUBMIT),
                  dcc.Link("Ver las últimas 36", href=f"/cliente-eg/{client_id}?seccion=boletas", className="btn btn-link btn-sm mt-2")]),
    ], action=f"/cliente-eg/{client_id}", method="GET", id=EG_SEARCH, className="mb-3 no-print")


def _documents_section(client_id: int, query: dict, nav):
    cid = str(client_id)
    if query.get("boleta"):
        link = dcc.Link("← Volver a boletas y anexos", href=f"/cliente-eg/{client_id}?seccion=boletas", className="small no-print")
        return guarded_section("cliente-eg-boleta", {"client_id": cid, "numero": query["boleta"]}, html.Div([nav, link]))
    if query.get("anexo"):
        link = dcc.Link("← Volver a boletas y anexos", href=f"/cliente-eg/{client_id}?seccion=boletas", className="small no-print")
        return guarded_section("cliente-eg-anexo", {"client_id": cid, "numero": query["anexo"]}, html.Div([nav, link]))
    search = clean_query(query, SEARCH_KEYS)
    return guarded_section("cliente-eg-boletas", {"client_id": cid, **search}, html.Div([nav, _search_form(client_id, search)]))


def _history_section(client_id: int, query: dict, nav):
    kind = query.get("tipo", "lecturas")
    if kind not in ("lecturas", "facturacion"):
        return error_alert("El historial solicitado no existe.")
    sub = dbc.Nav([dbc.NavItem(dbc.NavLink(label, href=f"/cliente-eg/{client_id}?seccion=historial&tipo={key}",
                                           active=key == kind, id=f"{EG_HISTORY_NAV}-{key}", className="py-1 small"))
                   for key, label in (("lecturas", "Historial de lectura"), ("facturacion", "Historial de facturación"))],
                  className="mb-2 no-print", id=EG_HISTORY_NAV)
    view = "cliente-eg-lecturas" if kind == "lecturas" else "cliente-eg-facturacion"
    return guarded_section(view, {"client_id": str(client_id)}, html.Div([nav, sub]))


def _surplus_section(client_id: int, query: dict, nav):
    raw = {"client_id": str(client_id), **clean_query(query, {"pagina"})}

    def pager(report):
        table = report.table("remanentes")
        pages = max(1, -(-(table.total or 0) // SURPLUS_PAGE))
        page = report.params.get("pagina", 1)
        href = f"/cliente-eg/{client_id}?seccion=remanentes&pagina="
        links = [dcc.Link(str(n), href=f"{href}{n}", id=f"{EG_PAGER}-{n}",
                          className="btn btn-sm " + ("btn-primary" if n == page else "btn-outline-primary"))
                 for n in range(1, pages + 1)]
        if page < pages:
            links.append(dcc.Link("Página siguiente", href=f"{href}{page + 1}", className="btn btn-sm btn-link",
                                  id=f"{EG_PAGER}-next"))
        return html.Nav(links, className="d-flex gap-1 flex-wrap no-print", id=EG_PAGER, **{"aria-label": "páginas"})

    return guarded_section("cliente-eg-remanentes", raw, nav, pager)


def layout(client_id: int, query: dict | None = None):
    """The selected §5.2 section of an EG supply (default: I. General)."""
    query = query or {}
    section = query.get("seccion", "general")
    keys = [k for k, _ in SECTIONS]
    if section not in keys:
        return error_alert("La sección solicitada no existe.")
    nav = section_nav(EG_NAV, f"/cliente-eg/{client_id}", SECTIONS, section)
    if section in SIMPLE:
        return guarded_section(SIMPLE[section], {"client_id": str(client_id)}, nav)
    if section == "boletas":
        return _documents_section(client_id, query, nav)
    if section == "historial":
        return _history_section(client_id, query, nav)
    if section == "remanentes":
        return _surplus_section(client_id, query, nav)
    if query.get("documento"):
        link = dcc.Link("← Volver a documentos", href=f"/cliente-eg/{client_id}?seccion=documentos", className="small no-print")
        return guarded_section("cliente-eg-documento", {"client_id": str(client_id), "tipo": query["documento"][:12]},
                               html.Div([nav, link]))
    return guarded_section("cliente-eg-documentos", {"client_id": str(client_id)}, nav)


PAGE = PageSpec(name="client-eg", path="/cliente-eg/<int:client_id>", title="Información del cliente EG",
                policy=CLIENT_VIEW_POLICY, layout=layout)

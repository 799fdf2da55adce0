"""Client view (Anexo 1 §4.2): one supply's general and technical information and 36 months of consumption."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.scope import AccessDenied
from auth.session import current_actor
from components.report_view import error_alert
from data.db import get_session
from pages.registry import PageSpec
from pages.supply_common import guarded_section, section_nav
from services.clients import supply_profile
from services.views.client import CLIENT_VIEW_POLICY

CLIENT_NAV = "client-section-nav"
CLIENT_EG_HINT = "client-eg-hint"
SECTIONS = [("ficha", "Resumen"), ("general", "Información general"), ("tecnica", "Información técnica"),
            ("consumos", "Consumos y cargos")]
VIEWS = {"ficha": "cliente-ficha", "general": "cliente-general", "tecnica": "cliente-tecnica", "consumos": "cliente-consumos"}


def layout(client_id: int, query: dict | None = None):
    """The chosen section of a supply (default: all sections), with its Imprimir/Guardar."""
    section = (query or {}).get("seccion", "ficha")
    if section not in VIEWS:
        return error_alert("La sección solicitada no existe.")
    try:
        is_eg = supply_profile(get_session(), current_actor(), client_id).is_eg
    except AccessDenied as exc:
        return error_alert(exc.message)
    top = [section_nav(CLIENT_NAV, f"/cliente/{client_id}", SECTIONS, section)]
    if is_eg:
        top.insert(0, dbc.Alert(["Este suministro tiene Equipamiento de Generación: vea también ",
                                 dcc.Link("inyecciones, boletas, remanentes y documentos", href=f"/cliente-eg/{client_id}"),
                                 "."], color="info", className="py-2 small no-print", id=CLIENT_EG_HINT))
    return guarded_section(VIEWS[section], {"client_id": str(client_id)}, html.Div(top))


PAGE = PageSpec(name="client", path="/cliente/<int:client_id>", title="Información del cliente", policy=CLIENT_VIEW_POLICY,
                layout=layout)

"""Buscar ubicación (Anexo 1 §2.3, fig. 4-5): REGION -> COMUNA -> SUBESTACIÓN -> ALIMENTADOR -> TRANSFORMADOR."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.policy import NETWORK
from auth.scope import AccessDenied
from auth.session import current_actor
from data.db import get_session
from pages.registry import PageSpec
from services.network import hierarchy as h

NET_REGION = "net-filter-region"
NET_COMUNA = "net-filter-comuna"
NET_SUBSTATION = "net-filter-substation"
NET_FEEDER = "net-filter-feeder"
NET_TRANSFORMER = "net-filter-transformer"
NET_SEARCH = "net-filter-search"
NET_MESSAGE = "net-filter-msg"
LEVELS = (("region", NET_REGION, "REGIÓN"), ("comuna", NET_COMUNA, "COMUNA"), ("subestacion", NET_SUBSTATION, "SUBESTACIÓN"),
          ("alimentador", NET_FEEDER, "ALIMENTADOR"), ("transformador", NET_TRANSFORMER, "TRANSFORMADOR"))
REQUIRED_MESSAGE = "Seleccione al menos la región y la comuna para buscar."


def options(level: str, rows: list[dict]) -> list[dict]:
    """Dropdown options of one level: ``code · name`` labels, ids (or CUT codes) as values."""
    if level in ("region", "comuna"):
        return [{"label": r["name"], "value": r["code"]} for r in rows]
    return [{"label": f"{r['code']} · {r['name']}", "value": r["id"]} for r in rows]


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None


def prefill(query: dict) -> dict[str, tuple[list[dict], object]]:
    """Options and selected value per level from the URL query (invalid levels and below are dropped)."""
    session, actor = get_session(), current_actor()
    out = {"region": (options("region", h.regions(session, actor).rows), None)}
    chain = (("region", query.get("region"), lambda v: h.comunas(session, actor, v), "comuna"),
             ("comuna", query.get("comuna"), lambda v: h.substations(session, actor, v), "subestacion"),
             ("subestacion", _int(query.get("subestacion")), lambda v: h.feeders(session, actor, v), "alimentador"),
             ("alimentador", _int(query.get("alimentador")), lambda v: h.transformers(session, actor, v), "transformador"))
    for level, value, children, child in chain:
        valid = {o["value"] for o in out[level][0]}
        if value is None or value not in valid:
            break
        out[level] = (out[level][0], value)
        try:
            out[child] = (options(child, children(value).rows), None)
        except AccessDenied:
            break
    tr = _int(query.get("transformador"))
    if "transformador" in out and tr in {o["value"] for o in out["transformador"][0]}:
        out["transformador"] = (out["transformador"][0], tr)
    return out


def layout(query: dict | None = None):
    """The five chained dropdowns and BUSCAR, pre-filled from the URL."""
    state = prefill(query or {})
    fields = []
    for level, ident, label in LEVELS:
        opts, value = state.get(level, ([], None))
        fields.append(dbc.Row([
            dbc.Label(label, html_for=ident, width=4, className="fw-semibold small"),
            dbc.Col(dcc.Dropdown(id=ident, options=opts, value=value, placeholder="Seleccione",
                                 disabled=not opts, clearable=True, searchable=True), width=8),
        ], className="mb-2"))
    return dbc.Row(dbc.Col(dbc.Card([
        dbc.CardHeader(html.H1("BUSCAR UBICACIÓN", className="h5 mb-0")),
        dbc.CardBody([
            html.P("Seleccione región y comuna (obligatorias) y, si desea, subestación, alimentador y transformador. "
                   "BUSCAR muestra el último nivel seleccionado.", className="small text-muted"),
            *fields,
            html.Div(id=NET_MESSAGE, role="alert"),
            html.Button("BUSCAR", id=NET_SEARCH, n_clicks=0, className="btn btn-danger w-100 fw-semibold mt-2"),
        ]),
    ], className="shadow-sm my-3"), md=9, lg=6), justify="center")


PAGE = PageSpec(name="network-search", path="/red/buscar", title="Buscar ubicación", policy=NETWORK, layout=layout,
                nav_label="Buscar ubicación", nav_order=20,
                home_card="Región → comuna → subestación → alimentador → transformador: listas, fichas y mapas de la red.")

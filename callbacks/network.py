"""Callbacks of the network profile: the chained location filter, BUSCAR and the feeder asset search."""
from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from auth.policy import NETWORK, secure_callback
from auth.scope import AccessDenied
from auth.session import current_actor
from components.shell import URL
from data.db import get_session
from pages.network_search import (
    NET_COMUNA,
    NET_FEEDER,
    NET_MESSAGE,
    NET_REGION,
    NET_SEARCH,
    NET_SUBSTATION,
    NET_TRANSFORMER,
    REQUIRED_MESSAGE,
    options,
)
from pages.network_views import NET_FEEDER_GO, NET_FEEDER_ID, NET_FEEDER_KIND, NET_FEEDER_MSG, NET_FEEDER_Q
from services.network import hierarchy as h
from services.network.assets import KINDS, MAX_QUERY


def _children(level: str, fetch, value, current):
    """(options, value, disabled) of the level below ``value``; ``current`` survives only if still offered."""
    if value in (None, ""):
        return [], None, True
    try:
        rows = fetch(get_session(), current_actor(), value).rows
    except AccessDenied:
        return [], None, True
    opts = options(level, rows)
    # Keeps a value pre-filled from the URL when Dash fires the chain as the page is inserted.
    keep = current if current in {o["value"] for o in opts} else None
    return opts, keep, not rows


def _chain(dash_app, parent: str, child: str, level: str, fetch) -> None:
    def load(value, current):
        return _children(level, fetch, value, current)

    load.__name__ = f"load_{level}"
    secure_callback(dash_app, NETWORK, Output(child, "options"), Output(child, "value"), Output(child, "disabled"),
                    Input(parent, "value"), State(child, "value"), prevent_initial_call=True)(load)


def search_target(region, comuna, substation, feeder, transformer) -> str | None:
    """The URL of the deepest level selected (None when region or comuna is missing)."""
    if not region or not comuna:
        return None
    if transformer:
        return f"/red/transformador/{int(transformer)}"
    if feeder:
        return f"/red/alimentador/{int(feeder)}/transformadores"
    if substation:
        return f"/red/subestacion/{int(substation)}/alimentadores"
    return f"/red/comuna/{comuna}/subestaciones"


def register(dash_app) -> None:
    """Register the filter chain, BUSCAR and the feeder search."""
    _chain(dash_app, NET_REGION, NET_COMUNA, "comuna", h.comunas)
    _chain(dash_app, NET_COMUNA, NET_SUBSTATION, "subestacion", h.substations)
    _chain(dash_app, NET_SUBSTATION, NET_FEEDER, "alimentador", lambda s, a, v: h.feeders(s, a, int(v)))
    _chain(dash_app, NET_FEEDER, NET_TRANSFORMER, "transformador", lambda s, a, v: h.transformers(s, a, int(v)))

    @secure_callback(dash_app, NETWORK, Output(URL, "href", allow_duplicate=True), Output(NET_MESSAGE, "children"),
                     Input(NET_SEARCH, "n_clicks"), State(NET_REGION, "value"), State(NET_COMUNA, "value"),
                     State(NET_SUBSTATION, "value"), State(NET_FEEDER, "value"), State(NET_TRANSFORMER, "value"),
                     prevent_initial_call=True)
    def search(n_clicks, region, comuna, substation, feeder, transformer):
        """Navigate to the result of the deepest selected level, or explain what is missing."""
        if not n_clicks:
            raise PreventUpdate
        target = search_target(region, comuna, substation, feeder, transformer)
        if target is None:
            from dash import html

            return no_update, html.Div(REQUIRED_MESSAGE, className="alert alert-warning py-2 mb-0")
        return target, None

    @secure_callback(dash_app, NETWORK, Output(URL, "href", allow_duplicate=True), Output(NET_FEEDER_MSG, "children"),
                     Input(NET_FEEDER_GO, "n_clicks"), Input(NET_FEEDER_Q, "n_submit"), State(NET_FEEDER_ID, "data"),
                     State(NET_FEEDER_KIND, "value"), State(NET_FEEDER_Q, "value"), prevent_initial_call=True)
    def feeder_search(n_clicks, n_submit, feeder_id, kind, q):
        """Put the search in the URL (the page renders the results, so reload and sharing keep them)."""
        if not (n_clicks or n_submit):
            raise PreventUpdate
        q = (q or "").strip()
        if kind not in KINDS:
            return no_update, "Seleccione poste, vano o equipo."
        if len(q) > MAX_QUERY:
            return no_update, f"El identificador debe tener como máximo {MAX_QUERY} caracteres."
        return f"/red/alimentador/{int(feeder_id)}?{urlencode({'tipo': kind, 'q': q, 'pagina': 1})}", None

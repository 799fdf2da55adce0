"""BUSCAR buttons of the simple transformer search and the VNR search: resolve, then navigate."""
from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, no_update

from auth.policy import NETWORK, secure_callback
from auth.session import current_actor
from components.shell import URL
from data.db import get_session
from pages.transformer_search import TSEARCH_CLIENT, TSEARCH_FEEDBACK, TSEARCH_PLATE, TSEARCH_POLE, TSEARCH_SUBMIT
from pages.vnr import VNR_CODE, VNR_SUBMIT
from services.transformer_search import SearchError, log_search, search_transformer


def find_transformer(_clicks, _s1, _s2, _s3, placa, poste, cliente):
    """One match: open its detail page; otherwise open the search URL that shows the message or choices."""
    try:
        outcome = search_transformer(get_session(), current_actor(), placa=placa, poste=poste, cliente=cliente,
                                     log=False)
    except SearchError as exc:
        return no_update, dbc.Alert(str(exc), color="warning", className="py-2 small")
    if len(outcome.hits) == 1:
        log_search(get_session(), current_actor(), outcome)
        return outcome.hits[0].href, None
    return f"/red/buscar-transformador?{urlencode({outcome.criterion: outcome.identifier})}", None


def find_vnr(_clicks, _submit, code):
    """Open the VNR view of the typed code."""
    code = "".join((code or "").split())[:32]
    return f"/red/vnr?{urlencode({'codigo': code})}" if code else "/red/vnr"


def register(dash_app) -> None:
    """Register both search buttons (Enter in any field searches too)."""
    secure_callback(dash_app, NETWORK,
                    Output(URL, "href", allow_duplicate=True), Output(TSEARCH_FEEDBACK, "children"),
                    Input(TSEARCH_SUBMIT, "n_clicks"), Input(TSEARCH_PLATE, "n_submit"),
                    Input(TSEARCH_POLE, "n_submit"), Input(TSEARCH_CLIENT, "n_submit"),
                    State(TSEARCH_PLATE, "value"), State(TSEARCH_POLE, "value"), State(TSEARCH_CLIENT, "value"),
                    prevent_initial_call=True)(find_transformer)
    secure_callback(dash_app, NETWORK,
                    Output(URL, "href", allow_duplicate=True),
                    Input(VNR_SUBMIT, "n_clicks"), Input(VNR_CODE, "n_submit"), State(VNR_CODE, "value"),
                    prevent_initial_call=True)(find_vnr)

"""Simple transformer search (Anexo 1 §2.4, fig. 15): placa transformador, placa poste or N° cliente.

BUSCAR (callbacks/searches.py) goes straight to the transformer's detail page when the identifier
designates one transformer; otherwise it opens ``?placa=|poste=|cliente=`` here, which shows the
message or the choice list, so every outcome has its own URL.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.policy import NETWORK
from auth.session import current_actor
from components.shell import breadcrumb
from data.db import get_session
from pages.registry import PageSpec
from services.formatting import fmt_number
from services.transformer_search import CRITERIA, SearchError, SearchOutcome, search_transformer

TSEARCH_PLATE = "tsearch-plate"
TSEARCH_POLE = "tsearch-pole"
TSEARCH_CLIENT = "tsearch-client"
TSEARCH_SUBMIT = "tsearch-submit"
TSEARCH_RESULT = "tsearch-result"
TSEARCH_FEEDBACK = "tsearch-feedback"
INPUTS = {"placa": TSEARCH_PLATE, "poste": TSEARCH_POLE, "cliente": TSEARCH_CLIENT}
LABELS = {"placa": "Placa transformador", "poste": "Placa poste", "cliente": "N° Cliente"}


def search_form(values: dict) -> dbc.Card:
    """Fig. 15: three identifiers and BUSCAR."""
    rows = [dbc.Row([dbc.Label(LABELS[k], html_for=ident, width=4, className="fw-semibold"),
                     dbc.Col(dbc.Input(id=ident, type="text", value=values.get(k, ""), maxLength=40,
                                       autoComplete="off", debounce=False), width=8)], className="mb-2")
            for k, ident in INPUTS.items()]
    return dbc.Card([
        dbc.CardHeader(html.H1("BUSCAR TRANSFORMADOR", className="h6 mb-0")),
        dbc.CardBody([
            html.P("Ingrese uno de los identificadores pintados en la infraestructura o indicados en su boleta.",
                   className="text-muted small"),
            *rows,
            html.Div(id=TSEARCH_FEEDBACK),
            html.Button("BUSCAR", id=TSEARCH_SUBMIT, n_clicks=0, className="btn btn-danger fw-semibold px-4 mt-2"),
        ]),
    ], className="shadow-sm")


def outcome_view(outcome: SearchOutcome):
    """The message and, when useful, the transformers found (never client data)."""
    if not outcome.hits:
        return dbc.Alert(outcome.message, color="warning", id="tsearch-none")
    items = [dbc.ListGroupItem([
        html.Div([dcc.Link(f"{h.code} — {h.name}", href=h.href, className="fw-semibold"),
                  html.Span(f"{fmt_number(h.kva)} kVA", className="badge text-bg-light ms-2")]),
        html.Small(f"{h.company} · Comuna {h.comuna} · Alimentador {h.feeder_code} ({h.feeder_name}) · "
                   f"S/E {h.substation_name} · Poste {h.pole_plate}", className="text-muted"),
    ], className="tsearch-hit") for h in outcome.hits]
    color = "success" if len(outcome.hits) == 1 else "info"
    return html.Div([dbc.Alert(outcome.message, color=color, className="mb-2"), dbc.ListGroup(items)])


def layout(query: dict | None = None):
    """The form, and the outcome of the search in the query string if any."""
    query = query or {}
    values = {k: query.get(k, "") for k in CRITERIA}
    result = None
    if any(values.values()):
        try:
            result = outcome_view(search_transformer(get_session(), current_actor(), **values))
        except SearchError as exc:
            result = dbc.Alert(str(exc), color="warning")
    return html.Div([
        breadcrumb([("Inicio", "/"), ("Buscar transformador", None)]),
        dbc.Row([dbc.Col(search_form(values), lg=6),
                 dbc.Col(html.Div(result, id=TSEARCH_RESULT), lg=6)], className="g-3"),
    ])


PAGE = PageSpec(name="transformer-search", path="/red/buscar-transformador", title="Buscar transformador",
                policy=NETWORK, layout=layout, nav_label="Buscar transformador", nav_order=30,
                home_card="Encuentre un transformador por su placa, la placa del poste o su número de cliente.")

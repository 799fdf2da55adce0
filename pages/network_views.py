"""Result lists and detail pages of the network profile, each rendered from its registered view."""
from __future__ import annotations


import dash_bootstrap_components as dbc
from dash import dcc, html

from api.core import ApiError
from auth.policy import NETWORK
from auth.scope import AccessDenied
from auth.session import current_actor
from components.pager import pager
from components.report_view import error_alert, render_report
from data.db import get_session
from pages.registry import PageSpec
from reports.model import Table
from reports.views import build_view
from services.network.assets import KINDS
from services.views.network_feeder import SEARCH_PAGE_SIZE

NET_FEEDER_ID = "net-feeder-id"
NET_FEEDER_Q = "net-feeder-search-q"
NET_FEEDER_KIND = "net-feeder-search-kind"
NET_FEEDER_GO = "net-feeder-search-go"
NET_FEEDER_MSG = "net-feeder-search-msg"
NET_FEEDER_PAGES = "net-feeder-search-pages"
NET_BACK = "net-back-to-filter"


def _back_link(href: str) -> html.Div:
    return html.Div(dcc.Link("← Modificar búsqueda", href=href, id=NET_BACK, className="btn btn-outline-secondary btn-sm"),
                    className="mb-3 no-print")


def _render(view: str, raw: dict, back: str | None = None, decorate=None):
    try:
        report = build_view(view, get_session(), current_actor(), raw)
    except AccessDenied as exc:
        return error_alert(exc.message)
    except ApiError as exc:
        return error_alert(exc.message)
    page = render_report(report, extra_top=_back_link(back) if back else None)
    return decorate(page, report) if decorate else page


def substations_layout(comuna_code: str, query: dict | None = None):
    """Fig. 6: substations of a comuna."""
    return _render("subestaciones-comuna", {"comuna_code": comuna_code}, f"/red/buscar?{_comuna_query(comuna_code)}")


def feeders_layout(substation_id: int, query: dict | None = None):
    """Fig. 9: feeders of a substation with their transformers."""
    return _render("alimentadores-subestacion", {"substation_id": str(substation_id)},
                   _filter_for(substation_id=substation_id))


def transformers_layout(feeder_id: int, query: dict | None = None):
    """Fig. 13: transformers of a feeder."""
    return _render("transformadores-alimentador", {"feeder_id": str(feeder_id)}, _filter_for(feeder_id=feeder_id))


def substation_layout(substation_id: int, query: dict | None = None):
    """Fig. 7: substation detail."""
    return _render("detalle-subestacion", {"substation_id": str(substation_id)}, _filter_for(substation_id=substation_id))


def transformer_layout(transformer_id: int, query: dict | None = None):
    """Fig. 14: transformer detail."""
    return _render("detalle-transformador", {"transformer_id": str(transformer_id)},
                   _filter_for(transformer_id=transformer_id))


def feeder_layout(feeder_id: int, query: dict | None = None):
    """Fig. 10-11: feeder detail with the pole/span/equipment search (state in the query string)."""
    query = query or {}
    raw = {"feeder_id": str(feeder_id)}
    kind = query.get("tipo") if query.get("tipo") in KINDS else None
    if kind:
        raw.update(tipo=kind, q=query.get("q", "")[:40], pagina=query.get("pagina", "1"))
    return _render("detalle-alimentador", raw, _filter_for(feeder_id=feeder_id),
                   decorate=lambda page, report: _with_search(page, report, feeder_id, kind, query))


def _with_search(page, report, feeder_id: int, kind: str | None, query: dict):
    """Insert the search card before the search results (or at the end) of the feeder page."""
    form = dbc.Card([
        dbc.CardHeader(html.H2("Búsqueda por poste, vano o equipo", className="h6 mb-0")),
        dbc.CardBody([
            dcc.Store(id=NET_FEEDER_ID, data=feeder_id),
            dbc.Row([
                dbc.Col(dbc.RadioItems(id=NET_FEEDER_KIND, options=[{"label": v, "value": k} for k, v in KINDS.items()],
                                       value=kind or "poste", inline=True), md=4, className="pt-1"),
                dbc.Col(dbc.Input(id=NET_FEEDER_Q, value=query.get("q", "")[:40], maxLength=40, debounce=False,
                                  placeholder="Identificador o parte de él (p. ej. 000123)", type="text"), md=5),
                dbc.Col(html.Button("BUSCAR", id=NET_FEEDER_GO, n_clicks=0, className="btn btn-danger w-100"), md=3),
            ], className="g-2"),
            html.Div(id=NET_FEEDER_MSG, className="small mt-2", role="alert"),
            _pagination(report, feeder_id, kind, query),
        ]),
    ], className="shadow-sm no-print")
    row = page.children[-1]
    cols = list(row.children)
    index = next((i for i, s in enumerate(report.sections) if s.key in ("busqueda",)), len(cols))
    cols.insert(index, dbc.Col(form, lg=12, className="mb-3"))
    row.children = cols
    return page


def _pagination(report, feeder_id: int, kind: str | None, query: dict):
    table = report.table("busqueda")
    if not kind or not isinstance(table, Table) or not table.total:
        return None
    pages = max(1, -(-table.total // SEARCH_PAGE_SIZE))
    current = int(report.params.get("pagina") or 1)
    return pager(f"/red/alimentador/{feeder_id}", {"tipo": kind, "q": query.get("q", "")}, current, pages,
                 NET_FEEDER_PAGES, next_label="Página siguiente")


def _comuna_query(comuna_code: str) -> str:
    from services.network.hierarchy import filter_query

    return filter_query(comuna_code, session=get_session())


def _filter_for(substation_id: int | None = None, feeder_id: int | None = None, transformer_id: int | None = None) -> str:
    """The filter URL pre-filled down to the object shown (best effort: unknown ids fall back to /red/buscar)."""
    from data.models import DistributionTransformer, Feeder, Substation
    from services.network.hierarchy import filter_query

    session = get_session()
    tr = session.get(DistributionTransformer, transformer_id) if transformer_id else None
    feeder = session.get(Feeder, tr.feeder_id if tr else feeder_id) if (tr or feeder_id) else None
    sub = session.get(Substation, feeder.substation_id if feeder else substation_id) if (feeder or substation_id) else None
    if sub is None:
        return "/red/buscar"
    return "/red/buscar?" + filter_query(sub.comuna_code, sub.id, feeder.id if feeder else None,
                                         tr.id if tr else None, session=session)


PAGES = [
    PageSpec(name="network-substations", path="/red/comuna/<comuna_code>/subestaciones", title="Subestaciones",
             policy=NETWORK, layout=substations_layout),
    PageSpec(name="network-feeders", path="/red/subestacion/<int:substation_id>/alimentadores", title="Alimentadores",
             policy=NETWORK, layout=feeders_layout),
    PageSpec(name="network-transformers", path="/red/alimentador/<int:feeder_id>/transformadores",
             title="Transformadores", policy=NETWORK, layout=transformers_layout),
    PageSpec(name="network-substation", path="/red/subestacion/<int:substation_id>", title="Detalle subestación",
             policy=NETWORK, layout=substation_layout),
    PageSpec(name="network-feeder", path="/red/alimentador/<int:feeder_id>", title="Detalle alimentador",
             policy=NETWORK, layout=feeder_layout),
    PageSpec(name="network-transformer", path="/red/transformador/<int:transformer_id>", title="Detalle transformador",
             policy=NETWORK, layout=transformer_layout),
]

"""Capacity pages: comuna capacity map, transformer card, feeder PMGD indicators and the point query."""
from __future__ import annotations

from urllib.parse import urlencode

import hashlib
import json

import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from api.core import ApiError
from auth.policy import NETWORK
from auth.scope import AccessDenied
from auth.session import current_actor
from components.report_view import error_alert, render_report
from data.db import get_session
from geo.crs import DATUM_LABELS, DATUMS, ZONES
from pages.registry import PageSpec
from reports.views import build_view
from services.capacity.queries import comunas_with_network

MAP_COMUNAS = "capacity-map-comunas"
MAP_DOWNLOADS = "capacity-map-downloads"
POINT_NAV = "capacity-point-nav"
MAP_TYPE = "capacity-map"  # maps get {"type": MAP_TYPE, "view": <view>, "v": <params digest>} ids, see _remount_maps
POINT_VIEW = "capacidad-punto"
POINT_CLICK = "capacity-point-click"  # dcc.Store written by assets/30_capacity.js on a map click
_capacity_js = Namespace("raMap", "capacity")
POINT_LAT, POINT_LON = "capacity-point-lat", "capacity-point-lon"
POINT_EAST, POINT_NORTH = "capacity-point-east", "capacity-point-north"
POINT_DATUM, POINT_ZONE = "capacity-point-datum", "capacity-point-zone"
POINT_CLIENT, POINT_K = "capacity-point-client", "capacity-point-k"
POINT_GO_LATLON, POINT_GO_UTM, POINT_GO_CLIENT = "capacity-point-go-latlon", "capacity-point-go-utm", "capacity-point-go-client"
POINT_ERROR = "capacity-point-error"


def _remount_maps(root, view: str, params: dict):
    """Give each map an id that changes with the view's parameters.

    react-leaflet builds the Leaflet map once: with a stable id, a re-render for other parameters
    (another comuna, another point) keeps the old centre and the click handler of the first mount.
    A parameter-dependent pattern-matching id makes React mount a fresh map.
    """
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:10]
    for component in root._traverse():
        if isinstance(component, dl.Map):
            component.id = {"type": MAP_TYPE, "view": view, "v": digest}
            if view == POINT_VIEW:
                component.eventHandlers = {"click": _capacity_js("pointClick")}
    return root


def _render(view: str, params: dict, extra_top=None):
    try:
        return _remount_maps(render_report(build_view(view, get_session(), current_actor(), params), extra_top), view, params)
    except AccessDenied as exc:
        return error_alert(exc.message)
    except ApiError as exc:
        details = " ".join(d.get("reason", "") for d in exc.details) if exc.details else ""
        return error_alert(details or exc.message)


def map_layout(query: dict | None = None):
    """The comuna capacity map, with a comuna selector and download links."""
    comunas = comunas_with_network(get_session())
    if not comunas:
        return error_alert("No hay red de distribución cargada.")
    codes = {code for code, _, _ in comunas}
    code = (query or {}).get("comuna") or comunas[0][0]
    if code not in codes:
        return error_alert("La comuna solicitada no tiene red de distribución publicada.")
    selector = html.Div([html.Span("Comuna: ", className="me-2 small text-muted")] + [
        dcc.Link(name, href=f"/capacidad?comuna={c}", className="btn btn-sm me-1 mb-1 " +
                 ("btn-primary" if c == code else "btn-outline-primary")) for c, name, _ in comunas],
        id=MAP_COMUNAS, className="mb-2 no-print")
    links = []
    for kind, label in (("transformadores", "Transformadores"), ("alimentadores", "Alimentadores")):
        for fmt in ("csv", "xlsx", "geojson"):
            links.append(html.A(f"{label} {fmt.upper()}", href=f"/api/v1/capacidad/{kind}?{urlencode({'comuna': code, 'formato': fmt})}",
                                className="btn btn-outline-secondary btn-sm me-1 mb-1", id=f"capacity-dl-{kind}-{fmt}"))
    downloads = html.Div([html.Span("Descargas: ", className="me-2 small text-muted"), *links,
                          dcc.Link("Consultar un punto", href="/capacidad/punto", className="btn btn-primary btn-sm ms-2 mb-1")],
                         id=MAP_DOWNLOADS, className="mb-3 no-print")
    notice = dbc.Alert("Cifras indicativas, calculadas con los datos publicados e incluyendo las solicitudes en trámite: "
                       "no reemplazan el estudio de conexión.", color="info", className="py-2 small")
    return _render("capacidad-comuna", {"comuna": code}, html.Div([selector, downloads, notice]))


def transformer_layout(transformer_id: int, query: dict | None = None):
    """A transformer's EG capacity card."""
    return _render("capacidad-transformador", {"transformer_id": str(transformer_id)})


def feeder_layout(feeder_id: int, query: dict | None = None):
    """A feeder's PMGD indicators."""
    return _render("capacidad-alimentador", {"feeder_id": str(feeder_id)})


def _field(label: str, ident: str, value: str = "", placeholder: str = "", width: int = 6):
    return dbc.Col([dbc.Label(label, html_for=ident, className="small mb-0"),
                    dbc.Input(id=ident, value=value, placeholder=placeholder, size="sm", type="text")], xs=width)


def point_form(query: dict) -> dbc.Card:
    """The three ways to give a place: lat/lon, UTM with datum and zone, or a client number."""
    q = query or {}
    latlon = dbc.Col([html.H3("Latitud / longitud (WGS84)", className="h6"), dbc.Row([
        _field("Latitud", POINT_LAT, q.get("lat", ""), "-33,0472"), _field("Longitud", POINT_LON, q.get("lon", ""), "-71,6127")]),
        dbc.Button("Buscar", id=POINT_GO_LATLON, size="sm", className="mt-2", n_clicks=0)], lg=4, className="mb-2")
    utm = dbc.Col([html.H3("UTM (datum y huso)", className="h6"), dbc.Row([
        _field("Este (m)", POINT_EAST, q.get("este", ""), "283.456,7"), _field("Norte (m)", POINT_NORTH, q.get("norte", ""), "6.360.123,4"),
        dbc.Col([dbc.Label("Datum", html_for=POINT_DATUM, className="small mb-0"),
                 dbc.Select(id=POINT_DATUM, value=q.get("datum", "WGS84"), size="sm",
                            options=[{"label": DATUM_LABELS[d], "value": d} for d in DATUMS])], xs=6),
        dbc.Col([dbc.Label("Huso", html_for=POINT_ZONE, className="small mb-0"),
                 dbc.Select(id=POINT_ZONE, value=q.get("huso", "19S"), size="sm",
                            options=[{"label": z, "value": z} for z in ZONES])], xs=6)]),
        dbc.Button("Buscar", id=POINT_GO_UTM, size="sm", className="mt-2", n_clicks=0)], lg=5, className="mb-2")
    client = dbc.Col([html.H3("N° de cliente", className="h6"), dbc.Row([
        _field("Número", POINT_CLIENT, q.get("cliente", ""), "100234", 12)]),
        html.Small("Titular, operador o SEC.", className="text-muted d-block"),
        dbc.Button("Buscar", id=POINT_GO_CLIENT, size="sm", className="mt-2", n_clicks=0)], lg=3, className="mb-2")
    k = dbc.Row([dbc.Col(dbc.Label("Transformadores a listar", html_for=POINT_K, className="small mb-0"), width="auto"),
                 dbc.Col(dbc.Input(id=POINT_K, value=q.get("k", ""), placeholder="5", size="sm", type="text",
                                   style={"width": "5rem"}), width="auto")], className="g-2 align-items-center")
    return dbc.Card(dbc.CardBody([dbc.Row([latlon, utm, client]), k,
                                  html.Small("También puede hacer clic en el mapa.", className="text-muted")]),
                    className="shadow-sm mb-3 no-print")


def point_layout(query: dict | None = None):
    """The point query: form, map to click, and the nearest network with its capacity."""
    query = query or {}
    params = {k: v for k, v in query.items() if v}
    form = html.Div([dcc.Location(id=POINT_NAV, refresh="callback-nav"), dcc.Store(id=POINT_CLICK), point_form(query)])
    body = _render(POINT_VIEW, params, form)
    if params and not _is_report(body):
        # Invalid input: show the message above the form and keep the clickable overview map.
        return html.Div([html.Div(body, id=POINT_ERROR), _render(POINT_VIEW, {}, form)])
    return body


def _is_report(component) -> bool:
    return getattr(component, "id", "").startswith("view-")


def point_search(trigger: str | None, click: dict | None, values: dict) -> str:
    """The query string for a map click or one of the three forms (validation happens in the view)."""
    k = {"k": values.get("k")} if values.get("k") else {}
    if trigger == POINT_CLICK and click and "lat" in click:
        ll = click
        return "?" + urlencode({"lat": f"{ll['lat']:.6f}", "lon": f"{ll['lng']:.6f}", **k})
    if trigger == POINT_GO_LATLON:
        return "?" + urlencode({"lat": values.get("lat") or "", "lon": values.get("lon") or "", **k})
    if trigger == POINT_GO_UTM:
        return "?" + urlencode({"este": values.get("este") or "", "norte": values.get("norte") or "",
                                "datum": values.get("datum") or "", "huso": values.get("huso") or "", **k})
    if trigger == POINT_GO_CLIENT:
        return "?" + urlencode({"cliente": values.get("cliente") or "", **k})
    return ""


PAGES = [
    PageSpec(name="capacity-map", path="/capacidad", title="Capacidad de conexión", policy=NETWORK, layout=map_layout,
             nav_label="Capacidad", nav_order=40,
             home_card="Capacidad disponible para EG y PMGD por transformador y alimentador, mapa y consulta por punto."),
    PageSpec(name="capacity-transformer", path="/capacidad/transformador/<int:transformer_id>",
             title="Capacidad EG de un transformador", policy=NETWORK, layout=transformer_layout),
    PageSpec(name="capacity-feeder", path="/capacidad/alimentador/<int:feeder_id>",
             title="Indicadores PMGD de un alimentador", policy=NETWORK, layout=feeder_layout),
    PageSpec(name="capacity-point", path="/capacidad/punto", title="Red más cercana a un punto", policy=NETWORK,
             layout=point_layout),
]

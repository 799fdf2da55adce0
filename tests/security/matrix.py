"""THE authorization matrix: every page, Dash callback and route of the app, and who may use it.

``tests/security/test_authorization_matrix.py`` enumerates the app's own url_map, page registry and
Dash callback map and fails when any of them has no entry here (or an entry here no longer
exists), then checks every entry for every user below.

How to add an entry
-------------------
* A page: ``PAGES["/red/alimentador/<int:feeder_id>"] = Page(NETWORK, path="/red/alimentador/{feeder}")``
  (the key is the PageSpec path; ``path`` is a concrete URL, ``{name}`` is filled from ``ids``;
  ``not_found``: allowed roles' users outside the object's scope, who must get "not found").
* A route: ``ROUTES[("POST", "/api/v1/intercambio/deltas")] = Case((), tokens=("exchange_x",), json={...})``
  (key: method and url_map rule). ``allow``: users who get in; ``deny``: per-user status when
  not 401/403 (e.g. 404 for another client's supply); ``tokens``: API tokens that get in.
* A report view: ``ROUTES.update(view_routes("my-view", NETWORK, query="feeder_id={feeder}", table="tramos"))``
  expands to its three concrete routes (JSON twin, PDF, CSV), each still checked.
* A callback: ``CALLBACKS[output_key] = Callback(NETWORK, inputs=[...])`` with the request the
  renderer would send, or ``Clientside(SIGNED_IN)`` for browser-only callbacks.

``ids`` available for templates (tests/security/test_authorization_matrix.py::ids): client_a
(cliente's supply), client_b (cliente2's), client_eg (cliente_eg's), client_a_number (client_a's N° de
cliente), company_x (DEA, operador_dea's), company_y (CEM), company_x_code, feeder, substation,
transformer and transformer_plate (DEA's), comuna and region (of that substation), vnr (a VNR code),
eg_invoice and eg_annex (numbers of client_eg's boleta and injection annex), eg_document (a document
tipo of client_eg, e.g. ``contrato``). All demo clients are supplied by company X.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# -- who ---------------------------------------------------------------------------------------
USERS = ("anonymous", "publico", "cliente", "cliente2", "cliente_eg", "sec", "operador_dea", "operador_cem",
         "supervisor")
ROLE_OF = {"anonymous": None, "publico": "public", "cliente": "client", "cliente2": "client", "cliente_eg": "eg_client",
           "sec": "sec", "operador_dea": "operator", "operador_cem": "operator", "supervisor": "supervisor"}
EVERYONE = USERS
SIGNED_IN = USERS[1:]
NETWORK = ("publico", "cliente", "cliente2", "cliente_eg", "sec", "operador_dea", "operador_cem")
NOBODY: tuple[str, ...] = ()
# A supply's data (client views): its holder, SEC and company X's operators; other clients and the other
# company's operators are told it does not exist (404, never revealing other clients' existence).
CLIENT_A = ("cliente", "sec", "operador_dea")
NOT_CLIENT_A = {"cliente2": 404, "cliente_eg": 404, "operador_cem": 404}
CLIENT_EG = ("cliente_eg", "sec", "operador_dea")
NOT_CLIENT_EG = {"cliente": 404, "cliente2": 404, "operador_cem": 404}
HOLDERS = ("cliente", "cliente2", "cliente_eg")
OPERATORS = ("operador_dea", "operador_cem")
SEC_AND_OPERATORS = ("sec", *OPERATORS)
# API tokens (machine identities): an exchange token of company X (DEA) and Y (CEM), a real-time ingest token.
TOKENS = ("exchange_x", "exchange_y", "realtime")


@dataclass(frozen=True)
class Case:
    """One route: who gets in, and the request that proves it."""

    allow: tuple[str, ...]
    path: str | None = None  # concrete URL; default: the rule itself
    query: str = ""
    json: dict | None = None
    form: dict | None = None
    ok: tuple[int, ...] = (200,)  # statuses that mean "got in"
    deny: dict = field(default_factory=dict)  # user -> expected status instead of 401/403
    tokens: tuple[str, ...] = ()  # API tokens that get in (others: 401/403)
    csrf: bool = True  # send the session's CSRF token (False: prove the guard's decision without acting)
    note: str = ""


@dataclass(frozen=True)
class Page:
    """A Dash page: full loads and the router callback."""

    allow: tuple[str, ...]
    path: str | None = None
    # Users the page's policy lets in whose data scope excludes this object: the router must answer
    # "not found" (as for a missing object) instead of the page.
    not_found: tuple[str, ...] = ()


@dataclass(frozen=True)
class Callback:
    """A server-side Dash callback and a request body the renderer would send."""

    allow: tuple[str, ...]
    inputs: list = field(default_factory=list)
    state: list = field(default_factory=list)
    ok: tuple[int, ...] = (200, 204)


@dataclass(frozen=True)
class Clientside:
    """A browser-only callback: its recorded policy must match; server requests for it are refused."""

    allow: tuple[str, ...]


def view_routes(name: str, allow: tuple[str, ...], *, query: str = "", table: str | None = None,
                deny: dict | None = None, tokens: tuple[str, ...] = ()) -> dict:
    """The three concrete routes of a report view (JSON twin, PDF, CSV of ``table``)."""
    deny = deny or {}
    routes = {
        ("GET", f"/api/v1/vistas/{name}"): Case(allow, query=query, deny=deny, tokens=tokens),
        ("GET", f"/reportes/{name}.pdf"): Case(allow, query=query, deny=deny),
    }
    csv_query = "&".join(p for p in (query, f"tabla={table}" if table else "") if p)
    routes[("GET", f"/reportes/{name}.csv")] = Case(allow, query=csv_query, deny=deny,
                                                    ok=(200,) if table else (404,))
    return routes


# -- pages (PageSpec.path -> Page) --------------------------------------------------------------
PAGES: dict[str, Page] = {
    "/": Page(EVERYONE),
    "/login": Page(EVERYONE),
    "/cuenta": Page(SIGNED_IN),
    "/red/distribuidoras": Page(NETWORK),
    "/registro": Page(EVERYONE),
    "/cuenta/tokens": Page(SIGNED_IN),
    # Public network profile (registered users).
    "/red/buscar": Page(NETWORK),
    "/red/comuna/<comuna_code>/subestaciones": Page(NETWORK, path="/red/comuna/{comuna}/subestaciones"),
    "/red/subestacion/<int:substation_id>/alimentadores":
        Page(NETWORK, path="/red/subestacion/{substation}/alimentadores"),
    "/red/alimentador/<int:feeder_id>/transformadores": Page(NETWORK, path="/red/alimentador/{feeder}/transformadores"),
    "/red/subestacion/<int:substation_id>": Page(NETWORK, path="/red/subestacion/{substation}"),
    "/red/alimentador/<int:feeder_id>": Page(NETWORK, path="/red/alimentador/{feeder}"),
    "/red/transformador/<int:transformer_id>": Page(NETWORK, path="/red/transformador/{transformer}"),
    "/red/buscar-transformador": Page(NETWORK),
    "/red/vnr": Page(NETWORK),
    # Clients: the role opens the page; the supply's scope is checked by the services (see client routes).
    "/mis-suministros": Page(HOLDERS),
    "/cliente/<int:client_id>": Page(CLIENT_A + tuple(NOT_CLIENT_A), path="/cliente/{client_a}",
                                     not_found=tuple(NOT_CLIENT_A)),
    "/cliente-eg/<int:client_id>": Page(CLIENT_EG + tuple(NOT_CLIENT_EG), path="/cliente-eg/{client_eg}",
                                        not_found=tuple(NOT_CLIENT_EG)),
    # SEC and companies.
    "/sec/clientes": Page(SEC_AND_OPERATORS),
    "/sec/auditoria": Page(("sec",)),
    "/empresa/intercambio": Page(SEC_AND_OPERATORS),
    "/empresa/tokens": Page(OPERATORS),
    # Capacity (public network profile).
    "/capacidad": Page(NETWORK),
    "/capacidad/transformador/<int:transformer_id>": Page(NETWORK, path="/capacidad/transformador/{transformer}"),
    "/capacidad/alimentador/<int:feeder_id>": Page(NETWORK, path="/capacidad/alimentador/{feeder}"),
    "/capacidad/punto": Page(NETWORK),
}

# -- Dash callbacks (output key as in app.callback_map) ----------------------------------------
ROUTER_KEY = "..page-content.children...navbar.children...page-meta.data.."
CALLBACKS: dict[str, Callback | Clientside] = {
    # The router is public; each page's own policy is enforced inside it (checked through PAGES).
    ROUTER_KEY: Callback(EVERYONE, inputs=[{"id": "url", "property": "pathname", "value": "/"},
                                           {"id": "url", "property": "search", "value": ""}]),
    "title-sink.children": Clientside(EVERYONE),
    "report-print-sink.children": Clientside(SIGNED_IN),
    # Own API tokens (any signed-in user manages their own).
    "..tokens-new.children...tokens-list.children..": Callback(
        SIGNED_IN, inputs=[{"id": "tokens-create", "property": "n_clicks", "value": None}, []],
        state=[{"id": "tokens-name", "property": "value", "value": None}]),
    # Network profile searches and filters.
    "..url.href@b5a111da11c52aa71df4395efbee6c39bccae891e485ac0fe85ca059980be9eb...tsearch-feedback.children..":
        Callback(NETWORK, inputs=[{"id": "tsearch-submit", "property": "n_clicks", "value": 1},
                                  {"id": "tsearch-plate", "property": "n_submit", "value": None},
                                  {"id": "tsearch-pole", "property": "n_submit", "value": None},
                                  {"id": "tsearch-client", "property": "n_submit", "value": None}],
                 state=[{"id": "tsearch-plate", "property": "value", "value": "TD-X"},
                        {"id": "tsearch-pole", "property": "value", "value": None},
                        {"id": "tsearch-client", "property": "value", "value": None}]),
    "url.href@aa69e3760af905d308710294eab613db67d471c855e2b62f722673044fdfb48a":
        Callback(NETWORK, inputs=[{"id": "vnr-submit", "property": "n_clicks", "value": 1},
                                  {"id": "vnr-code", "property": "n_submit", "value": None}],
                 state=[{"id": "vnr-code", "property": "value", "value": "PH-09"}]),
    "..net-filter-comuna.options...net-filter-comuna.value...net-filter-comuna.disabled..":
        Callback(NETWORK, inputs=[{"id": "net-filter-region", "property": "value", "value": "05"}],
                 state=[{"id": "net-filter-comuna", "property": "value", "value": None}]),
    "..net-filter-substation.options...net-filter-substation.value...net-filter-substation.disabled..":
        Callback(NETWORK, inputs=[{"id": "net-filter-comuna", "property": "value", "value": "05501"}],
                 state=[{"id": "net-filter-substation", "property": "value", "value": None}]),
    "..net-filter-feeder.options...net-filter-feeder.value...net-filter-feeder.disabled..":
        Callback(NETWORK, inputs=[{"id": "net-filter-substation", "property": "value", "value": 1}],
                 state=[{"id": "net-filter-feeder", "property": "value", "value": None}]),
    "..net-filter-transformer.options...net-filter-transformer.value...net-filter-transformer.disabled..":
        Callback(NETWORK, inputs=[{"id": "net-filter-feeder", "property": "value", "value": 1}],
                 state=[{"id": "net-filter-transformer", "property": "value", "value": None}]),
    "..url.href@2efd523df84eb2398a99bb579573e7339ac1407415f3ab168bfa8624e42db901...net-filter-msg.children..":
        Callback(NETWORK, inputs=[{"id": "net-filter-search", "property": "n_clicks", "value": 1}],
                 state=[{"id": f"net-filter-{k}", "property": "value", "value": None}
                        for k in ("region", "comuna", "substation", "feeder", "transformer")]),
    "..url.href@414fe1e7048233e9a89e2be5bb0dcc5ba7effa3a2887ebea3715f0499903c279...net-feeder-search-msg.children..":
        Callback(NETWORK, inputs=[{"id": "net-feeder-search-go", "property": "n_clicks", "value": 1},
                                  {"id": "net-feeder-search-q", "property": "n_submit", "value": None}],
                 state=[{"id": "net-feeder-id", "property": "data", "value": 1},
                        {"id": "net-feeder-search-kind", "property": "value", "value": "postes"},
                        {"id": "net-feeder-search-q", "property": "value", "value": "x"}]),
    # Capacity point query (a client number is checked by the service; see the capacidad/punto routes).
    "capacity-point-nav.search":
        Callback(NETWORK, inputs=[{"id": "capacity-point-click", "property": "data", "value": None},
                                  {"id": "capacity-point-go-latlon", "property": "n_clicks", "value": 1},
                                  {"id": "capacity-point-go-utm", "property": "n_clicks", "value": None},
                                  {"id": "capacity-point-go-client", "property": "n_clicks", "value": None}],
                 state=[{"id": f"capacity-point-{k}", "property": "value", "value": v}
                        for k, v in (("lat", "-33.05"), ("lon", "-71.6"), ("east", None), ("north", None),
                                     ("datum", None), ("zone", None), ("client", None), ("k", None))]),
    # Company operators issue/revoke their own company's exchange tokens.
    "..exchange-tokens-result.children...exchange-tokens-table.children...exchange-tokens-revoke-select.options"
    "...exchange-tokens-name.value..":
        Callback(OPERATORS, inputs=[{"id": "exchange-tokens-issue", "property": "n_clicks", "value": None},
                                    {"id": "exchange-tokens-revoke", "property": "n_clicks", "value": None}],
                 state=[{"id": "exchange-tokens-name", "property": "value", "value": None},
                        {"id": "exchange-tokens-revoke-select", "property": "value", "value": None}]),
}

# -- Flask routes ((method, rule) -> Case) ------------------------------------------------------
ROUTES: dict[tuple[str, str], Case] = {
    # Static shell and bundles: public and data-free (the layout test proves no data in them).
    ("GET", "/static/<path:filename>"): Case(EVERYONE, path="/static/none.css", ok=(404,)),
    ("GET", "/assets/<path:filename>"): Case(EVERYONE, path="/assets/10_app.css"),
    ("GET", "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"):
        Case(EVERYONE, path="/_dash-component-suites/dash/dcc/dash_core_components.js"),
    ("GET", "/_dash-layout"): Case(EVERYONE),
    ("GET", "/_dash-dependencies"): Case(EVERYONE),
    ("GET", "/_favicon.ico"): Case(EVERYONE),
    # Debug only: never reachable with debug off.
    ("GET", "/_reload-hash"): Case(NOBODY, deny={u: 403 for u in USERS}),
    ("GET", "/healthz"): Case(EVERYONE),
    # Auth forms: reachable by everyone (CSRF and credentials are checked inside; see test_auth.py).
    ("POST", "/auth/login"): Case(EVERYONE, form={"username": "x", "password": "y"}, ok=(302,)),
    ("POST", "/auth/logout"): Case(EVERYONE, form={}, ok=(302,), csrf=False),  # no token: nobody is logged out
    ("POST", "/auth/password"): Case(SIGNED_IN, form={}, ok=(302,)),
    # API metadata.
    ("GET", "/api/v1/openapi.json"): Case(EVERYONE, tokens=TOKENS),
    ("GET", "/api/v1/me"): Case(EVERYONE, tokens=TOKENS),
}
ROUTES.update(view_routes("distribuidoras", NETWORK, table="empresas"))

# -- registration (issue 3) --------------------------------------------------------------------
ROUTES.update({
    ("GET", "/auth/captcha"): Case(EVERYONE),
    # Anyone may post the form; the captcha and fields are checked inside (see tests of registration).
    ("POST", "/auth/registro"): Case(EVERYONE, form={}, ok=(200, 302, 400)),
})

# -- public network profile -------------------------------------------------------------------
ROUTES.update({
    ("GET", "/red/alimentador/<int:feeder_id>/plano.kmz"): Case(NETWORK, path="/red/alimentador/{feeder}/plano.kmz"),
    ("GET", "/api/v1/red/regiones"): Case(NETWORK),
    ("GET", "/api/v1/red/regiones/<region_code>/comunas"): Case(NETWORK, path="/api/v1/red/regiones/{region}/comunas"),
    ("GET", "/api/v1/red/comunas/<comuna_code>/subestaciones"):
        Case(NETWORK, path="/api/v1/red/comunas/{comuna}/subestaciones"),
    ("GET", "/api/v1/red/subestaciones/<int:substation_id>/alimentadores"):
        Case(NETWORK, path="/api/v1/red/subestaciones/{substation}/alimentadores"),
    ("GET", "/api/v1/red/alimentadores/<int:feeder_id>/transformadores"):
        Case(NETWORK, path="/api/v1/red/alimentadores/{feeder}/transformadores"),
    ("GET", "/api/v1/red/alimentadores/<int:feeder_id>/postes"):
        Case(NETWORK, path="/api/v1/red/alimentadores/{feeder}/postes"),
    ("GET", "/api/v1/red/alimentadores/<int:feeder_id>/vanos"):
        Case(NETWORK, path="/api/v1/red/alimentadores/{feeder}/vanos"),
    ("GET", "/api/v1/red/alimentadores/<int:feeder_id>/equipos"):
        Case(NETWORK, path="/api/v1/red/alimentadores/{feeder}/equipos"),
    ("GET", "/api/v1/red/alimentadores/<int:feeder_id>/mapa/<layer>.geojson"):
        Case(NETWORK, path="/api/v1/red/alimentadores/{feeder}/mapa/postes.geojson"),
    # A transformer by plate (a client number only locates its transformer; no client data).
    ("GET", "/api/v1/busqueda/transformador"): Case(NETWORK, query="placa={transformer_plate}"),
})
ROUTES.update(view_routes("subestaciones-comuna", NETWORK, query="comuna_code={comuna}", table="subestaciones"))
ROUTES.update(view_routes("alimentadores-subestacion", NETWORK, query="substation_id={substation}",
                          table="alimentadores"))
ROUTES.update(view_routes("transformadores-alimentador", NETWORK, query="feeder_id={feeder}", table="transformadores"))
ROUTES.update(view_routes("detalle-subestacion", NETWORK, query="substation_id={substation}", table="alimentadores"))
ROUTES.update(view_routes("detalle-alimentador", NETWORK, query="feeder_id={feeder}", table="transformadores"))
ROUTES.update(view_routes("detalle-transformador", NETWORK, query="transformer_id={transformer}", table="demandas"))
ROUTES.update(view_routes("vnr", NETWORK, query="codigo={vnr}", table="desglose"))

# -- clients and EG clients (issue 4) ----------------------------------------------------------
ROUTES.update({
    ("GET", "/api/v1/clientes/suministros"): Case(HOLDERS),
    ("GET", "/api/v1/clientes/<int:client_id>/boletas"):
        Case(CLIENT_A, path="/api/v1/clientes/{client_a}/boletas", deny=NOT_CLIENT_A),
    ("GET", "/api/v1/clientes/<int:client_id>/anexos"):
        Case(CLIENT_EG, path="/api/v1/clientes/{client_eg}/anexos", deny=NOT_CLIENT_EG),
    ("GET", "/api/v1/clientes/<int:client_id>/remanentes"):
        Case(CLIENT_EG, path="/api/v1/clientes/{client_eg}/remanentes", deny=NOT_CLIENT_EG),
})
for _name, _table in (("cliente-general", None), ("cliente-tecnica", None), ("cliente-consumos", "consumos"),
                      ("cliente-ficha", "consumos")):
    ROUTES.update(view_routes(_name, CLIENT_A, query="client_id={client_a}", table=_table, deny=NOT_CLIENT_A))
for _name, _extra, _table in (
        ("cliente-eg-general", "", None), ("cliente-eg-tecnica", "", None), ("cliente-eg-consumos", "", "consumos"),
        ("cliente-eg-inyecciones", "", "inyecciones"), ("cliente-eg-facturacion", "", "facturacion"),
        ("cliente-eg-lecturas", "", "lecturas"), ("cliente-eg-medidor", "", "registros"),
        ("cliente-eg-remanentes", "", "remanentes"), ("cliente-eg-ficha", "", "inyecciones"),
        ("cliente-eg-boletas", "", "boletas"), ("cliente-eg-boleta", "&numero={eg_invoice}", "lineas"),
        ("cliente-eg-anexo", "&numero={eg_annex}", None), ("cliente-eg-documentos", "", "documentos"),
        ("cliente-eg-documento", "&tipo={eg_document}", None)):
    ROUTES.update(view_routes(_name, CLIENT_EG, query="client_id={client_eg}" + _extra, table=_table,
                              deny=NOT_CLIENT_EG))

# -- SEC and company exchange (issue 5) --------------------------------------------------------
ROUTES.update({
    # Only a company's exchange token posts batches ({} reaches the validator: 422 = got in).
    ("POST", "/api/v1/exchange/batches"): Case(NOBODY, json={}, ok=(422,), tokens=("exchange_x", "exchange_y")),
    # The change feed of company X: its operators, SEC and X's token; Y's token and operators are refused.
    ("GET", "/api/v1/exchange/changes"): Case(("sec", "operador_dea"), query="company={company_x_code}",
                                             tokens=("exchange_x",)),
    ("GET", "/api/v1/exchange/schemas/<name>"): Case(SEC_AND_OPERATORS, path="/api/v1/exchange/schemas/batch",
                                                    tokens=("exchange_x", "exchange_y")),
})
ROUTES.update(view_routes("sec-clientes", SEC_AND_OPERATORS))
ROUTES.update(view_routes("sec-auditoria", ("sec",), table="accesos"))
# Company X's exchange status: SEC and X's operators; Y's operators are told it does not exist.
ROUTES.update(view_routes("intercambio", ("sec", "operador_dea"), query="empresa={company_x_code}", table="lotes",
                          deny={"operador_cem": 404}))

# -- capacity (issue 7) ------------------------------------------------------------------------
# A point query by client number: the holder, the company's operators and SEC; for anyone else the
# number is "not among the supplies you may query" (400, no location revealed).
NOT_HOLDER_OF_A = {"publico": 400, "cliente2": 400, "cliente_eg": 400, "operador_cem": 400}
ROUTES.update({
    ("GET", "/api/v1/capacidad/criterios"): Case(NETWORK),
    ("GET", "/api/v1/capacidad/transformadores"): Case(NETWORK, query="comuna={comuna}"),
    ("GET", "/api/v1/capacidad/alimentadores"): Case(NETWORK, query="comuna={comuna}"),
    ("GET", "/api/v1/capacidad/transformadores/<int:transformer_id>"):
        Case(NETWORK, path="/api/v1/capacidad/transformadores/{transformer}"),
    ("GET", "/api/v1/capacidad/alimentadores/<int:feeder_id>"):
        Case(NETWORK, path="/api/v1/capacidad/alimentadores/{feeder}"),
    ("GET", "/api/v1/capacidad/punto"): Case(CLIENT_A, query="cliente={client_a_number}", deny=NOT_HOLDER_OF_A),
})
ROUTES.update(view_routes("capacidad-transformador", NETWORK, query="transformer_id={transformer}", table="criterios"))
ROUTES.update(view_routes("capacidad-alimentador", NETWORK, query="feeder_id={feeder}", table="criterios"))
ROUTES.update(view_routes("capacidad-comuna", NETWORK, query="comuna={comuna}", table="transformadores"))
ROUTES.update(view_routes("capacidad-punto", CLIENT_A, query="cliente={client_a_number}", table="cercanos",
                          deny=NOT_HOLDER_OF_A))

# -- real-time supervision (OSINERGMIN, issue 6): pages and views for the CSO supervisor; ingest for
# the companies' real-time tokens ("realtime" is the first supervised company, NOR in the demo seed).
RT = ("supervisor",)
PAGES.update({
    "/tiempo-real": Page(RT),
    "/tiempo-real/instalacion/<int:installation_id>": Page(RT, path="/tiempo-real/instalacion/1"),
    "/tiempo-real/alarmas": Page(RT),
    "/tiempo-real/disponibilidad": Page(RT),
    "/tiempo-real/log": Page(RT),
    "/tiempo-real/conexion": Page(RT),
    "/tiempo-real/mantenimiento": Page(RT),
})
_RT_CONTEXT = {"id": "rt-context", "property": "data", "value": {"view": "tiempo-real-alarmas", "params": {}}}
CALLBACKS.update({
    "rt-body.children": Callback(RT, inputs=[{"id": "rt-interval", "property": "n_intervals", "value": 1}],
                                 state=[_RT_CONTEXT]),
    "..tiempo-real-map-instalaciones-layer-2.data...tiempo-real-map-instalaciones-layer-3.data..."
    "tiempo-real-map-instalaciones-layer-4.data...tiempo-real-map-instalaciones-layer-5.data..":
        Callback(RT, inputs=[{"id": "rt-map-interval", "property": "n_intervals", "value": 1}],
                 state=[{"id": "rt-context", "property": "data", "value": {"view": "tiempo-real", "params": {}}}]),
    "..rt-body.children@db9d1857fbdd1e5a35c77390453f74a2d4a585cadad9bf83738791f19fe97a47...rt-ack-msg.children..":
        Callback(RT, inputs=[[]], state=[_RT_CONTEXT]),
    "..rt-form-msg.children...url.href@9ac66299cf3e73c123eaa4ee6ab1fa4f5a1e3feee0b004d55732136fa52e82b4..":
        Callback(RT, inputs=[{"id": "rt-form-submit", "property": "n_clicks", "value": 0}],
                 state=[{"id": i, "property": "value", "value": None} for i in (
                     "rt-form-company", "rt-form-sender", "rt-form-contact-name", "rt-form-contact-email",
                     "rt-form-contact-phones", "rt-form-carrier", "rt-form-carrier-email", "rt-form-connection-date",
                     "rt-form-activation-date", "rt-form-protocols", "rt-form-on-corporate-network")]),
    "..rt-review-msg.children...url.href@62724d3370effc77ee688e2001a8b1de51fd2361aeaf2d91a089721ba9e284c6..":
        Callback(RT, inputs=[[]], state=[{"id": "rt-review-form", "property": "data", "value": 1},
                                         {"id": "rt-review-note", "property": "value", "value": None}]),
    "..rt-maint-msg.children...url.href@67f1259c703c1f14de4eb0fd2e699bca9deaace552f017349eff1b20e46e0608..":
        Callback(RT, inputs=[{"id": "rt-maint-upload", "property": "contents", "value": None}],
                 state=[{"id": "rt-maint-upload", "property": "filename", "value": None},
                        {"id": "rt-maint-company", "property": "value", "value": None}]),
})
ROUTES.update({
    ("POST", "/api/v1/realtime/batches"): Case((), tokens=("realtime",), json={
        "message_id": "matrix-1", "readings": [{"code": "NOR_LT01_PT_CAB", "ts": "2026-10-01T12:00:00Z", "value": 95.0}]}),
    ("POST", "/api/v1/realtime/events"): Case((), tokens=("realtime",), json={"kind": "connected"}),
    ("GET", "/api/v1/realtime/log"): Case(RT, tokens=("realtime",)),
    ("GET", "/api/v1/realtime/status"): Case(RT, tokens=("realtime",)),
    ("GET", "/api/v1/realtime/companies/<code>/availability"):
        Case(RT, path="/api/v1/realtime/companies/NOR/availability", tokens=("realtime",)),
    ("POST", "/api/v1/realtime/alarms/<int:alarm_id>/ack"): Case(RT, path="/api/v1/realtime/alarms/1/ack"),
    # An empty form gets in and is refused by the Appendix A checks (400): the company's own door.
    ("POST", "/api/v1/realtime/connection-forms"): Case((), tokens=("realtime",), json={}, ok=(400,)),
})
ROUTES.update(view_routes("tiempo-real", RT, table="empresas"))
ROUTES.update(view_routes("tiempo-real-instalacion", RT, query="installation_id=1", table="senales"))
ROUTES.update(view_routes("tiempo-real-alarmas", RT, table="alarmas"))
ROUTES.update(view_routes("tiempo-real-log", RT, table="log"))
ROUTES.update(view_routes("tiempo-real-disponibilidad", RT, query="empresa=NOR&semestre=2026-2", table="empresas"))
ROUTES.update(view_routes("tiempo-real-conexion", RT, query="formulario=1", table="formularios"))
ROUTES.update(view_routes("tiempo-real-mantenimiento", RT, table="mantenimientos"))

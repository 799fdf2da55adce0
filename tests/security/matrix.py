"""THE authorization matrix: every page, Dash callback and route of the app, and who may use it.

``tests/security/test_authorization_matrix.py`` enumerates the app's own url_map, page registry and
Dash callback map and fails when any of them has no entry here (or an entry here no longer
exists), then checks every entry for every user below.

How to add an entry
-------------------
* A page: ``PAGES["/red/alimentador/<int:feeder_id>"] = Page(NETWORK, path="/red/alimentador/{feeder}")``
  (the key is the PageSpec path; ``path`` is a concrete URL, ``{name}`` is filled from ``ids``).
* A route: ``ROUTES[("POST", "/api/v1/intercambio/deltas")] = Case((), tokens=("exchange_x",), json={...})``
  (key: method and url_map rule). ``allow``: users who get in; ``deny``: per-user status when
  not 401/403 (e.g. 404 for another client's supply); ``tokens``: API tokens that get in.
* A report view: ``ROUTES.update(view_routes("my-view", NETWORK, query="feeder_id={feeder}", table="tramos"))``
  expands to its three concrete routes (JSON twin, PDF, CSV), each still checked.
* A callback: ``CALLBACKS[output_key] = Callback(NETWORK, inputs=[...])`` with the request the
  renderer would send, or ``Clientside(SIGNED_IN)`` for browser-only callbacks.

``ids`` available for templates (tests/security/test_authorization_matrix.py::ids): client_a
(cliente's supply), client_b (cliente2's), client_eg (cliente_eg's), company_x (DEA), company_y (CEM),
feeder (a DEA feeder), transformer, substation.
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
}

# -- Dash callbacks (output key as in app.callback_map) ----------------------------------------
ROUTER_KEY = "..page-content.children...navbar.children...page-meta.data.."
CALLBACKS: dict[str, Callback | Clientside] = {
    # The router is public; each page's own policy is enforced inside it (checked through PAGES).
    ROUTER_KEY: Callback(EVERYONE, inputs=[{"id": "url", "property": "pathname", "value": "/"},
                                           {"id": "url", "property": "search", "value": ""}]),
    "title-sink.children": Clientside(EVERYONE),
    "report-print-sink.children": Clientside(SIGNED_IN),
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

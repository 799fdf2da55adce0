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

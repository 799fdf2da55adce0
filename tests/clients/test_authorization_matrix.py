"""Authorization matrix of the client/EG profile: every route and callback, enumerated from the app itself.

For each route under the client prefixes and each client page rendered by the router: another
person's supply answers 403/404 (router: the in-page "not found" message) with nothing of theirs
in the body, anonymous requests answer 401, and — so the matrix cannot pass vacuously — the
owner (or SEC) gets 200 on the same request.
"""
from __future__ import annotations

import re

import pytest

from reports.views import VIEWS

ROUTE_PREFIXES = ("/api/v1/clientes", "/api/v1/vistas/cliente", "/reportes/cliente")
CLIENT_PAGES = ("supplies", "client", "client-eg")
CALLBACK_ID_PREFIXES = ("supplies-", "client-", "eg-client-")
ROUTER = "..page-content.children...navbar.children...page-meta.data.."
# Callbacks owned by these pages: add an entry (inputs for another person's supply) when adding one.
COVERED_CALLBACKS: dict[str, list[dict]] = {}


def _view_of(rule: str) -> str | None:
    match = re.match(r"^/(?:api/v1/vistas/|reportes/)([a-z0-9-]+?)(?:\.pdf|\.csv)?$", rule)
    return match.group(1) if match else None


def _request_for(rule, client_id: int, numbers: dict[str, str], table: str = "consumos") -> str:
    """A concrete URL for ``rule`` aimed at ``client_id`` (query parameters for views, path for the API)."""
    view_name = _view_of(rule.rule)
    if view_name:
        spec = VIEWS[view_name]
        query = {}
        for name, conv in spec.params.items():
            if name == "client_id":
                query[name] = client_id
            elif name == "numero":
                query[name] = numbers["annex" if "anexo" in view_name else "invoice"]
            elif name == "tipo":
                query[name] = "contrato"
            elif not getattr(conv, "optional", False):
                raise AssertionError(f"the matrix does not know how to fill required parameter {name} of {view_name}")
        if rule.rule.endswith(".csv"):
            query["tabla"] = table
        return rule.rule + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    args = set(rule.arguments)
    assert args <= {"client_id"}, f"unknown path arguments in {rule.rule}: {args}"
    return rule.rule.replace("<int:client_id>", str(client_id))


def client_rules(app):
    """Every URL rule of the client/EG profile (so a new one is covered automatically)."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(ROUTE_PREFIXES)]
    assert len(rules) >= 40, "the client routes were not registered"
    return rules


def _decoded(body: str) -> str:
    """JSON bodies escape non-ASCII and '/' (\\u00ed, \\u002f): compare on the decoded text."""
    import json

    try:
        return json.dumps(json.loads(body), ensure_ascii=False)
    except ValueError:
        return body


def _no_victim_data(body: str, supplies) -> None:
    body = _decoded(body)
    for text in (*supplies.victim_strings, supplies.victim_invoice, supplies.victim_annex):
        assert text not in body, f"{text!r} leaked"


@pytest.mark.parametrize("attacker", ["cliente", "cliente_eg", "cliente2", "operador_cem"])
def test_other_supply_is_404_on_every_route(shared_app, supplies, attacker):
    from tests.conftest import AuthActions

    auth = AuthActions(shared_app.test_client())
    auth.login(attacker)
    numbers = {"invoice": supplies.victim_invoice, "annex": supplies.victim_annex}
    checked = 0
    for rule in client_rules(shared_app):
        if "client_id" not in rule.arguments and not _view_of(rule.rule):
            continue  # /clientes/suministros: no supply id to tamper with (scoped to the user)
        url = _request_for(rule, supplies.victim_eg, numbers)
        response = auth.client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        _no_victim_data(response.get_data(as_text=True), supplies)
        checked += 1
    assert checked >= 40


def test_sec_and_the_owner_do_get_every_route(shared_app, supplies):
    """Positive control: the same requests succeed for whoever may see the supply."""
    from tests.conftest import AuthActions

    sec = AuthActions(shared_app.test_client())
    sec.login("sec")
    owner = AuthActions(shared_app.test_client())
    owner.login("cliente_eg")
    from sqlalchemy import select

    from data.models import InjectionAnnex, Invoice

    with shared_app.extensions["db"].session() as s:
        own = {"invoice": s.scalar(select(Invoice.number).where(Invoice.client_id == supplies.eg)),
               "annex": s.scalar(select(InjectionAnnex.number).where(InjectionAnnex.client_id == supplies.eg))}
    victim = {"invoice": supplies.victim_invoice, "annex": supplies.victim_annex}
    for rule in client_rules(shared_app):
        if rule.rule.endswith(".pdf"):
            continue  # PDFs are rendered in the browser tests (slow here)
        if "client_id" not in rule.arguments and not _view_of(rule.rule):
            assert owner.client.get(rule.rule).status_code == 200
            continue
        for auth, cid, numbers in ((sec, supplies.victim_eg, victim), (owner, supplies.eg, own)):
            table = "consumos"
            if rule.rule.endswith(".csv"):
                twin = auth.client.get(_request_for(rule, cid, numbers).replace("/reportes/", "/api/v1/vistas/")
                                       .replace(".csv?", "?").replace("&tabla=consumos", ""))
                tables = [sec_["key"] for sec_ in twin.json["sections"] if sec_["type"] == "table"]
                if not tables:
                    continue  # a view without tables has no CSV
                table = tables[0]
            url = _request_for(rule, cid, numbers, table)
            response = auth.client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:200])


def test_anonymous_gets_401_on_every_route(shared_app, supplies):
    client = shared_app.test_client()
    numbers = {"invoice": supplies.victim_invoice, "annex": supplies.victim_annex}
    for rule in client_rules(shared_app):
        url = _request_for(rule, supplies.victim_eg, numbers) if ("client_id" in rule.arguments or _view_of(rule.rule)) else rule.rule
        response = client.get(url, headers={"Accept": "application/json"})
        if url.startswith("/api/"):
            assert response.status_code == 401, url
        else:
            # Browser downloads redirect to the login page instead (no data either way).
            assert response.status_code in (401, 302), url
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login")
                continue  # the body only echoes the requested address back
        _no_victim_data(response.get_data(as_text=True), supplies)


def _router_paths(app, client_id: int, numbers: dict[str, str]) -> list[tuple[str, str]]:
    """(pathname, search) for every client page and every section/detail of it."""
    from pages import client as client_page
    from pages import client_eg as eg_page

    registry = app.extensions["ra_pages"]
    names = {p.name for p in registry.pages.values()}
    assert set(CLIENT_PAGES) <= names
    paths = [("/cliente/" + str(client_id), f"?seccion={k}") for k, _ in client_page.SECTIONS]
    paths += [("/cliente-eg/" + str(client_id), f"?seccion={k}") for k, _ in eg_page.SECTIONS]
    paths += [("/cliente-eg/" + str(client_id), f"?seccion=boletas&boleta={numbers['invoice']}"),
              ("/cliente-eg/" + str(client_id), f"?seccion=boletas&anexo={numbers['annex']}"),
              ("/cliente-eg/" + str(client_id), "?seccion=historial&tipo=facturacion"),
              ("/cliente-eg/" + str(client_id), "?seccion=remanentes&pagina=1"),
              ("/cliente-eg/" + str(client_id), "?seccion=documentos&documento=contrato"),
              ("/cliente-eg/" + str(client_id), f"?seccion=boletas&numero={numbers['invoice']}")]
    # Every page of the client profile with a path parameter must be in the list above.
    for page in registry.pages.values():
        if page.name in CLIENT_PAGES and "<" in page.path:
            prefix = page.path.split("<")[0]
            assert any(p.startswith(prefix) for p, _ in paths), page.path
    return paths


def _router(auth, pathname, search):
    return auth.callback(ROUTER, [{"id": "url", "property": "pathname", "value": pathname},
                                  {"id": "url", "property": "search", "value": search}])


def test_router_pages_show_not_found_for_another_supply(shared_app, supplies):
    from tests.conftest import AuthActions

    numbers = {"invoice": supplies.victim_invoice, "annex": supplies.victim_annex}
    for attacker in ("cliente", "cliente_eg", "operador_cem"):
        auth = AuthActions(shared_app.test_client())
        auth.login(attacker)
        auth.client.get("/")
        for pathname, search in _router_paths(shared_app, supplies.victim_eg, numbers):
            response = _router(auth, pathname, search)
            body = _decoded(response.get_data(as_text=True))
            assert response.status_code in (200, 403, 404)
            assert "No se encontr" in body or response.status_code in (403, 404), (attacker, pathname, search)
            _no_victim_data(body, supplies)
    anonymous = AuthActions(shared_app.test_client())
    anonymous.client.get("/")
    for pathname, search in _router_paths(shared_app, supplies.victim_eg, numbers):
        body = _router(anonymous, pathname, search).get_data(as_text=True)
        assert "Acceso no permitido" in body
        _no_victim_data(body, supplies)


def test_router_pages_show_the_supply_to_sec(shared_app, supplies):
    from tests.conftest import AuthActions

    auth = AuthActions(shared_app.test_client())
    auth.login("sec")
    auth.client.get("/")
    numbers = {"invoice": supplies.victim_invoice, "annex": supplies.victim_annex}
    for pathname, search in _router_paths(shared_app, supplies.victim_eg, numbers):
        body = _decoded(_router(auth, pathname, search).get_data(as_text=True))
        assert supplies.victim_number in body and "No se encontr" not in body, (pathname, search)


def test_every_client_callback_is_covered_and_scoped(shared_app, supplies):
    dash_app = shared_app.extensions["ra_dash"]
    ours = {key for key in dash_app.callback_map
            if any(part.strip(".").startswith(CALLBACK_ID_PREFIXES) for part in key.split("..."))}
    assert ours <= set(COVERED_CALLBACKS), f"client callbacks missing from the matrix: {ours - set(COVERED_CALLBACKS)}"

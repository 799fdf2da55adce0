"""One authorization matrix for every page, Dash callback and route, checked for every role.

The table is tests/security/matrix.py. A route, page or callback the app has but the table lacks
(or the reverse) fails ``test_matrix_covers_*``; each entry is then exercised for the nine users
(anonymous, publico, cliente, cliente2, cliente_eg, sec, operador_dea, operador_cem, supervisor)
and, for API routes, for company and real-time tokens.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from auth.guard import DASH_UPDATE, PAGE_ENDPOINTS
from auth.scope import NotFound
from services.eg import DOCUMENT_KINDS
from tests.security.conftest import csrf_of
from tests.security.matrix import (CALLBACKS, PAGES, ROLE_OF, ROUTER_KEY, ROUTES, TOKENS, USERS, Callback, Case,
                                   Clientside)

SKIP_METHODS = {"HEAD", "OPTIONS"}
NOT_FOUND_TEXT = NotFound().message  # what a page says for an object outside the user's scope


def app_routes(app) -> set[tuple[str, str]]:
    """(method, rule) of every Flask route except the Dash page catch-alls and the callback endpoint."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PAGE_ENDPOINTS or rule.endpoint == DASH_UPDATE:
            continue
        for method in rule.methods - SKIP_METHODS:
            out.add((method, rule.rule))
    return out


def test_matrix_covers_every_route(sec_app):
    routes = app_routes(sec_app)
    missing = sorted(routes - set(ROUTES))
    stale = sorted(set(ROUTES) - routes)
    assert not missing, f"routes without an entry in tests/security/matrix.py ROUTES: {missing}"
    assert not stale, f"entries for routes that no longer exist: {stale}"


def test_matrix_covers_every_page(sec_app):
    pages = {p.path for p in sec_app.extensions["ra_pages"].pages.values()}
    extra = {x for p in sec_app.extensions["ra_pages"].pages.values() for x in p.extra_paths}
    assert not (pages | extra) - set(PAGES), f"pages without an entry in PAGES: {sorted((pages | extra) - set(PAGES))}"
    assert not set(PAGES) - (pages | extra), f"entries for pages that no longer exist: {sorted(set(PAGES) - pages)}"


def test_matrix_covers_every_callback(sec_app):
    keys = set(sec_app.extensions["ra_dash"].callback_map)
    assert not keys - set(CALLBACKS), f"callbacks without an entry in CALLBACKS: {sorted(keys - set(CALLBACKS))}"
    assert not set(CALLBACKS) - keys, f"entries for callbacks that no longer exist: {sorted(set(CALLBACKS) - keys)}"


@pytest.fixture(scope="module")
def ids(sec_app) -> dict:
    """Concrete ids for URL templates in the matrix (see the matrix module docstring)."""
    from data.models import (Client, Comuna, ConnectionDocument, DistributionCompany, DistributionTransformer, Feeder,
                             GenerationInstallation, InjectionAnnex, Invoice, Substation, User, UserSupply, VnrCode)

    with sec_app.extensions["db"].session() as s:
        def supply(username):
            return s.scalar(select(UserSupply.client_id).join(User, User.id == UserSupply.user_id)
                            .where(User.username == username).order_by(UserSupply.client_id))

        companies = {c.code: c.id for c in s.scalars(select(DistributionCompany))}
        out = {"client_a": supply("cliente"), "client_b": supply("cliente2"), "client_eg": supply("cliente_eg")}
        # Company X is operador_dea's, company Y operador_cem's.
        company_of = {u.username: u.company_id for u in s.scalars(select(User).where(
            User.username.in_(("operador_dea", "operador_cem"))))}
        out["company_x"], out["company_y"] = company_of["operador_dea"], company_of["operador_cem"]
        out["company_x_code"] = next(code for code, cid in companies.items() if cid == out["company_x"])
        client_a = s.get(Client, out["client_a"])
        assert client_a.id != out["client_b"]
        # The demo clients are supplied by company X (the matrix's 404s for operador_cem depend on it).
        assert {client_a.company_id, s.get(Client, out["client_b"]).company_id,
                s.get(Client, out["client_eg"]).company_id} == {out["company_x"]}
        out["client_a_number"] = client_a.client_number
        out["feeder"] = s.scalar(select(Feeder.id).where(Feeder.company_id == out["company_x"]).order_by(Feeder.id))
        out["substation"] = s.scalar(select(Substation.id).where(Substation.company_id == out["company_x"])
                                     .order_by(Substation.id))
        out["transformer"] = s.scalar(select(DistributionTransformer.id).where(
            DistributionTransformer.feeder_id == out["feeder"]).order_by(DistributionTransformer.id))
        out["transformer_plate"] = s.get(DistributionTransformer, out["transformer"]).code
        out["comuna"] = s.get(Substation, out["substation"]).comuna_code
        out["region"] = s.scalar(select(Comuna.region_code).where(Comuna.code == out["comuna"]))
        out["vnr"] = s.scalar(select(VnrCode.code).order_by(VnrCode.id))
        out["eg_invoice"] = s.scalar(select(Invoice.number).where(Invoice.client_id == out["client_eg"])
                                     .order_by(Invoice.id))
        out["eg_annex"] = s.scalar(select(InjectionAnnex.number).where(InjectionAnnex.client_id == out["client_eg"])
                                   .order_by(InjectionAnnex.id))
        kind = s.scalar(select(ConnectionDocument.kind)
                        .join(GenerationInstallation, GenerationInstallation.id == ConnectionDocument.installation_id)
                        .where(GenerationInstallation.client_id == out["client_eg"]).order_by(ConnectionDocument.id))
        out["eg_document"] = {v: k for k, v in DOCUMENT_KINDS.items()}[kind]
    missing = sorted(k for k, v in out.items() if v is None)
    assert not missing, f"the tiny seed lacks matrix ids: {missing}"
    return out


@pytest.fixture(scope="module")
def tokens(sec_app, ids) -> dict:
    """Plaintext API tokens: exchange of company X and Y, and real-time ingest."""
    from auth.tokens import issue_token
    from data.models import SupervisedCompany

    out = {}
    with sec_app.extensions["db"].session() as s:
        out["exchange_x"], _ = issue_token(s, "exchange", "matrix x", company_id=ids["company_x"])
        out["exchange_y"], _ = issue_token(s, "exchange", "matrix y", company_id=ids["company_y"])
        supervised = s.scalar(select(SupervisedCompany.id).order_by(SupervisedCompany.id))
        if supervised is not None:
            out["realtime"], _ = issue_token(s, "realtime", "matrix rt", supervised_company_id=supervised)
    return out


@pytest.fixture(autouse=True)
def _fast_pdf(monkeypatch):
    # Authorization is decided before the view runs; skip the costly PDF rendering itself.
    import reports.pdf

    monkeypatch.setattr(reports.pdf, "report_pdf", lambda report, username=None: b"%PDF-1.7 matrix")


def _url(case, rule: str, ids: dict) -> str:
    path = (case.path or rule).format(**ids)
    return f"{path}?{case.query.format(**ids)}" if case.query else path


def _send(client, method: str, url: str, case: Case, headers: dict | None = None):
    headers = dict(headers or {})
    token = csrf_of(client) if case.csrf else ""
    if case.form is not None:
        return client.open(url, method=method, data={**case.form, "csrf_token": token}, headers=headers)
    if method != "GET":
        headers.setdefault("X-CSRFToken", token)
        return client.open(url, method=method, json=case.json if case.json is not None else {}, headers=headers)
    return client.open(url, method=method, headers=headers)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.headers.get("Location", "").startswith("/login")


def _expected_denial(user: str, rule: str, case: Case):
    if user in case.deny:
        return case.deny[user]
    if user == "anonymous":
        return 401 if rule.startswith("/api/") else "login"
    return 403


@pytest.mark.parametrize("key", sorted(ROUTES), ids=lambda k: f"{k[0]} {k[1]}")
def test_route_matrix(key, clients, ids, tokens):
    method, rule = key
    case = ROUTES[key]
    url = _url(case, rule, ids)
    problems = []
    for user in USERS:
        response = _send(clients[user].client, method, url, case)
        if user in case.allow:
            if response.status_code not in case.ok or _is_login_redirect(response) and rule != "/auth/login":
                problems.append(f"{user}: expected {case.ok}, got {response.status_code}")
        else:
            expected = _expected_denial(user, rule, case)
            got = "login" if _is_login_redirect(response) else response.status_code
            if got != expected:
                problems.append(f"{user}: expected denial {expected}, got {got}")
        assert response.status_code < 500, f"{user} {method} {url}: {response.status_code}"
    if rule.startswith("/api/"):
        anonymous = clients["anonymous"].client
        for name in TOKENS:
            if name not in tokens:
                continue
            response = _send(anonymous, method, url, case, headers={"Authorization": f"Bearer {tokens[name]}"})
            good = response.status_code in case.ok if name in case.tokens else response.status_code in (401, 403)
            if not good:
                problems.append(f"token {name}: got {response.status_code}")
        forged = _send(anonymous, method, url, case, headers={"Authorization": "Bearer ra_dead_beef"})
        if forged.status_code != 401:
            problems.append(f"forged token: expected 401, got {forged.status_code}")
    assert not problems, f"{method} {url}:\n" + "\n".join(problems)


def _router(client, path: str):
    actions_body = {"output": ROUTER_KEY,
                    "outputs": [{"id": "page-content", "property": "children"}, {"id": "navbar", "property": "children"},
                                {"id": "page-meta", "property": "data"}],
                    "inputs": [{"id": "url", "property": "pathname", "value": path},
                               {"id": "url", "property": "search", "value": ""}],
                    "changedPropIds": ["url.pathname"], "state": []}
    return client.post("/_dash-update-component", json=actions_body, headers={"X-CSRFToken": csrf_of(client)})


@pytest.mark.parametrize("spec_path", sorted(PAGES))
def test_page_matrix(spec_path, clients, ids):
    page = PAGES[spec_path]
    path = (page.path or spec_path).format(**ids)
    problems = []
    for user in USERS:
        client = clients[user].client
        full = client.get(path)
        routed = _router(client, path)
        assert routed.status_code == 200, f"{user} {path}: router answered {routed.status_code}"
        content = json.dumps(routed.get_json()["response"]["page-content"]["children"], ensure_ascii=False)
        refused = "Acceso no permitido" in content
        if user in page.allow:
            if full.status_code != 200:
                problems.append(f"{user}: full load expected 200, got {full.status_code}")
            if refused:
                problems.append(f"{user}: router refused an allowed page")
            if (NOT_FOUND_TEXT in content) != (user in page.not_found):
                problems.append(f"{user}: router {'did not answer' if user in page.not_found else 'answered'} "
                                "'not found'")
        else:
            expected = "login" if user == "anonymous" else 403
            got = "login" if _is_login_redirect(full) else full.status_code
            if got != expected:
                problems.append(f"{user}: full load expected {expected}, got {got}")
            if not refused:
                problems.append(f"{user}: router rendered a page the role may not open")
    assert not problems, f"{path}:\n" + "\n".join(problems)


@pytest.mark.parametrize("key", sorted(CALLBACKS))
def test_callback_matrix(key, sec_app, clients):
    entry = CALLBACKS[key]
    policy = sec_app.extensions["ra_callback_policies"].get(key)
    assert policy is not None
    declared = {u for u in USERS if policy.allows(ROLE_OF[u])}
    assert declared == set(entry.allow), f"{key}: policy allows {sorted(declared)}, matrix says {sorted(entry.allow)}"
    for user in USERS:
        actions = clients[user]
        if isinstance(entry, Clientside):
            forged = actions.callback(key, [{"id": "x", "property": "value", "value": 1}])
            assert forged.status_code == 403, f"{user}: a server request for clientside {key} got {forged.status_code}"
            continue
        assert isinstance(entry, Callback)
        response = actions.callback(key, entry.inputs, entry.state)
        if user in entry.allow:
            assert response.status_code in entry.ok, f"{user} {key}: {response.status_code}"
        else:
            assert response.status_code == (401 if user == "anonymous" else 403), f"{user} {key}: {response.status_code}"

"""The app factory, the guard, login/logout for every demo role, and settings safety."""
from __future__ import annotations

import pytest

from settings import Settings, SettingsError

DEMO_USERS = ["publico", "cliente", "cliente2", "cliente_eg", "sec", "operador_dea", "operador_cem", "supervisor"]


def test_production_refuses_missing_or_placeholder_secret():
    with pytest.raises(SettingsError):
        Settings.from_env({"RA_ENV": "production"})
    with pytest.raises(SettingsError):
        Settings.from_env({"RA_ENV": "production", "SECRET_KEY": "changeme"})
    ok = Settings.from_env({"RA_ENV": "production", "SECRET_KEY": "k" * 40})
    assert ok.is_production


def test_home_is_public_and_unknown_path_is_404(shared_app):
    client = shared_app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/no-existe").status_code == 404
    assert client.get("/healthz").json == {"status": "ok"}


def test_restricted_page_redirects_anonymous_to_login(shared_app):
    response = shared_app.test_client().get("/cuenta")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=%2Fcuenta")


@pytest.mark.parametrize("username", DEMO_USERS)
def test_each_demo_role_logs_in_and_out(shared_auth, username):
    response = shared_auth.login(username)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert shared_auth.client.get("/cuenta").status_code == 200
    shared_auth.logout()
    assert shared_auth.client.get("/cuenta").status_code == 302


def test_wrong_password_gives_one_generic_message(shared_auth):
    bad_user = shared_auth.login("no-existe", "x" * 12)
    bad_pass = shared_auth.login("publico", "x" * 12)
    assert bad_user.headers["Location"] == bad_pass.headers["Location"] == "/login?error=1"


def test_login_without_csrf_token_is_refused(shared_app):
    client = shared_app.test_client()
    response = client.post("/auth/login", data={"username": "sec", "password": "RedAbierta2026"})
    assert "error=csrf" in response.headers["Location"]


def test_session_is_renewed_at_login(shared_auth):
    shared_auth.client.get("/login")
    with shared_auth.client.session_transaction() as sess:
        sess["planted"] = "attacker"
    shared_auth.login("publico")
    with shared_auth.client.session_transaction() as sess:
        assert "planted" not in sess


def test_callback_without_csrf_header_or_policy_is_refused(shared_auth):
    client = shared_auth.client
    client.get("/")
    assert client.post("/_dash-update-component", json={"output": "page-content.children"}).status_code == 403
    response = shared_auth.callback("unknown-thing.children", [{"id": "x", "property": "value", "value": 1}])
    assert response.status_code == 403


def test_every_callback_has_a_policy(shared_app):
    dash_app = shared_app.extensions["ra_dash"]
    policies = shared_app.extensions["ra_callback_policies"]
    missing = set(dash_app.callback_map) - policies.keys()
    assert not missing, f"callbacks without a policy: {missing}"


def test_every_route_has_a_policy(shared_app):
    from auth.guard import DASH_STATIC_ENDPOINTS, DASH_UPDATE, PAGE_ENDPOINTS, endpoint_policy

    missing = []
    for rule in shared_app.url_map.iter_rules():
        if rule.endpoint in PAGE_ENDPOINTS or rule.endpoint == DASH_UPDATE or rule.endpoint in DASH_STATIC_ENDPOINTS:
            continue
        if rule.endpoint == "/_reload-hash":
            continue
        if endpoint_policy(shared_app, rule.endpoint) is None:
            missing.append(rule.rule)
    assert not missing, f"routes without a policy: {missing}"


def test_router_renders_login_for_anonymous_and_403_for_wrong_role(shared_auth):
    shared_auth.client.get("/")
    page = shared_auth.callback("..page-content.children...navbar.children...page-meta.data..",
                                [{"id": "url", "property": "pathname", "value": "/login"},
                                 {"id": "url", "property": "search", "value": ""}])
    assert page.status_code == 200 and "INGRESAR" in page.get_data(as_text=True)
    account = shared_auth.callback("..page-content.children...navbar.children...page-meta.data..",
                                   [{"id": "url", "property": "pathname", "value": "/cuenta"},
                                    {"id": "url", "property": "search", "value": ""}])
    assert "403" in account.get_data(as_text=True)


def test_password_change_enforces_policy_and_works(auth):
    auth.login("publico")
    with auth.client.session_transaction() as sess:
        token = sess["csrf"]
    weak = auth.client.post("/auth/password", data={"csrf_token": token, "current": "RedAbierta2026", "new": "corta1",
                                                    "new2": "corta1"})
    assert "politica=" in weak.headers["Location"]
    ok = auth.client.post("/auth/password", data={"csrf_token": token, "current": "RedAbierta2026",
                                                  "new": "OtraClaveSegura99", "new2": "OtraClaveSegura99"})
    assert ok.headers["Location"] == "/cuenta?msg=ok"
    auth.logout()
    assert auth.login("publico", "OtraClaveSegura99").headers["Location"] == "/"

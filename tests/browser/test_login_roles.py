"""A person signs in as each demo role and lands on a home page made for that role."""
from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

ROLES = {
    "publico": "Usuario registrado",
    "cliente": "Cliente",
    "cliente_eg": "Cliente EG",
    "sec": "Auditor SEC",
    "operador_dea": "Operador distribuidora",
    "supervisor": "Supervisor CSO",
}


def test_anonymous_home_invites_to_sign_in(page, live_server):
    page.goto(live_server.url + "/")
    page.wait_for_selector("#nav-login")
    assert "Ingresar" in page.inner_text("#nav-login")
    assert "registrarse" in page.inner_text("main")
    shot(page, "home_anonymous")


@pytest.mark.parametrize("username,label", list(ROLES.items()))
def test_login_as_each_role(page, live_server, username, label):
    login(page, live_server.url, username)
    assert page.url.rstrip("/") == live_server.url
    user_box = page.inner_text("#nav-user")
    assert username in user_box and label in user_box
    page.wait_for_selector("#home-cards", state="attached")
    shot(page, f"home_{username}")
    page.click("#nav-logout")
    page.wait_for_selector("#nav-login")

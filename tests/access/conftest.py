"""Fixtures for the access tests: an app with a light captcha, a captcha solver and a router helper."""
from __future__ import annotations

import json
import uuid

import altcha
import pytest

from tests.conftest import AuthActions, make_app

ROUTER = "..page-content.children...navbar.children...page-meta.data.."


@pytest.fixture
def reg_app(template_url, backend):
    """An app on its own seeded database with a cheap captcha (tests solve it like the widget does)."""
    url = backend.copy(template_url, "r" + uuid.uuid4().hex[:8])
    app = make_app(url, captcha_max_counter=30, captcha_cost=50)
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture
def reg_auth(reg_app):
    return AuthActions(reg_app.test_client())


def solve_captcha(client) -> str:
    """Fetch a challenge from the app and solve it as the ALTCHA widget would."""
    challenge = altcha.Challenge.from_dict(client.get("/auth/captcha").get_json())
    return altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def render(auth: AuthActions, path: str, search: str = "") -> str:
    """The router's rendering of a page, as the browser would receive it."""
    with auth.client.session_transaction() as sess:
        fresh = "csrf" not in sess
    if fresh:
        auth.client.get("/")  # the shell page issues the session's CSRF token
    response = auth.callback(ROUTER, [{"id": "url", "property": "pathname", "value": path},
                                      {"id": "url", "property": "search", "value": search}])
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json(), ensure_ascii=False)

"""Fixtures for the security suite: an app of its own per module and one signed-in client per demo user."""
from __future__ import annotations

import uuid

import pytest

from tests.conftest import AuthActions, make_app
from tests.security.matrix import USERS


@pytest.fixture(scope="module")
def sec_app(template_url, backend):
    """A module-scoped app on its own copy of the seeded template (tests may issue tokens)."""
    url = backend.copy(template_url, "s" + uuid.uuid4().hex[:8])
    app = make_app(url)
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture(scope="module")
def clients(sec_app):
    """user name -> AuthActions signed in as that user ("anonymous": not signed in)."""
    out = {}
    for user in USERS:
        actions = AuthActions(sec_app.test_client())
        if user == "anonymous":
            actions.client.get("/")
        else:
            response = actions.login(user)
            assert response.status_code == 302 and "error" not in response.headers["Location"], user
        out[user] = actions
    return out


def csrf_of(client) -> str:
    """The CSRF token of a test client's session."""
    with client.session_transaction() as sess:
        return sess.get("csrf", "")

"""Personal API tokens: shown once, listed by prefix, revocable only by their owner; they authenticate /api/v1."""
from __future__ import annotations

import re

from sqlalchemy import select

from data.models import ApiToken, User
from tests.access.conftest import render

CALLBACK = "..tokens-new.children...tokens-list.children.."


def _create(auth, name: str, clicks: int = 1):
    return auth.callback(CALLBACK, [{"id": "tokens-create", "property": "n_clicks", "value": clicks},
                                    {"id": {"type": "tokens-revoke", "index": "ALL"}, "property": "n_clicks",
                                     "value": []}],
                         state=[{"id": "tokens-name", "property": "value", "value": name}])


def _revoke(auth, token_id: int):
    return auth.callback(CALLBACK, [{"id": "tokens-create", "property": "n_clicks", "value": 0},
                                    {"id": {"type": "tokens-revoke", "index": token_id}, "property": "n_clicks",
                                     "value": 1}],
                         state=[{"id": "tokens-name", "property": "value", "value": ""}],
                         changed=[f'{{"index":{token_id},"type":"tokens-revoke"}}.n_clicks'])


def test_issue_use_list_and_revoke_a_personal_token(app, auth):
    auth.login("publico")
    body = _create(auth, "planilla de consulta").get_data(as_text=True)
    plaintext = re.search(r"ra_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}", body).group(0)
    prefix = plaintext.split("_")[1]
    with app.extensions["db"].session() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
        assert row.scope == "personal" and row.user_id == s.scalar(select(User.id).where(User.username == "publico"))
        assert plaintext.split("_", 2)[2] not in row.token_hash
        token_id = row.id
    # The list shows the prefix, never the secret.
    page = render(auth, "/cuenta/tokens")
    assert f"ra_{prefix}_…" in page and plaintext not in page and "planilla de consulta" in page
    # The token authenticates API requests as its owner, without a session.
    other = app.test_client()
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert other.get("/api/v1/me", headers=headers).json == {"username": "publico", "role": "public"}
    assert other.get("/api/v1/busqueda/transformador?placa=TD-DEA-00001", headers=headers).status_code == 200
    revoked = _revoke(auth, token_id).get_data(as_text=True)
    assert "revocado" in revoked
    assert other.get("/api/v1/me", headers=headers).status_code == 401


def test_token_needs_a_name_and_is_limited(reg_app, reg_auth):
    reg_auth.login("publico")
    assert "Indique un nombre" in _create(reg_auth, "   ").get_data(as_text=True)
    limit = reg_app.extensions["ra_settings"].max_personal_tokens
    for i in range(limit):
        assert "creado" in _create(reg_auth, f"t{i}", i + 1).get_data(as_text=True)
    assert f"Ya tiene {limit} tokens activos" in _create(reg_auth, "uno más", limit + 1).get_data(as_text=True)


def test_a_user_cannot_revoke_or_see_another_users_token(app, auth):
    auth.login("cliente")
    body = _create(auth, "del cliente").get_data(as_text=True)
    prefix = re.search(r"ra_([0-9a-f]{8})_", body).group(1)
    with app.extensions["db"].session() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix))
    auth.logout()
    auth.login("publico")
    assert "Token no encontrado" in _revoke(auth, token_id).get_data(as_text=True)
    assert prefix not in render(auth, "/cuenta/tokens")
    with app.extensions["db"].session() as s:
        assert s.get(ApiToken, token_id).revoked_at is None


def test_anonymous_cannot_manage_tokens(shared_auth):
    shared_auth.client.get("/")
    assert _create(shared_auth, "x").status_code == 401

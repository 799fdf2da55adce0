"""Company operators: status of loads and batches (own company only) and exchange token management."""
from __future__ import annotations

import json

from sqlalchemy import select

from data.models import ApiToken
from tests.exchange.helpers import post, token

ROUTER = "..page-content.children...navbar.children...page-meta.data.."
TOKENS = "..exchange-tokens-result.children...exchange-tokens-table.children...exchange-tokens-revoke-select.options..." \
         "exchange-tokens-name.value.."


def render(auth, path: str, search: str = "") -> str:
    response = auth.callback(ROUTER, [{"id": "url", "property": "pathname", "value": path},
                                      {"id": "url", "property": "search", "value": search}])
    return json.dumps(response.json, ensure_ascii=False)


def tokens_callback(auth, issue: int, revoke: int, name: str | None, token_id=None):
    response = auth.callback(TOKENS, [{"id": "exchange-tokens-issue", "property": "n_clicks", "value": issue},
                                      {"id": "exchange-tokens-revoke", "property": "n_clicks", "value": revoke}],
                             [{"id": "exchange-tokens-name", "property": "value", "value": name},
                              {"id": "exchange-tokens-revoke-select", "property": "value", "value": token_id}],
                             changed=["exchange-tokens-revoke.n_clicks" if token_id else "exchange-tokens-issue.n_clicks"])
    return response


def test_operator_sees_own_batches_with_rejection_reasons_only(app, auth):
    client, dea = app.test_client(), token(app, "DEA")
    ok = {"batch_id": "dea-ok", "sequence": 1, "operations": [
        {"entity": "feeder_demands", "op": "insert", "key": {"feeder_code": "AL-DEA-001", "month": "2031-01-01"},
         "data": {"max_demand_kw": 10.0, "min_demand_kw": 5.0}}]}
    assert post(client, dea, ok).status_code == 201
    bad = {"batch_id": "dea-malo", "sequence": 2, "operations": [
        {"entity": "feeders", "op": "delete", "key": {"code": "AL-DEA-001"}}]}
    assert post(client, dea, bad).status_code == 422
    auth.login("operador_dea")
    page = render(auth, "/empresa/intercambio")
    assert "dea-ok" in page and "Aceptado" in page and "1 altas" in page
    assert "dea-malo" in page and "Rechazado" in page and "aún lo referencian" in page
    assert "Próximo N° de secuencia esperado" in page
    other = render(auth, "/empresa/intercambio", "?empresa=CEM")
    assert "dea-ok" not in other and "No se encontró" in other
    auth.logout()
    auth.login("operador_cem")
    assert "dea-ok" not in render(auth, "/empresa/intercambio")


def test_operator_issues_lists_and_revokes_tokens(app, auth):
    auth.login("operador_dea")
    assert "Tokens de intercambio" in render(auth, "/empresa/tokens")
    issued = tokens_callback(auth, 1, 0, "ETL nocturno")
    assert issued.status_code == 200
    plain = issued.json["response"]["exchange-tokens-result"]["children"]["props"]["children"][1]["props"]["children"]
    assert plain.startswith("ra_")
    prefix = plain.split("_")[1]
    listing = render(auth, "/empresa/tokens")
    assert prefix in listing and plain not in listing  # shown once; listed by prefix only
    feed = app.test_client().get("/api/v1/exchange/changes", headers={"Authorization": f"Bearer {plain}"})
    assert feed.status_code == 200 and feed.json["company"] == "DEA"
    with app.extensions["db"].session() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix))
    revoked = tokens_callback(auth, 1, 1, None, token_id)
    assert "Token revocado" in json.dumps(revoked.json, ensure_ascii=False)
    again = app.test_client().get("/api/v1/exchange/changes", headers={"Authorization": f"Bearer {plain}"})
    assert again.status_code == 401


def test_operator_cannot_revoke_another_company_token(app, auth):
    cem = token(app, "CEM")
    with app.extensions["db"].session() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.prefix == cem.split("_")[1]))
    auth.login("operador_dea")
    response = tokens_callback(auth, 0, 1, None, token_id)
    assert "Seleccione un token activo de su empresa" in json.dumps(response.json, ensure_ascii=False)
    assert app.test_client().get("/api/v1/exchange/changes",
                                 headers={"Authorization": f"Bearer {cem}"}).status_code == 200


def test_token_management_is_for_operators_only(shared_auth):
    shared_auth.login("sec")
    assert "403" in render(shared_auth, "/empresa/tokens")
    response = tokens_callback(shared_auth, 1, 0, "intruso")
    assert response.status_code == 403

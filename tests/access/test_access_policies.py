"""Every non-public callback and route answers an anonymous request with 401 (or a sign-in redirect for pages and
file downloads), enumerated from the app itself."""
from __future__ import annotations

import re

from auth.guard import DASH_STATIC_ENDPOINTS, DASH_UPDATE, PAGE_ENDPOINTS, endpoint_policy


def test_every_protected_callback_refuses_anonymous_with_401(shared_auth, shared_app):
    policies = shared_app.extensions["ra_callback_policies"]
    shared_auth.client.get("/")
    protected = [key for key in policies.keys() if not policies.get(key).anonymous]
    assert any("tokens-list" in k for k in protected) and any("tsearch-feedback" in k for k in protected)
    for key in protected:
        response = shared_auth.callback(key, [{"id": "x", "property": "n_clicks", "value": 1}])
        assert response.status_code == 401, key


def test_every_protected_route_refuses_anonymous(shared_app):
    client = shared_app.test_client()
    checked = 0
    for rule in shared_app.url_map.iter_rules():
        if rule.endpoint in PAGE_ENDPOINTS or rule.endpoint == DASH_UPDATE or rule.endpoint in DASH_STATIC_ENDPOINTS:
            continue
        policy = endpoint_policy(shared_app, rule.endpoint)
        if policy is None or policy.anonymous:
            continue
        path = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(path, method=method)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code in (302, 401), path
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login?next="), path
        checked += 1
    assert checked >= 5


def test_new_pages_require_sign_in(shared_app):
    client = shared_app.test_client()
    for path in ("/red/buscar-transformador", "/red/vnr?codigo=PH-13", "/cuenta/tokens"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    assert client.get("/registro").status_code == 200

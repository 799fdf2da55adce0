"""Every callback and route of the network profile refuses anonymous requests (enumerated from the app)."""
from __future__ import annotations

import re

import pytest

from reports.views import VIEWS

NETWORK_VIEW_MODULES = ("services.views.network_lists", "services.views.network_detail", "services.views.network_feeder")


def network_views():
    return sorted(name for name, spec in VIEWS.items() if spec.build.__module__ in NETWORK_VIEW_MODULES)


def network_rules(app):
    """URL rules of this area: /api/v1/red/* and the JSON/PDF/CSV routes of its views."""
    names = network_views()
    rules = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if path.startswith("/api/v1/red/") or any(path in (f"/api/v1/vistas/{n}", f"/reportes/{n}.pdf",
                                                            f"/reportes/{n}.csv") for n in names):
            rules.append(path)
    return sorted(rules)


def concrete(path: str) -> str:
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: {"region_code": "05", "comuna_code": "05501", "layer": "postes"}
                  .get(m.group(1), "1"), path)


def network_callbacks(app):
    return sorted(k for k in app.extensions["ra_dash"].callback_map if "net-" in k)


def test_area_is_enumerated(shared_app):
    assert len(network_views()) == 6
    assert len(network_rules(shared_app)) == 9 + 3 * 6
    assert len(network_callbacks(shared_app)) == 6


@pytest.mark.parametrize("kind", ["api", "reports"])
def test_every_route_refuses_anonymous(shared_app, kind):
    client = shared_app.test_client()
    for path in network_rules(shared_app):
        if path.startswith("/api/") != (kind == "api"):
            continue
        response = client.get(concrete(path))
        if kind == "api":
            assert response.status_code == 401, path
            assert response.json["error"] == "Debe iniciar sesión."
        else:  # browser downloads: sent to the login page, nothing served
            assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path


def _inputs(spec):
    return [{"id": i["id"], "property": i["property"], "value": None} for i in spec["inputs"]]


def test_every_callback_refuses_anonymous_and_the_supervisor(shared_app):
    from tests.conftest import AuthActions

    for username, status in ((None, 401), ("supervisor", 403)):
        auth = AuthActions(shared_app.test_client())
        if username:
            auth.login(username)
        else:
            auth.csrf()
        for key in network_callbacks(shared_app):
            spec = shared_app.extensions["ra_dash"].callback_map[key]
            response = auth.callback(key, _inputs(spec), [{"id": s["id"], "property": s["property"], "value": None}
                                                          for s in spec["state"]])
            assert response.status_code == status, (username, key)


def test_supervisor_cannot_read_network_routes(shared_auth):
    shared_auth.login("supervisor")
    for path in network_rules(shared_auth.client.application):
        if path.startswith("/api/"):
            assert shared_auth.client.get(concrete(path)).status_code == 403, path

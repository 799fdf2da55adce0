"""100 simulated registered users on the public flow (1–3 s think time).

Each simulated user has its own account (``bench_u001``...) and its own client address, sent as
``X-Forwarded-For`` the way the production reverse proxy does (the bench server runs with
``RA_PROXY_HOPS=1``): the login throttle then sees 100 people, not one address logging in 100 times.
"""
from __future__ import annotations

import itertools
import os
import random

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_USER_PASSWORD", "RedAbierta2026")
_numbers = itertools.count(1)


class PublicUser(HttpUser):
    """A registered engineer browsing the network."""

    wait_time = between(1, 3)

    def on_start(self):
        n = next(_numbers)
        self.client.headers["X-Forwarded-For"] = f"10.20.{n // 250}.{n % 250 + 1}"
        self.client.get("/login", name="/login")
        token = self.client.cookies.get("_csrf_token")
        self.client.post("/auth/login", data={"username": f"bench_u{n:03d}", "password": PASSWORD, "csrf_token": token},
                         name="/auth/login", allow_redirects=False)
        self.client.get("/", name="/")
        regions = self.client.get("/api/v1/red/regiones", name="/api/v1/red/regiones").json()
        self.region = regions["items"][0]["code"] if regions.get("items") else "05"
        comunas = self.client.get(f"/api/v1/red/regiones/{self.region}/comunas", name="/api/v1/red/regiones/[r]/comunas").json()
        self.comunas = [c["code"] for c in comunas.get("items", [])] or ["05501"]

    def _callback(self, parent, child, value, name):
        output = f"..{child}.options...{child}.value...{child}.disabled.."
        body = {"output": output, "outputs": [{"id": child, "property": p} for p in ("options", "value", "disabled")],
                "inputs": [{"id": parent, "property": "value", "value": value}],
                "state": [{"id": child, "property": "value", "value": None}],
                "changedPropIds": [f"{parent}.value"]}
        return self.client.post("/_dash-update-component", json=body, name=name,
                                headers={"X-CSRFToken": self.client.cookies.get("_csrf_token", "")})

    @task(3)
    def filter_chain(self):
        comuna = random.choice(self.comunas)
        self._callback("net-filter-region", "net-filter-comuna", self.region, "callback región→comuna")
        self._callback("net-filter-comuna", "net-filter-substation", comuna, "callback comuna→subestación")

    @task(2)
    def substations(self):
        comuna = random.choice(self.comunas)
        self.client.get(f"/api/v1/red/comunas/{comuna}/subestaciones", name="/api/v1/red/comunas/[c]/subestaciones")

    @task(1)
    def companies(self):
        self.client.get("/api/v1/vistas/distribuidoras", name="/api/v1/vistas/distribuidoras")

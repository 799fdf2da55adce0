"""The comuna capacity map draws transformers and feeders in their class colours, with the legend."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image
from sqlalchemy import select

from data.models import DistributionTransformer
from services.capacity.layers import CLASS_COLORS
from tests.browser.conftest import login, shot

MAP = "#view-capacidad-comuna .leaflet-container"


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def colour_pixels(png: bytes, hex_color: str, tolerance: float = 28) -> int:
    """How many pixels of a screenshot are within ``tolerance`` (RGB distance) of a colour."""
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    return int((np.linalg.norm(img - _rgb(hex_color), axis=2) < tolerance).sum())


def test_capacity_map_colours_transformers_and_feeders_by_class(page, live_server):
    with live_server.app.extensions["db"].session() as s:
        comuna = s.scalar(select(DistributionTransformer.comuna_code).order_by(DistributionTransformer.id).limit(1))
    login(page, live_server.url, "publico")
    page.goto(f"{live_server.url}/capacidad?comuna={comuna}")
    page.wait_for_selector(f"{MAP} canvas", state="attached")
    page.wait_for_timeout(1500)  # let Leaflet finish drawing the canvas
    data = page.request.get(f"{live_server.url}/api/v1/vistas/capacidad-comuna?comuna={comuna}").json()
    layers = next(s for s in data["sections"] if s["type"] == "map")["layers"]
    present = {layer["name"]: len(layer["geojson"]["features"]) for layer in layers}
    shot(page, "capacity_map")
    png = page.locator(MAP).screenshot()
    drawn = {name: colour_pixels(png, CLASS_COLORS[cls]) for name, cls in
             (("none", "none"), ("low", "low"), ("medium", "medium"), ("high", "high"), ("unknown", "unknown"))}
    classes_with_features = {cls for cls in CLASS_COLORS
                             if any(n and name.endswith(label) for name, n in present.items()
                                    for label in _labels(cls))}
    assert classes_with_features, present
    for cls in classes_with_features:
        assert drawn[cls] > 15, f"class {cls} has features but no {CLASS_COLORS[cls]} pixels on the map: {drawn}"
    legend = page.inner_text(f"{MAP} >> xpath=..")
    for text in ("Transformadores: Sin capacidad (0 kW)", "Transformadores: ≥ 10 kW", "Alimentadores: ≥ 3.000 kW"):
        assert text in legend
    table = page.inner_text("#view-capacidad-comuna")
    assert "Umbrales de color" in table and "no reemplazan el estudio de conexión" in table
    assert page.locator("#capacity-dl-transformadores-xlsx").get_attribute("href").endswith("formato=xlsx")

    # Switching comuna re-centres the map on the new comuna's network (a fresh Leaflet map is mounted).
    other = page.locator("#capacity-map-comunas a.btn-outline-primary").first
    name = other.inner_text()
    other.click()
    page.wait_for_selector(f"#view-capacidad-comuna >> text=Capacidad de conexión · {name}")
    page.wait_for_timeout(1500)
    png = page.locator(MAP).screenshot()
    assert sum(colour_pixels(png, c) for c in CLASS_COLORS.values() if c != CLASS_COLORS["unknown"]) > 30
    shot(page, "capacity_map_other_comuna")


def _labels(cls: str) -> tuple[str, ...]:
    return {"none": ("Sin capacidad (0 kW)",), "low": ("< 3 kW", "< 1.000 kW"), "medium": ("3 – 10 kW", "1.000 – 3.000 kW"),
            "high": ("≥ 10 kW", "≥ 3.000 kW"), "unknown": ("sin demanda publicada", "sin datos")}[cls]


def test_transformer_card_from_the_map_table(page, live_server):
    with live_server.app.extensions["db"].session() as s:
        comuna = s.scalar(select(DistributionTransformer.comuna_code).order_by(DistributionTransformer.id).limit(1))
    login(page, live_server.url, "publico")
    page.goto(f"{live_server.url}/capacidad?comuna={comuna}")
    page.wait_for_selector("#view-capacidad-comuna")
    page.locator("#view-capacidad-comuna table a").first.click()
    page.wait_for_selector("#view-capacidad-transformador")
    text = page.inner_text("#view-capacidad-transformador")
    assert "Criterios y criterio limitante" in text and "◀ limitante" in text and "Solicitudes de conexión en trámite" in text
    shot(page, "capacity_transformer_card")

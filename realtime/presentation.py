"""Shared presentation helpers of the real-time views (Lima time, labels, the offline base map)."""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

from auth.policy import roles
from realtime.availability import LIMA
from realtime.clock import as_utc
from reports.model import MapLayer

SUPERVISOR = roles("supervisor", description="CSO supervisor (OSINERGMIN)")
BASE_GEOJSON = Path(__file__).resolve().parent / "data" / "peru_base.geojson"
RT_BREADCRUMB = [("Inicio", "/"), ("Tiempo real", "/tiempo-real")]
ACTIVITY_LABELS = {"exploitation": "Explotación", "processing": "Procesamiento", "transport": "Transporte por ductos"}
KIND_LABELS = {"lote": "Lote", "planta_procesamiento": "Planta de procesamiento", "planta_fraccionamiento": "Planta de fraccionamiento",
               "planta_licuefaccion": "Planta de licuefacción", "estacion": "Estación", "valvula_bloqueo": "Válvula de bloqueo",
               "punto_entrega": "Punto de entrega", "tanque": "Tanque"}


def clock_now(clock=None) -> dt.datetime:
    """The app's real-time clock (tests inject ``ra_rt_clock``)."""
    from flask import current_app, has_app_context

    if clock is not None:
        return clock.now()
    if has_app_context() and current_app.extensions.get("ra_rt_clock") is not None:
        return current_app.extensions["ra_rt_clock"].now()
    from realtime.clock import SystemClock

    return SystemClock().now()


def fmt_ts(value: dt.datetime | None, seconds: bool = True) -> str:
    """Lima local time, ``23-11-2026 10:04:05``."""
    if value is None:
        return "—"
    return as_utc(value).astimezone(LIMA).strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")


def fmt_pct(value: float | None) -> str:
    """``96,4 %`` or an em dash."""
    if value is None:
        return "—"
    return f"{value:.1f} %".replace(".", ",")


@lru_cache(maxsize=1)
def _base_features() -> tuple:
    return tuple(json.loads(BASE_GEOJSON.read_text())["features"])


def base_layer() -> MapLayer:
    """Peru and neighbours (Natural Earth, public domain): the map stays usable without web tiles."""
    return MapLayer("Límites nacionales (base sin conexión)", [dict(f) for f in _base_features()], "polygon",
                    "#8a94a6", weight=1.0, fill_opacity=0.06, legend=False)

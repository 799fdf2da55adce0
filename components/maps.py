"""Interactive maps (dash-leaflet) from a ``MapSection``: usable offline thanks to the comuna base layer."""
from __future__ import annotations

import dash_leaflet as dl
from dash import html
from dash_extensions.javascript import Namespace
from flask import current_app

from reports.model import MapSection

_ns = Namespace("raMap", "layers")


def bounds(section: MapSection) -> list[list[float]] | None:
    """[[south, west], [north, east]] of every non-base feature (falls back to all features)."""
    pts = []
    layers = [l for l in section.layers if l.kind != "polygon"] or section.layers
    for layer in layers:
        for feature in layer.features:
            pts.extend(_points(feature["geometry"]))
    if not pts:
        return None
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    # Pad, and keep at least ~400 m of extent so a single point is shown with its surroundings.
    pad_lon = max(0.002, (0.004 - (max(lons) - min(lons))) / 2)
    pad_lat = max(0.002, (0.004 - (max(lats) - min(lats))) / 2)
    return [[min(lats) - pad_lat, min(lons) - pad_lon], [max(lats) + pad_lat, max(lons) + pad_lon]]


def _points(geom: dict):
    kind, c = geom["type"], geom["coordinates"]
    if kind == "Point":
        return [c]
    if kind in ("LineString", "MultiPoint"):
        return c
    if kind in ("MultiLineString", "Polygon"):
        return [p for ring in c for p in ring]
    if kind == "MultiPolygon":
        return [p for poly in c for ring in poly for p in ring]
    return []


def fit_zoom(b: list[list[float]] | None, height_px: int, width_px: int = 640) -> int:
    """The largest web-mercator zoom that shows the bounds in a map of the given size."""
    import math

    if not b:
        return 8
    lon_span = max(b[1][1] - b[0][1], 1e-5)
    lat_span = max(b[1][0] - b[0][0], 1e-5) / math.cos(math.radians((b[0][0] + b[1][0]) / 2))
    zoom = min(math.log2(width_px / 256 * 360 / lon_span), math.log2(height_px / 256 * 360 / lat_span))
    return max(4, min(18, int(math.floor(zoom))))


def leaflet_map(section: MapSection, map_id: str) -> html.Div:
    """A dash-leaflet map with one GeoJSON layer per MapLayer, a legend and optional web tiles."""
    tiles = current_app.extensions["ra_settings"].tiles_url
    overlays = []
    for i, layer in enumerate(section.layers):
        hideout = {"color": layer.color, "radius": layer.radius, "weight": layer.weight,
                   "fillOpacity": layer.fill_opacity if layer.kind == "polygon" else 0.0}
        # Big layers come from their (cached, compressed) GeoJSON route: the page stays small and each
        # span/pole keeps its own popup. Small layers are embedded.
        source = {"url": layer.url} if layer.url else {"data": {"type": "FeatureCollection", "features": layer.features}}
        geo = dl.GeoJSON(**source, id=f"{map_id}-layer-{i}", hideout=hideout,
                         pointToLayer=_ns("point") if layer.kind == "point" else None,
                         # The style function would reset circle markers' fill (fillOpacity 0): lines/polygons only.
                         style=_ns("style") if layer.kind != "point" else None)
        overlays.append(dl.Overlay(geo, name=layer.name, checked=True))
    children = [dl.LayersControl([dl.BaseLayer(dl.TileLayer(url=tiles, maxZoom=19, attribution="© OpenStreetMap"),
                                               name="Mapa web (requiere internet)", checked=True), *overlays]),
                dl.ScaleControl(position="bottomleft", imperial=False)]
    legend = html.Div([html.Div([html.Span(className="legend-swatch", style={"background": l.color}), l.name])
                       for l in section.layers if l.legend], className="map-legend mt-2")
    b = bounds(section)
    center = [(b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2] if b else [-33.0, -71.0]
    m = dl.Map(children, id=map_id, center=center, zoom=fit_zoom(b, section.height), preferCanvas=True,
               style={"height": f"{section.height}px", "width": "100%"})
    return html.Div([m, legend, html.Small(section.note, className="text-muted") if section.note else None])

"""Chart styling (colour-blind-safe, es-CL separators) and vector export through a persistent kaleido.

kaleido 1.x drives Chromium; starting its sync server once per process makes each export
~0.25 s instead of ~2 s. The server is one thread per process, so calls are serialised.
"""
from __future__ import annotations

import math
import threading

import plotly.graph_objects as go
import plotly.io as pio

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
_lock = threading.Lock()
_server_started = False


class ChartExportError(RuntimeError):
    """kaleido could not render a figure."""


def _house_template() -> go.layout.Template:
    """The house template: plotly_white's look (axes, grid, backgrounds) without its heavy defaults.

    ``plotly_white`` carries colour scales, polar/ternary/3-D/geo settings and per-trace defaults that
    every figure would copy, validate and ship (~7 KB a chart, ~10 ms to apply); this keeps only what
    bar/line/scatter charts use, plus the house settings, so each chart costs ~1 ms and a few hundred bytes.
    """
    white = pio.templates["plotly_white"].layout.to_plotly_json()
    axis = {k: white["xaxis"][k] for k in ("gridcolor", "linecolor", "zerolinecolor", "ticks", "automargin",
                                           "zerolinewidth", "title") if k in white["xaxis"]}
    return go.layout.Template(layout=dict(
        paper_bgcolor=white["paper_bgcolor"], plot_bgcolor=white["plot_bgcolor"], hoverlabel=white["hoverlabel"],
        font=dict(family="DejaVu Sans, Arial, sans-serif", size=12, color=white["font"]["color"]),
        xaxis=axis, yaxis={**axis, "tickformat": ",~r", "separatethousands": True}, colorway=PALETTE,
        separators=",.", margin=dict(l=60, r=60, t=30, b=60), hovermode="x unified",
        legend=dict(orientation="h", yanchor="top", y=-0.15, xanchor="left", x=0)))


HOUSE_TEMPLATE = "red_abierta"
pio.templates[HOUSE_TEMPLATE] = _house_template()


def styled(fig: go.Figure, *, height: int = 380, yaxis_title: str | None = None) -> go.Figure:
    """Apply the house style: white background, es-CL separators, Spanish-friendly hover, legend below."""
    fig.update_layout(template=HOUSE_TEMPLATE, height=height)
    if yaxis_title:
        fig.update_yaxes(title_text=yaxis_title)
    return fig


def _ensure_server() -> None:
    global _server_started
    if not _server_started:
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        _server_started = True


def figure_pdf(fig: go.Figure, width: int = 900, height: int | None = None) -> bytes:
    """The figure as a one-page vector PDF (text as embedded fonts), ``width`` x ``height`` CSS px at 0.75 pt/px."""
    try:
        with _lock:
            _ensure_server()
            data = pio.to_image(fig, format="pdf", width=width, height=height or fig.layout.height or 380)
    except Exception as exc:  # noqa: BLE001 - kaleido raises several types
        raise ChartExportError(f"No se pudo generar el gráfico: {exc}") from exc
    return data


def map_figure(section) -> go.Figure:
    """A static vector map of a MapSection (lon/lat with a local equal-area aspect), for print/PDF."""
    fig = go.Figure()
    lats = []
    for layer in section.layers:
        xs, ys = [], []
        for feature in layer.features:
            geom = feature["geometry"]
            for ring in _lines(geom):
                xs.extend([p[0] for p in ring] + [None])
                ys.extend([p[1] for p in ring] + [None])
        lats.extend(y for y in ys if y is not None)
        if layer.kind == "point":
            fig.add_trace(go.Scatter(x=xs[::2] if False else [x for x in xs if x is not None],
                                     y=[y for y in ys if y is not None], mode="markers", name=layer.name,
                                     marker=dict(size=max(4, layer.radius + 1), color=layer.color,
                                                 line=dict(width=0.5, color="#333")),
                                     showlegend=layer.legend))
        else:
            fill = "toself" if layer.kind == "polygon" else None
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=layer.name, fill=fill,
                                     line=dict(color=layer.color, width=layer.weight if layer.kind == "line" else 1),
                                     fillcolor=_rgba(layer.color, layer.fill_opacity) if fill else None,
                                     showlegend=layer.legend))
    mid = sum(lats) / len(lats) if lats else -33.0
    fig.update_layout(template="simple_white", height=section.height, margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", y=-0.02, yanchor="top"), separators=",.")
    from components.maps import bounds

    # Frame the assets like the interactive map does (the comuna base polygon may be much larger).
    frame = bounds(section)
    if frame:
        fig.update_xaxes(range=[frame[0][1], frame[1][1]])
        fig.update_yaxes(range=[frame[0][0], frame[1][0]], constrain="domain")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(mid)))
    return fig


def _lines(geom: dict):
    kind, coords = geom["type"], geom["coordinates"]
    if kind == "Point":
        return [[coords]]
    if kind == "MultiPoint":
        return [[c] for c in coords]
    if kind in ("LineString",):
        return [coords]
    if kind in ("MultiLineString", "Polygon"):
        return coords
    if kind == "MultiPolygon":
        return [ring for poly in coords for ring in poly]
    return []


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"

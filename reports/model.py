"""The structure of a view: a title, a breadcrumb and sections (key-values, tables, charts, maps, text)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

from services.formatting import fmt_clp, fmt_date, fmt_month, fmt_number


@dataclass
class Column:
    """A table column: ``kind`` picks the es-CL format (text, int, number, clp, date, month, link)."""

    key: str
    label: str
    kind: str = "text"
    decimals: int = 0
    href_key: str | None = None  # for kind="link": the row key holding the URL

    def format(self, row: dict) -> str:
        """The cell text for ``row`` in es-CL format."""
        value = row.get(self.key)
        if value is None:
            return "—"
        if self.kind in ("int", "number"):
            return fmt_number(value, self.decimals if self.kind == "number" else 0)
        if self.kind == "clp":
            return fmt_clp(value)
        if self.kind == "date":
            return fmt_date(value) if isinstance(value, dt.date) else str(value)
        if self.kind == "month":
            return fmt_month(value) if isinstance(value, dt.date) else str(value)
        if isinstance(value, bool):
            return "Sí" if value else "No"
        return str(value)

    @property
    def numeric(self) -> bool:
        """True for right-aligned numeric columns."""
        return self.kind in ("int", "number", "clp")


class Link(str):
    """A formatted value that links somewhere on the page (plain text in PDF, CSV and JSON ``value``)."""

    def __new__(cls, text: str, href: str, download: bool = False):
        obj = super().__new__(cls, text)
        obj.href = href
        obj.download = download  # a file: a plain anchor, not client-side navigation
        return obj

    def __getnewargs__(self):  # pickling (shared views are cached in Redis)
        return str(self), self.href, self.download


@dataclass
class KeyValues:
    """A two-column list of labelled values (already formatted strings; a ``Link`` renders as a link)."""

    title: str
    items: list[tuple[str, str]]
    key: str = "datos"
    width: int = 12


@dataclass
class Table:
    """A grid; ``key`` names its CSV download. ``total`` counts all matching rows when paginated."""

    title: str
    key: str
    columns: list[Column]
    rows: list[dict]
    total: int | None = None
    note: str = ""
    width: int = 12
    empty_text: str = "Sin registros."


@dataclass
class Chart:
    """A Plotly figure (rendered as vector SVG in PDFs)."""

    title: str
    figure: go.Figure
    key: str = "grafico"
    height: int = 380
    width: int = 12


@dataclass
class MapLayer:
    """GeoJSON features in lon/lat (EPSG:4326) drawn with one style; ``kind`` is line, point or polygon.

    ``url``: the interactive map loads this layer's detailed features (one per asset, with popups) from
    that GeoJSON route instead of embedding ``features``, which then only serve print, bounds and JSON.
    """

    name: str
    features: list[dict]
    kind: str
    color: str
    radius: int = 5
    weight: float = 2.0
    fill_opacity: float = 0.15
    legend: bool = True
    url: str | None = None


@dataclass
class MapSection:
    """A georeferenced map made of layers (the first polygon layer is the offline base)."""

    title: str
    layers: list[MapLayer]
    key: str = "mapa"
    height: int = 460
    width: int = 12
    note: str = ""


@dataclass
class Text:
    """Explanatory paragraphs."""

    title: str
    paragraphs: list[str]
    key: str = "texto"
    width: int = 12


Section = KeyValues | Table | Chart | MapSection | Text


@dataclass
class Report:
    """Everything a view shows; rendered to page, PDF, CSV and JSON."""

    view: str
    title: str
    params: dict[str, Any]
    sections: list[Section]
    breadcrumb: list[tuple[str, str | None]] = field(default_factory=list)
    subtitle: str = ""
    company: str = ""
    as_of: str = ""
    cache_key: str = ""  # set for shared views: identifies this exact content (view, params, data version)

    def table(self, key: str) -> Table | None:
        """The table section with ``key``."""
        return next((s for s in self.sections if isinstance(s, Table) and s.key == key), None)

    def to_dict(self) -> dict:
        """The JSON twin: raw values (not formatted), charts as their data, maps as GeoJSON."""
        out = {"view": self.view, "title": self.title, "params": self.params, "subtitle": self.subtitle,
               "company": self.company, "as_of": self.as_of,
               "breadcrumb": [{"label": label, "href": href} for label, href in self.breadcrumb], "sections": []}
        for s in self.sections:
            if isinstance(s, KeyValues):
                out["sections"].append({"type": "key_values", "key": s.key, "title": s.title,
                                        "items": [{"label": k, "value": str(v), **({"href": v.href} if isinstance(v, Link) else {})}
                                                  for k, v in s.items]})
            elif isinstance(s, Table):
                out["sections"].append({"type": "table", "key": s.key, "title": s.title, "total": s.total,
                                        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in s.columns],
                                        "rows": [{c.key: _json_value(r.get(c.key)) for c in s.columns} for r in s.rows]})
            elif isinstance(s, Chart):
                out["sections"].append({"type": "chart", "key": s.key, "title": s.title,
                                        "series": [{"name": t.name, "x": _json_list(t.x), "y": _json_list(t.y)}
                                                   for t in s.figure.data]})
            elif isinstance(s, MapSection):
                out["sections"].append({"type": "map", "key": s.key, "title": s.title, "layers": [
                    {"name": layer.name, "kind": layer.kind, **({"detail_url": layer.url} if layer.url else {}),
                     "geojson": {"type": "FeatureCollection", "features": layer.features}} for layer in s.layers]})
            elif isinstance(s, Text):
                out["sections"].append({"type": "text", "key": s.key, "title": s.title, "paragraphs": s.paragraphs})
        return out


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _json_list(values):
    return [] if values is None else [_json_value(v) for v in values]

"""KMZ documents (zipped KML 2.2) built in memory with fastkml.

Pure: folders of placemarks in WGS84 lon/lat (EPSG:4326, the only CRS KML allows) in, bytes out.
Callers reproject recorded (x, y, datum, zone) locations with ``geo.crs`` first. Nothing touches
the file system, so a failure leaves no partial file behind. KML colours are ``aabbggrr``.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from fastkml import KML, Data, Document, ExtendedData, Folder, IconStyle, LabelStyle, LineStyle, Placemark, Style, StyleUrl
from fastkml.links import Icon
from pygeoif.geometry import LineString, Point

KML_NS = "{http://www.opengis.net/kml/2.2}"
# Google Earth's stock round pushpin; offline viewers fall back to their default symbol.
DEFAULT_ICON = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"


class KmzError(ValueError):
    """Invalid input for a KMZ document (e.g. a coordinate outside WGS84 ranges)."""


def kml_color(hex_rgb: str, alpha: int = 255) -> str:
    """``#D55E00`` -> ``ff005ed5`` (KML orders alpha, blue, green, red)."""
    value = hex_rgb.lstrip("#")
    if len(value) != 6:
        raise KmzError(f"color inválido: {hex_rgb}")
    r, g, b = value[0:2], value[2:4], value[4:6]
    return f"{alpha:02x}{b}{g}{r}".lower()


@dataclass
class PlanPlacemark:
    """One asset: a point (one lon/lat pair) or a line (two or more), with its attributes."""

    name: str
    coords: list[tuple[float, float]]
    attributes: dict[str, str] = field(default_factory=dict)
    style_id: str | None = None  # overrides the folder's style
    description: str = ""


@dataclass
class PlanFolder:
    """A folder of placemarks sharing one style (``kind``: point or line)."""

    name: str
    style_id: str
    color: str  # #RRGGBB
    kind: str
    placemarks: list[PlanPlacemark] = field(default_factory=list)
    width: float = 2.5
    description: str = ""


def _style(style_id: str, color: str, kind: str, width: float) -> Style:
    # The KML 2.2 schema fixes the order of sub-styles: Icon, Label, Line.
    if kind == "line":
        parts = [LabelStyle(scale=0.0), LineStyle(color=kml_color(color), width=width)]
    else:
        parts = [IconStyle(color=kml_color(color), scale=0.9, icon=Icon(href=DEFAULT_ICON)), LabelStyle(scale=0.7)]
    return Style(id=style_id, styles=parts)


def _geometry(pm: PlanPlacemark, kind: str):
    for lon, lat in pm.coords:
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise KmzError(f"coordenada fuera de rango en {pm.name}: {lon}, {lat}")
    if kind == "line":
        if len(pm.coords) < 2:
            raise KmzError(f"la línea {pm.name} necesita al menos dos puntos")
        return LineString(pm.coords)
    return Point(*pm.coords[0])


def field_name(label: str) -> str:
    """A GIS-friendly attribute name from a Spanish label: ``Largo (m)`` -> ``largo_m``."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "campo"


def _placemark(pm: PlanPlacemark, folder: PlanFolder) -> Placemark:
    # name: a stable field name for QGIS/ogr; displayName: the Spanish label Google Earth shows.
    data = ExtendedData(elements=[Data(name=field_name(k), display_name=k, value=str(v))
                                  for k, v in pm.attributes.items()])
    return Placemark(name=pm.name, description=pm.description or None,
                     style_url=StyleUrl(url=f"#{pm.style_id or folder.style_id}"),
                     extended_data=data, geometry=_geometry(pm, folder.kind))


def build_kml(name: str, folders: list[PlanFolder], description: str = "",
              extra_styles: list[tuple[str, str, str, float]] = ()) -> KML:
    """A KML document with one styled folder per ``PlanFolder`` (``extra_styles``: (id, color, kind, width))."""
    styles = [_style(f.style_id, f.color, f.kind, f.width) for f in folders]
    styles += [_style(sid, color, kind, width) for sid, color, kind, width in extra_styles]
    kml_folders = [Folder(id=f"carpeta-{f.style_id}", name=f.name, description=f.description or None,
                          features=[_placemark(pm, f) for pm in f.placemarks]) for f in folders]
    document = Document(name=name, description=description or None, styles=styles, features=kml_folders)
    return KML(features=[document])


def kmz_bytes(kml: KML) -> bytes:
    """Zip a KML document as ``doc.kml`` (the KMZ convention) in memory."""
    text = kml.to_string(prettyprint=False, precision=7)  # 1e-7 degrees is about 1 cm
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as kmz:
        kmz.writestr("doc.kml", '<?xml version="1.0" encoding="UTF-8"?>\n' + text)
    return buffer.getvalue()


def read_kmz(data: bytes) -> KML:
    """Parse KMZ bytes back into a fastkml document (tests and round-trip checks)."""
    with zipfile.ZipFile(io.BytesIO(data)) as kmz:
        return KML.from_string(kmz.read("doc.kml"))

"""KMZ plan of a feeder: valid KML 2.2 with a folder per asset type, right counts and correct reprojection."""
from __future__ import annotations

import io
import math
import zipfile

import lxml.etree as etree
import pytest
from fastkml.validator import get_schema_parser
from pyproj import Transformer
from sqlalchemy import func, select

from data.models import DistributionTransformer, Equipment, Feeder, Pole, Span
from geo.crs import from_wgs84, to_wgs84
from geo.kmz import KmzError, PlanFolder, PlanPlacemark, build_kml, field_name, kml_color, kmz_bytes, read_kmz

NS = {"k": "http://www.opengis.net/kml/2.2"}
FOLDERS = {"Vanos": None, "Equipos de protección y maniobra": ("protection", "switching"),
           "Transformadores de distribución": None, "Equipos de compensación": ("compensation",),
           "Reguladores de tensión": ("regulator",), "Autotransformadores": ("autotransformer",)}


def test_colours_are_aabbggrr_and_field_names_are_gis_friendly():
    assert kml_color("#D55E00") == "ff005ed5"
    assert kml_color("#0072B2", alpha=128) == "80b27200"
    assert field_name("Sección (mm²)") == "seccion_mm2" and field_name("Largo (m)") == "largo_m"
    with pytest.raises(KmzError):
        kml_color("rojo")


def test_synthetic_document_round_trips_through_fastkml_and_the_kml_schema():
    folders = [PlanFolder("Vanos", "v", "#D55E00", "line",
                          [PlanPlacemark("V-1", [(-71.25, -32.88), (-71.251, -32.881)], {"Largo (m)": "141,2"})]),
               PlanFolder("Equipos", "e", "#56B4E9", "point", [PlanPlacemark("EQ-1", [(-71.25, -32.88)], {"Tipo": "Reconectador"})])]
    data = kmz_bytes(build_kml("Plano de prueba", folders))
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["doc.kml"]
    doc = read_kmz(data).features[0]
    assert [f.name for f in doc.features] == ["Vanos", "Equipos"]
    span = doc.features[0].features[0]
    assert span.geometry.coords == ((-71.25, -32.88), (-71.251, -32.881))
    assert [(d.name, d.display_name, d.value) for d in span.extended_data.elements] == [("largo_m", "Largo (m)", "141,2")]
    assert get_schema_parser().validate(etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("doc.kml")))


def test_invalid_coordinates_fail_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = [PlanFolder("Equipos", "e", "#000000", "point", [PlanPlacemark("X", [(float("nan"), -33.0)])])]
    with pytest.raises(KmzError, match="fuera de rango"):
        kmz_bytes(build_kml("x", bad))
    assert list(tmp_path.iterdir()) == []


def _add_missing_equipment(session, feeder_id: int) -> dict[str, int]:
    """Give the feeder one asset of every equipment category (and one PSAD56-recorded regulator)."""
    poles = list(session.scalars(select(Pole).where(Pole.feeder_id == feeder_id).order_by(Pole.id).limit(6)))
    specs = [("protection", "Reconectador", "A"), ("switching", "Desconectador cuchillo", "A"),
             ("compensation", "Banco de condensadores", "kVAr"), ("regulator", "Regulador de tensión", "A"),
             ("autotransformer", "Autotransformador", "kVA")]
    added = {}
    for i, (category, kind, unit) in enumerate(specs):
        pole = poles[i]
        x, y, datum, zone = pole.x, pole.y, pole.datum, pole.zone
        if category == "regulator":
            lon, lat = to_wgs84(pole.x, pole.y, pole.datum, pole.zone)
            x, y = from_wgs84(lon, lat, "PSAD56", "19S")
            datum, zone = "PSAD56", "19S"
        eq = Equipment(company_id=pole.company_id, feeder_id=feeder_id, pole_id=pole.id, code=f"EQ-TEST-{i}",
                       category=category, kind=kind, capacity=100 + i, capacity_unit=unit, connection="Estrella",
                       operating_mode="Normal cerrado", voltage_setpoints="122/126 V" if category == "regulator" else None,
                       ratio="23/13,2 kV" if category == "autotransformer" else None, vnr_code="EQ-REC",
                       x=x, y=y, datum=datum, zone=zone)
        session.add(eq)
        added[category] = eq
    session.flush()
    return {k: v.id for k, v in added.items()}


def _psad56_to_wgs84_by_hand(x: float, y: float) -> tuple[float, float]:
    """Independent check: UTM 19S on International 1924, then the published EPSG:6972 shift (-328, 340, -329 m)."""
    pipeline = Transformer.from_pipeline(
        "+proj=pipeline +step +inv +proj=utm +zone=19 +south +ellps=intl +step +proj=cart +ellps=intl "
        "+step +proj=helmert +x=-328 +y=340 +z=-329 +step +inv +proj=cart +ellps=WGS84 "
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg")
    return pipeline.transform(x, y)


def _metres(a, b) -> float:
    dlat = (a[1] - b[1]) * 111_320
    dlon = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(dlat, dlon)


def test_feeder_kmz_has_every_asset_type_right_counts_and_reprojected_psad56(app, auth):
    with app.extensions["db"].session() as s:
        feeder_id = s.scalar(select(Feeder.id).where(Feeder.comuna_code.in_(select(Pole.comuna_code)))
                             .order_by(Feeder.id))
        added = _add_missing_equipment(s, feeder_id)
        counts = {"Vanos": s.scalar(select(func.count()).select_from(Span).where(Span.feeder_id == feeder_id)),
                  "Transformadores de distribución": s.scalar(select(func.count()).select_from(DistributionTransformer)
                                                              .where(DistributionTransformer.feeder_id == feeder_id))}
        for name, categories in FOLDERS.items():
            if categories:
                counts[name] = s.scalar(select(func.count()).select_from(Equipment).where(
                    Equipment.feeder_id == feeder_id, Equipment.category.in_(categories)))
        regulator = s.get(Equipment, added["regulator"])
        recorded = (regulator.x, regulator.y)
        feeder_code = s.get(Feeder, feeder_id).code
    url = f"/red/alimentador/{feeder_id}/plano.kmz"
    assert auth.client.get(url).status_code == 302  # anonymous: sign in first
    auth.login("publico")
    response = auth.client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/vnd.google-earth.kmz"
    assert f'filename="plano-{feeder_code}.kmz"' in response.headers["Content-Disposition"]
    raw = zipfile.ZipFile(io.BytesIO(response.data)).read("doc.kml")
    tree = etree.fromstring(raw)
    assert get_schema_parser().validate(tree), get_schema_parser().error_log
    document = read_kmz(response.data).features[0]
    by_name = {f.name: f for f in document.features}
    assert set(FOLDERS) <= set(by_name)
    for name in FOLDERS:
        assert len(by_name[name].features) == counts[name] > 0, name
    # lxml sees the same structure: one Style per folder and styleUrls that resolve.
    style_ids = {s.get("id") for s in tree.iterfind(".//k:Style", NS)}
    assert all(u.text.lstrip("#") in style_ids for u in tree.iterfind(".//k:styleUrl", NS))
    span = by_name["Vanos"].features[0]
    attributes = {d.display_name: d.value for d in span.extended_data.elements}
    assert {"Largo (m)", "Conductor", "Nodo origen", "Nodo destino", "Código VNR"} <= set(attributes)
    assert span.geometry.geom_type == "LineString" and len(span.geometry.coords) == 2
    # The PSAD56 regulator lands where the published regional transform puts it, not 400 m away.
    placemark = next(p for p in by_name["Reguladores de tensión"].features if p.name == "EQ-TEST-3")
    where = placemark.geometry.coords[0]
    expected = _psad56_to_wgs84_by_hand(*recorded)
    naive = to_wgs84(*recorded, "WGS84", "19S")
    assert _metres(where, expected) < 2.0
    assert _metres(where, naive) > 250.0
    assert "PSAD56" in {d.display_name: d.value for d in placemark.extended_data.elements}["Ubicación registrada"]


def test_unknown_feeder_is_404(shared_auth):
    shared_auth.login("publico")
    assert shared_auth.client.get("/red/alimentador/999999/plano.kmz").status_code == 404

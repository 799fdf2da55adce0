"""The shared report mechanism: one view -> JSON twin, PDF with charts and map, CSV; policies enforced."""
from __future__ import annotations

import io

from pypdf import PdfReader

from reports.csvexport import safe_cell


def test_json_twin_requires_login_and_lists_companies(shared_auth):
    client = shared_auth.client
    assert client.get("/api/v1/vistas/distribuidoras").status_code == 401
    shared_auth.login("publico")
    data = client.get("/api/v1/vistas/distribuidoras").json
    table = next(s for s in data["sections"] if s["type"] == "table")
    names = {row["name"] for row in table["rows"]}
    assert names == {"Distribuidora Eléctrica del Aconcagua S.A.", "Compañía Eléctrica del Maule S.A."}
    assert all(row["transformers"] > 0 for row in table["rows"])


def test_unknown_parameter_is_a_clear_400(shared_auth):
    shared_auth.login("publico")
    response = shared_auth.client.get("/api/v1/vistas/distribuidoras?x=1")
    assert response.status_code == 400 and "Parámetros desconocidos" in response.json["error"]


def test_pdf_has_the_view_fields_footer_and_page_numbers(shared_auth):
    shared_auth.login("publico")
    response = shared_auth.client.get("/reportes/distribuidoras.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("Distribuidoras y zonas de concesión", "Compañía Eléctrica del Maule", "Transformadores",
                     "Usuario: publico", "Página 1 de"):
        assert expected in text


def test_csv_download_of_a_table(shared_auth):
    shared_auth.login("publico")
    response = shared_auth.client.get("/reportes/distribuidoras.csv?tabla=empresas")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffEmpresa;RUT;Regiones") and "Maule" in body
    assert shared_auth.client.get("/reportes/distribuidoras.csv?tabla=nada").status_code == 404


def test_supervisor_cannot_read_the_network_views(shared_auth):
    shared_auth.login("supervisor")
    assert shared_auth.client.get("/api/v1/vistas/distribuidoras").status_code == 403
    assert shared_auth.client.get("/reportes/distribuidoras.pdf").status_code == 403


def test_csv_cells_cannot_become_formulas():
    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("+56 9 1234") == "'+56 9 1234"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-12,5") == "-12,5"
    assert safe_cell("Quillota") == "Quillota"


def test_view_access_is_logged(app, auth):
    from sqlalchemy import select

    from data.models import AccessLog

    auth.login("sec")
    auth.client.get("/api/v1/vistas/distribuidoras")
    with app.extensions["db"].session() as s:
        rows = s.scalars(select(AccessLog).where(AccessLog.action == "view")).all()
        assert [(r.username, r.target) for r in rows] == [("sec", "distribuidoras")]


def test_reports_survive_pickling_for_the_shared_cache():
    """Shared views are stored pickled in Redis: every section type (links included) must round-trip."""
    import pickle

    import plotly.graph_objects as go

    from reports.model import Chart, KeyValues, Link, MapLayer, MapSection, Report, Table, Column, Text

    report = Report("v", "Título", {"id": 1}, [
        KeyValues("Datos", [("Plano", Link("Descargar", "/x.kmz", download=True)), ("Nombre", "A")]),
        Table("T", "t", [Column("code", "Código", "link", href_key="href")], [{"code": "A", "href": "/a"}], total=1),
        Chart("C", go.Figure(go.Bar(x=[1], y=[2])), "c"),
        MapSection("M", [MapLayer("L", [], "point", "#000")], "m"),
        Text("X", ["p"]),
    ])
    again = pickle.loads(pickle.dumps(report))
    link = again.sections[0].items[0][1]
    assert isinstance(link, Link) and (str(link), link.href, link.download) == ("Descargar", "/x.kmz", True)
    assert again.to_dict() == report.to_dict()

"""A client and an EG client in Chromium: every section, every kind of PDF downloaded and read back."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.browser.conftest import SHOTS, login, shot


def _held(app, username):
    from data.models import Client, User, UserSupply

    with app.extensions["db"].session() as s:
        return [(c.id, c.name, c.client_number) for c in s.scalars(
            select(Client).join(UserSupply, UserSupply.client_id == Client.id).join(User, User.id == UserSupply.user_id)
            .where(User.username == username).order_by(Client.id))]


def _pdf_text(path: str) -> str:
    reader = PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def _save(page, button="#report-save") -> str:
    with page.expect_download(timeout=60_000) as info:
        page.click(button)
    return str(info.value.path())


def _open(page, selector, heading):
    page.click(selector)
    page.wait_for_selector(f"h1:has-text('{heading}')")


def test_client_sees_each_section_and_saves_each_pdf(live_server, page):
    (cid, name, number), _second = _held(live_server.app, "cliente")
    login(page, live_server.url, "cliente")
    page.goto(f"{live_server.url}/mis-suministros")
    page.wait_for_selector(f"#supply-open-{cid}")
    assert page.locator("#supplies-list .card").count() == 2
    shot(page, "client-00-mis-suministros")
    page.click(f"#supply-open-{cid}")
    page.wait_for_selector("h1:has-text('Ficha del suministro')")
    page.wait_for_selector(".js-plotly-plot")
    assert page.url.endswith(f"/cliente/{cid}")
    shot(page, "client-01-ficha")
    text = _pdf_text(_save(page))
    assert all(s in text for s in ("Ficha del suministro", name, "RUT cliente", "Capacidad de empalme", "Consumo (kWh)"))
    expected = {"general": ("Información general", ("Fecha de facturación", "Comuna", "Región", name)),
                "tecnica": ("Información técnica", ("Capacidad del transformador", "Tensión del transformador", "kVA")),
                "consumos": ("Consumos y cargos", ("Detalle mensual", "Total", "Cargos ($)"))}
    for i, (key, (heading, strings)) in enumerate(expected.items(), start=2):
        _open(page, f"#client-section-nav-{key}", heading)
        if key == "consumos":
            page.wait_for_selector(".js-plotly-plot")
            assert page.locator("#view-cliente-consumos tbody tr").count() == 37  # 36 months + total
        shot(page, f"client-{i:02d}-{key}")
        text = _pdf_text(_save(page))
        assert heading in text and number in text and all(s in text for s in strings), key
        assert "Usuario: cliente" in text


def _eg_ids(app, client_id):
    from data.models import ConnectionDocument, GenerationInstallation, InjectionAnnex, Invoice

    with app.extensions["db"].session() as s:
        inv = s.scalar(select(Invoice.number).where(Invoice.client_id == client_id).order_by(Invoice.period.desc()))
        ann = s.scalar(select(InjectionAnnex.number).where(InjectionAnnex.client_id == client_id)
                       .order_by(InjectionAnnex.period.desc()))
        inst = s.scalar(select(GenerationInstallation).where(GenerationInstallation.client_id == client_id))
        kinds = set(s.scalars(select(ConnectionDocument.kind).where(ConnectionDocument.installation_id == inst.id)))
        return inv, ann, inst.code, kinds


EG_SECTIONS = {
    "general": ("I. Información general", ("RUT cliente", "Fecha de facturación")),
    "tecnica": ("II. Información técnica", ("Capacidad de empalme", "Potencia del inversor")),
    "consumos": ("III. Consumos y cargos históricos", ("Cargos netos", "Detalle mensual")),
    "inyecciones": ("IV. Consumos e inyecciones", ("Inyección (kWh)", "Total")),
    "remanentes": ("VII. Remanentes", ("Forma de liquidación según contrato", "Próxima liquidación", "Contabilidad de remanentes")),
    "medidor": ("VIII. Display y medidor", ("1-0:1.8.0*255", "1-0:2.8.0*255", "Energía activa inyectada")),
    "documentos": ("IX. Copia de documentos", ("Contrato de conexión", "Protocolo de conexión", "UTM", "WGS84")),
    "ficha": ("Ficha del suministro EG", ("Información general", "Inyección (kWh)", "Registros almacenados")),
}


def test_eg_client_sees_all_nine_sections_and_every_pdf(live_server, page):
    [(cid, name, number)] = _held(live_server.app, "cliente_eg")
    invoice, annex, eg_code, kinds = _eg_ids(live_server.app, cid)
    login(page, live_server.url, "cliente_eg")
    page.goto(f"{live_server.url}/mis-suministros")
    page.wait_for_selector("h1:has-text('I. Información general')")  # one supply: straight to it
    assert page.url.endswith(f"/cliente-eg/{cid}")
    for i, (key, (heading, strings)) in enumerate(EG_SECTIONS.items(), start=1):
        _open(page, f"#eg-client-section-nav-{key}", heading)
        if key in ("consumos", "inyecciones"):
            page.wait_for_selector(".js-plotly-plot")
        if key == "documentos":
            page.wait_for_selector(".leaflet-container")
        shot(page, f"eg-{i:02d}-{key}")
        text = _pdf_text(_save(page))
        assert heading in text and name in text and all(s in text for s in strings), key

    # V: lists, search, an invoice and an annex (their own printed forms).
    _open(page, "#eg-client-section-nav-boletas", "V. Boletas/facturas y anexos de inyecciones")
    assert page.locator("#view-cliente-eg-boletas tbody").first.locator("tr").count() == 36
    shot(page, "eg-05-boletas")
    page.fill("#eg-client-search-number", invoice)
    page.click("#eg-client-search-submit")
    page.wait_for_selector("text=Resultado de la búsqueda")
    assert page.get_by_role("link", name=invoice, exact=True).count() == 1
    shot(page, "eg-05b-busqueda")
    text = _pdf_text(_save(page))
    assert invoice in text and "Resultado de la búsqueda" in text
    page.get_by_role("link", name=invoice, exact=True).click()
    page.wait_for_selector(f"h1:has-text('{invoice}')")
    shot(page, "eg-05c-boleta")
    boleta_pdf = _save(page)
    text = _pdf_text(boleta_pdf)
    for s in ("BOLETA ELECTRÓNICA", invoice, name, "R.U.T.", "Lectura anterior", "Descuento por inyecciones",
              "IVA (19%)", "TOTAL A PAGAR", "Cargo por energía"):
        assert s in text, s
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", boleta_pdf, str(SHOTS / "eg-boleta-pdf")], check=True)
    assert (SHOTS / "eg-boleta-pdf.png").stat().st_size > 10_000
    page.goto(f"{live_server.url}/cliente-eg/{cid}?seccion=boletas&anexo={annex}")
    page.wait_for_selector(f"h1:has-text('{annex}')")
    shot(page, "eg-05d-anexo")
    text = _pdf_text(_save(page))
    assert all(s in text for s in ("ANEXO DE INYECCIONES", annex, "Energía inyectada valorizada", "REMANENTE ACUMULADO"))

    # VI: both histories as PDF.
    _open(page, "#eg-client-section-nav-historial", "Historial de lectura de consumo e inyecciones")
    shot(page, "eg-06-historial-lecturas")
    text = _pdf_text(_save(page))
    assert "Consumo: lectura anterior" in text and "Inyección: lectura actual" in text
    _open(page, "#eg-client-history-nav-facturacion", "Historial de facturación de consumo e inyecciones")
    shot(page, "eg-06b-historial-facturacion")
    text = _pdf_text(_save(page))
    assert invoice in text and "Valor inyección" in text

    # VII pagination: page 2 has its own URL and content.
    _open(page, "#eg-client-section-nav-remanentes", "VII. Remanentes")
    page.click("#eg-client-pager-2")
    page.wait_for_selector("text=página 2 de")
    assert "pagina=2" in page.url

    # IX: each connection document as PDF.
    labels = {"contract": ("contrato", "Contrato de conexión", "Cláusulas"), "protocol": ("protocolo", "Protocolo de conexión", "Protección anti-isla"),
              "study": ("estudio", "Estudio de conexión", "Conclusión")}
    for kind in sorted(kinds):
        slug, title, marker = labels[kind]
        page.goto(f"{live_server.url}/cliente-eg/{cid}?seccion=documentos&documento={slug}")
        page.wait_for_selector(f"h1:has-text('{title}')")
        shot(page, f"eg-09-{slug}")
        text = _pdf_text(_save(page))
        assert title in text and marker in text and eg_code in text


def test_eg_client_cannot_open_another_supply_in_the_browser(live_server, page):
    (other, name, _), _ = _held(live_server.app, "cliente")
    login(page, live_server.url, "cliente_eg")
    page.goto(f"{live_server.url}/cliente/{other}")
    page.wait_for_selector("text=No se encontró")
    assert name not in page.content()

"""A registered public user drills down REGION > COMUNA > ... > TRANSFORMADOR, opens every detail,
searches poles/spans/equipment in a feeder and saves each detail as PDF."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.browser.conftest import SHOTS, login, shot


def choose(page, ident: str, label: str) -> None:
    """Pick an option of a Dash dropdown as a person would (open it, click the option)."""
    page.click(f"#{ident}")
    page.get_by_role("option", name=label, exact=True).click()
    page.wait_for_selector(f"#{ident}-value:has-text('{label}')")


def buscar(page, url_pattern: str) -> None:
    page.click("#net-filter-search")
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_selector("[id^=view-] h1")


def pdf_text(page, name: str) -> str:
    with page.expect_download(timeout=120_000) as info:  # the first PDF starts kaleido's Chromium
        page.click("#report-save")
    path = SHOTS / f"{name}.pdf"
    SHOTS.mkdir(parents=True, exist_ok=True)
    info.value.save_as(path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    return re.sub(r"\s+", " ", text.replace("\u2010\n", ""))  # undo header hyphenation and line breaks


def test_public_user_filters_down_to_a_transformer_and_opens_every_detail(live_server, page):
    base = live_server.url
    login(page, base, "publico")
    page.goto(f"{base}/red/buscar")
    page.wait_for_selector("#net-filter-region")
    shot(page, "network_filter_empty")
    page.click("#net-filter-search")
    page.wait_for_selector("#net-filter-msg:has-text('Seleccione al menos la región y la comuna')")
    shot(page, "network_filter_required")

    # Level 1: substations of a comuna (fig. 6); the URL restores the view on reload.
    choose(page, "net-filter-region", "Valparaíso")
    choose(page, "net-filter-comuna", "Quillota")
    buscar(page, r"/red/comuna/05501/subestaciones$")
    page.wait_for_selector("text=SE-DEA-01")
    page.reload()
    page.wait_for_selector("h1:has-text('Subestaciones de Quillota')")
    crumbs = page.inner_text("nav[aria-label=ruta]")
    assert "Valparaíso" in crumbs and "Quillota" in crumbs
    shot(page, "network_substations_of_comuna")

    # Level 2: feeders of the substation (fig. 9), from the pre-filled filter.
    page.click("#net-back-to-filter")
    page.wait_for_selector("#net-filter-comuna-value:has-text('Quillota')")
    choose(page, "net-filter-substation", "SE-DEA-01 · S/E Quillota Centro")
    buscar(page, r"/red/subestacion/1/alimentadores$")
    page.wait_for_selector("text=AL-DEA-001")
    assert "TD-DEA-00001" in page.inner_text("main")
    shot(page, "network_feeders_of_substation")

    # Level 3: transformers of a feeder (fig. 13).
    page.click("#net-back-to-filter")
    page.wait_for_selector("#net-filter-substation-value:has-text('SE-DEA-01')")
    choose(page, "net-filter-feeder", "AL-DEA-001 · Ruta 5")
    buscar(page, r"/red/alimentador/1/transformadores$")
    page.wait_for_selector("text=TD-DEA-00001")
    shot(page, "network_transformers_of_feeder")

    # Level 4: the transformer detail (fig. 14 + 16).
    page.click("#net-back-to-filter")
    page.wait_for_selector("#net-filter-feeder-value:has-text('AL-DEA-001')")
    choose(page, "net-filter-transformer", "TD-DEA-00001 · TD Quillota Carrera Pinto 1")
    buscar(page, r"/red/transformador/1$")
    main = page.inner_text("main")
    for field in ("Id transformador", "Capacidad", "Conexión", "Tensión", "Número (placa poste)", "Tipo",
                  "Identificador de fases", "Ubicación", "Código VNR", "Id alimentador", "Id subestación", "Comuna"):
        assert field in main, field
    page.wait_for_selector(".leaflet-container")
    shot(page, "network_transformer_detail")
    text = pdf_text(page, "network_transformer_detail")
    for field in ("Detalle transformador TD-DEA-00001", "Identificador de fases", "Código VNR", "Ubicación",
                  "Id subestación", "Página 1 de", "Usuario: publico"):
        assert field in text, field

    # Substation detail (fig. 7), reached from the transformer page.
    page.click("text=SE-DEA-01 >> nth=-1")
    page.wait_for_url(re.compile(r"/red/subestacion/1$"))
    page.wait_for_selector("h1:has-text('Detalle subestación')")
    page.wait_for_selector(".leaflet-container")
    assert "Transformadores AT/MT" in page.inner_text("main")
    shot(page, "network_substation_detail")
    text = pdf_text(page, "network_substation_detail")
    for field in ("Id subestación", "Transformadores AT/MT", "Alimentadores", "Transformadores de distribución",
                  "Mapa georreferenciado"):
        assert field in text, field

    # Feeder detail (fig. 10-11) with its searches.
    page.click("a:has-text('AL-DEA-001') >> nth=0")
    page.wait_for_url(re.compile(r"/red/alimentador/1$"))
    page.wait_for_selector("h1:has-text('Detalle alimentador')")
    main = page.inner_text("main")
    for field in ("Tipo", "Distribuidora propietaria", "Nodo de distribución", "Capacidad",
                  "Potencia de cortocircuito en cabecera", "Descargar plano KMZ", "12 últimas demandas", "Margen (kW)"):
        assert field in main, field
    assert page.get_attribute("text=Descargar plano KMZ", "href") == "/red/alimentador/1/plano.kmz"
    page.wait_for_selector(".leaflet-container")
    for legend in ("Vanos MT", "Vanos BT", "Postes", "Transformadores de distribución", "Subestación"):
        assert legend in page.inner_text(".map-legend")
    shot(page, "network_feeder_detail")
    text = pdf_text(page, "network_feeder_detail")
    for field in ("Detalle alimentador AL-DEA-001", "Potencia de cortocircuito en cabecera", "Plano KMZ",
                  "12 últimas demandas", "Margen (kW)", "fp = 0,95"):
        assert field in text, field

    # Pole search: partial identifier.
    page.check("input[value=poste]")
    page.fill("#net-feeder-search-q", "000005")
    page.click("#net-feeder-search-go")
    page.wait_for_url(re.compile(r"tipo=poste&q=000005"))
    page.wait_for_selector("text=P-DEA-000005")
    result = page.inner_text("#view-detalle-alimentador")
    for field in ("Coordenada X", "Datum", "Huso", "Tensión media / baja", "Código VNR"):
        assert field in result, field

    # Span search: every span, paginated on the server; page 2 comes from the URL.
    page.check("input[value=vano]")
    page.fill("#net-feeder-search-q", "")
    page.click("#net-feeder-search-go")
    page.wait_for_url(re.compile(r"tipo=vano&q=&pagina=1"))
    page.wait_for_selector("#net-feeder-search-pages")
    first_page = page.inner_text("#view-detalle-alimentador")
    assert "V-DEA-0000001" in first_page and "página 1 de 2" in first_page
    page.click("#net-feeder-search-pages >> text=Página siguiente")
    page.wait_for_url(re.compile(r"pagina=2"))
    page.wait_for_selector("text=página 2 de 2")
    assert "V-DEA-0000001" not in page.inner_text("#view-detalle-alimentador")
    for field in ("Nodo origen", "Nodo destino", "Extensión (m)", "Material conductor", "Aislación",
                  "Capacidad conductor (A)", "Fases"):
        assert field in page.inner_text("#view-detalle-alimentador"), field
    shot(page, "network_feeder_span_search_page2")

    # Equipment search with its monthly history.
    page.check("input[value=equipo]")
    page.fill("#net-feeder-search-q", "eq-dea")
    page.click("#net-feeder-search-go")
    page.wait_for_url(re.compile(r"tipo=equipo"))
    page.wait_for_selector("text=historial mensual")
    result = page.inner_text("#view-detalle-alimentador")
    for field in ("Tipo equipo", "Capacidad (A o kVA)", "Conexión", "Modo operación", "Consignas de tensión",
                  "Razón de transformación", "octubre 2026"):
        assert field in result, field
    shot(page, "network_feeder_equipment_search")
    text = pdf_text(page, "network_feeder_equipment_search")
    assert "Búsqueda de equipos" in text and "Razón de transformación" in text and "historial mensual" in text

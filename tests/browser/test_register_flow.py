"""A new person registers (solving the ALTCHA captcha by clicking it), then uses the transformer and VNR searches,
downloads the VNR PDF and a feeder's KMZ plan, and creates a personal API token."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from data.models import Client, DistributionTransformer, Feeder, User
from geo.kmz import read_kmz
from services.rut import check_digit
from tests.browser.conftest import shot

USERNAME = "nueva.vecina"
PASSWORD = "ClaveNueva2026"


def _fill_registration(page, rut: str):
    page.fill("#register-username", USERNAME)
    page.fill("#register-password", PASSWORD)
    page.fill("#register-password2", PASSWORD)
    page.fill("#register-email", "nueva.vecina@example.cl")
    page.fill("#register-rut", rut)


def _solve_captcha(page):
    """Click "No soy un robot" and wait until the proof of work is verified, as a person would."""
    page.wait_for_selector("#register-captcha altcha-widget .altcha[data-state=unverified]")
    page.click("#register-captcha altcha-widget label:has-text('No soy un robot')")
    page.wait_for_selector("#register-captcha altcha-widget .altcha[data-state=verified]", timeout=60_000)
    assert len(page.input_value("#register-captcha input[name=altcha]")) > 40


def test_new_user_registers_and_uses_the_searches(page, live_server):
    base = live_server.url
    body = 16_543_210
    page.goto(f"{base}/registro")
    page.wait_for_selector("#register-captcha altcha-widget")
    assert "No soy un robot" in page.inner_text("#register-captcha")
    shot(page, "register_form")

    # A wrong check digit: a Spanish error, the typed values kept, no account.
    wrong = "1" if check_digit(body) != "1" else "2"
    _fill_registration(page, f"{body:,}".replace(",", ".") + f"-{wrong}")
    _solve_captcha(page)
    page.click("#register-submit")
    page.wait_for_selector("#register-errors")
    assert "revise el dígito verificador" in page.inner_text("#register-rut-error")
    assert page.input_value("#register-username") == USERNAME and page.input_value("#register-password") == ""
    shot(page, "register_error_rut")

    # Corrected, with the captcha solved again: signed in and sent to the filters.
    _fill_registration(page, f"{body}{check_digit(body)}")
    _solve_captcha(page)
    shot(page, "register_captcha_verified")
    page.click("#register-submit")
    page.wait_for_url(f"{base}/red/buscar")
    page.wait_for_selector("#nav-user")
    assert USERNAME in page.inner_text("#nav-user")
    with live_server.app.extensions["db"].session() as s:
        assert s.scalar(select(User.rut).where(User.username == USERNAME)) == f"{body}-{check_digit(body)}"
        client = s.scalars(select(Client).order_by(Client.id).offset(3)).first()
        number, transformer_id = client.client_number, client.transformer_id
        feeder = s.get(Feeder, s.get(DistributionTransformer, transformer_id).feeder_id)
        feeder_id, feeder_code = feeder.id, feeder.code

    # Signed in, /registro and /login go straight to the filters.
    page.goto(f"{base}/registro")
    page.wait_for_url(f"{base}/red/buscar")

    # Simple transformer search by client number -> the transformer's detail page.
    page.goto(f"{base}/red/buscar-transformador")
    page.wait_for_selector("#tsearch-client")
    shot(page, "transformer_search_form")
    page.fill("#tsearch-client", number)
    page.click("#tsearch-submit")
    page.wait_for_url(f"{base}/red/transformador/{transformer_id}")
    shot(page, "transformer_search_result")
    # An unknown plate stays on the search page with a clear message (and its own URL).
    page.goto(f"{base}/red/buscar-transformador")
    page.fill("#tsearch-plate", "TD-NADA-1")
    page.click("#tsearch-submit")
    page.wait_for_url(re.compile(r".*/red/buscar-transformador\?placa=TD-NADA-1$"))
    page.wait_for_selector("#tsearch-none")
    assert "No se encontró ningún transformador" in page.inner_text("#tsearch-none")
    shot(page, "transformer_search_unknown")

    # VNR search -> fig. 18 breakdown per company, then Guardar PDF.
    page.goto(f"{base}/red/vnr")
    page.fill("#vnr-code", "td-3f-045")
    page.click("#vnr-submit")
    page.wait_for_url(re.compile(r".*/red/vnr\?codigo=td-3f-045$"))
    page.wait_for_selector("#view-vnr")
    text = page.inner_text("#view-vnr")
    for label in ("Recargos 1", "Montaje", "Stotal 1", "ING + GG", "Stotal 2", "IntInt", "Total Instalac s/derechos"):
        assert label in text
    assert re.search(r"\$ \d{1,3}(\.\d{3})+", text)
    shot(page, "vnr_result")
    with page.expect_download() as download_info:
        page.click("#report-save")
    pdf = download_info.value
    pdf_path = pdf.path()
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(open(pdf_path, "rb")).pages)
    for expected in ("Código VNR TD-3F-045", "Total Instalac s/derechos", "IntInt", f"Usuario: {USERNAME}"):
        assert expected in pdf_text

    # KMZ plan of the transformer's feeder, downloaded with the browser's session.
    response = page.context.request.get(f"{base}/red/alimentador/{feeder_id}/plano.kmz")
    assert response.ok and f"plano-{feeder_code}.kmz" in response.headers["content-disposition"]
    folders = {f.name: len(f.features) for f in read_kmz(response.body()).features[0].features}
    assert folders["Vanos"] > 0 and folders["Transformadores de distribución"] > 0
    assert {"Equipos de protección y maniobra", "Equipos de compensación", "Reguladores de tensión",
            "Autotransformadores"} <= set(folders)

    # A personal API token, shown once.
    page.goto(f"{base}/cuenta/tokens")
    page.fill("#tokens-name", "mi planilla")
    page.click("#tokens-create")
    page.wait_for_selector("#tokens-plaintext")
    token = page.inner_text("#tokens-plaintext").strip()
    assert re.fullmatch(r"ra_[0-9a-f]{8}_\S+", token)
    shot(page, "account_tokens")
    me = page.context.request.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": USERNAME, "role": "public"}

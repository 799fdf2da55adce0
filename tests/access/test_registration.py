"""Registration (Anexo 1 §2.2): valid accounts sign in at once; every invalid form is refused in Spanish."""
from __future__ import annotations

import altcha
import pytest
from sqlalchemy import func, select

from data.models import AccessLog, CaptchaUse, User
from services.rut import check_digit
from tests.access.conftest import render, solve_captcha

PASSWORD = "ClaveSegura2026"


def _csrf(auth) -> str:
    auth.client.get("/registro")
    with auth.client.session_transaction() as sess:
        return sess["csrf"]


def _rut(body: int, dotted: bool = True) -> str:
    text = f"{body:,}".replace(",", ".") if dotted else str(body)
    return f"{text}-{check_digit(body)}"


def _form(auth, **overrides) -> dict:
    form = dict(csrf_token=_csrf(auth), username="vecina.quillota", password=PASSWORD, password2=PASSWORD,
                email="vecina@example.cl", rut=_rut(15_234_567))
    form.update(overrides)
    if "altcha" not in form:
        form["altcha"] = solve_captcha(auth.client)
    return form


def _users(app) -> int:
    with app.extensions["db"].session() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_registration_signs_in_goes_to_filters_and_is_logged(reg_app, reg_auth):
    before = _users(reg_app)
    response = reg_auth.client.post("/auth/registro", data=_form(reg_auth, rut="15234567" + check_digit(15_234_567)))
    assert response.status_code == 302 and response.headers["Location"] == "/red/buscar"
    assert reg_auth.client.get("/api/v1/me").json == {"username": "vecina.quillota", "role": "public"}
    with reg_app.extensions["db"].session() as s:
        user = s.scalar(select(User).where(User.username == "vecina.quillota"))
        assert user.role == "public" and user.rut == f"15234567-{check_digit(15_234_567)}"
        assert user.password_hash != PASSWORD
        actions = set(s.scalars(select(AccessLog.action).where(AccessLog.user_id == user.id)))
    assert {"register", "login"} <= actions
    assert _users(reg_app) == before + 1
    # The new account signs in like any other, and a signed-in visit to /registro or /login goes to the filters.
    reg_auth.logout()
    assert reg_auth.login("vecina.quillota", PASSWORD).headers["Location"] == "/"
    for path in ("/registro", "/login"):
        assert '"data-redirect": "/red/buscar"' in render(reg_auth, path)


@pytest.mark.parametrize("rut", [_rut(9_876_543), _rut(9_876_543, dotted=False),
                                 _rut(9_876_543, dotted=False).replace("-", "")])
def test_rut_is_accepted_with_or_without_dots_and_dash(reg_app, reg_auth, rut):
    response = reg_auth.client.post("/auth/registro", data=_form(reg_auth, rut=rut))
    assert response.headers["Location"] == "/red/buscar"
    with reg_app.extensions["db"].session() as s:
        assert s.scalar(select(User.rut).where(User.username == "vecina.quillota")) == f"9876543-{check_digit(9_876_543)}"


def _existing(reg_app, reg_auth):
    """Register one account so duplicates can be tried against it."""
    client = reg_auth.client
    assert client.post("/auth/registro", data=_form(reg_auth)).headers["Location"] == "/red/buscar"
    reg_auth.logout()


def _wrong_dv(body: int) -> str:
    right = check_digit(body)
    return f"{body}-{'1' if right != '1' else '2'}"


CASES = {
    "bad_check_digit": (dict(rut=_wrong_dv(15_234_567)), "rut", "revise el dígito verificador"),
    "bad_rut_format": (dict(rut="12.34A.678-5"), "rut", "El RUT no tiene un formato válido"),
    "missing_rut": (dict(rut=""), "rut", "Ingrese su RUT"),
    "short_password": (dict(password="corta12", password2="corta12"), "password", "al menos 10 caracteres"),
    "password_without_digits": (dict(password="solamenteletras", password2="solamenteletras"), "password",
                                "combinar letras y números"),
    "password_with_username": (dict(password="vecina.quillota1", password2="vecina.quillota1"), "password",
                               "no puede contener el nombre de usuario"),
    "passwords_differ": (dict(password2="OtraClave2026x"), "password2", "Las claves no coinciden"),
    "bad_username": (dict(username="a b"), "username", "El nombre de usuario debe tener entre 3 y 32"),
    "bad_email": (dict(email="vecina-at-example"), "email", "Ingrese un correo electrónico válido"),
    "missing_captcha": (dict(altcha=""), "captcha", "Confirme que no es un robot"),
    "widget_test_payload": (dict(altcha="eyJjaGFsbGVuZ2UiOm51bGwsInNvbHV0aW9uIjpudWxsLCJ0ZXN0Ijp0cnVlfQ=="), "captcha",
                            "no es válida"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_invalid_registration_creates_nobody_and_explains_in_spanish(reg_app, reg_auth, case):
    overrides, field, message = CASES[case]
    before = _users(reg_app)
    form = _form(reg_auth, **overrides)
    response = reg_auth.client.post("/auth/registro", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/registro"
    assert _users(reg_app) == before
    page = render(reg_auth, "/registro")
    assert message in page and "No se pudo completar el registro" in page
    assert f"register-{field}-error" in page or (field == "captcha" and "register-captcha-error" in page)
    # What the person typed comes back (except passwords, never echoed).
    for key in ("username", "email", "rut"):
        if form[key]:
            assert f'"value": "{form[key]}"' in page
    assert form["password"] not in page and (not form["password2"] or form["password2"] not in page)
    # The errors are shown once.
    assert "No se pudo completar el registro" not in render(reg_auth, "/registro")


@pytest.mark.parametrize("field,overrides,message", [
    ("username", dict(username="VECINA.quillota", email="otra@example.cl", rut=_rut(7_654_321)),
     "El nombre de usuario ya está registrado"),
    ("email", dict(username="otra.vecina", email="VECINA@example.cl", rut=_rut(7_654_321)), "El correo ya está registrado"),
    ("rut", dict(username="otra.vecina", email="otra@example.cl", rut=_rut(15_234_567, dotted=False)),
     "El RUT ya está registrado"),
])
def test_duplicates_are_refused(reg_app, reg_auth, field, overrides, message):
    _existing(reg_app, reg_auth)
    before = _users(reg_app)
    response = reg_auth.client.post("/auth/registro", data=_form(reg_auth, **overrides))
    assert response.headers["Location"] == "/registro"
    assert _users(reg_app) == before
    page = render(reg_auth, "/registro")
    assert message in page and f"register-{field}-error" in page


def test_invalid_and_replayed_captcha_are_refused(reg_app, reg_auth):
    client = reg_auth.client
    challenge = altcha.Challenge.from_dict(client.get("/auth/captcha").get_json())
    solution = altcha.solve_challenge(challenge)
    wrong = altcha.Payload(challenge, altcha.Solution(solution.counter + 1, "00" * 32)).to_base64()
    tampered_params = altcha.Challenge.from_dict(challenge.to_dict())
    tampered_params.parameters.cost = 1
    tampered = altcha.Payload(tampered_params, solution).to_base64()
    good = altcha.Payload(challenge, solution).to_base64()
    before = _users(reg_app)
    for payload in (wrong, tampered, "no-es-base64"):
        assert client.post("/auth/registro", data=_form(reg_auth, altcha=payload)).headers["Location"] == "/registro"
        assert "La verificación anti-robot no es válida" in render(reg_auth, "/registro")
    # A good solution with another field wrong is spent: it cannot be replayed afterwards.
    assert client.post("/auth/registro", data=_form(reg_auth, altcha=good, rut="1-1")).headers["Location"] == "/registro"
    render(reg_auth, "/registro")
    assert client.post("/auth/registro", data=_form(reg_auth, altcha=good)).headers["Location"] == "/registro"
    assert "ya fue usada" in render(reg_auth, "/registro")
    assert _users(reg_app) == before
    with reg_app.extensions["db"].session() as s:
        assert s.scalar(select(func.count()).select_from(CaptchaUse)) == 1


def test_expired_captcha_is_refused(reg_app, reg_auth, monkeypatch):
    import time
    import types

    import altcha.v2

    client = reg_auth.client
    payload = solve_captcha(client)
    # An hour later for the captcha library only (the session cookie keeps its own clock).
    later = types.SimpleNamespace(time=lambda: time.time() + 3600, monotonic=time.monotonic)
    monkeypatch.setattr(altcha.v2, "time", later)
    assert client.post("/auth/registro", data=_form(reg_auth, altcha=payload)).headers["Location"] == "/registro"
    assert "expiró" in render(reg_auth, "/registro")


def test_registration_without_csrf_creates_nobody(reg_app, reg_auth):
    before = _users(reg_app)
    form = _form(reg_auth)
    form["csrf_token"] = "falso"
    assert reg_auth.client.post("/auth/registro", data=form).headers["Location"] == "/registro"
    assert _users(reg_app) == before
    assert "El formulario expiró" in render(reg_auth, "/registro")


def test_captcha_challenge_is_signed_fresh_and_not_cached(reg_auth):
    first = reg_auth.client.get("/auth/captcha")
    second = reg_auth.client.get("/auth/captcha").get_json()
    data = first.get_json()
    assert first.headers["Cache-Control"] == "no-store"
    assert data["signature"] and data["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    assert data["parameters"]["nonce"] != second["parameters"]["nonce"]
    assert data["parameters"]["expiresAt"] > 0


def test_registration_form_fields_and_captcha_slot(shared_auth):
    page = render(shared_auth, "/registro")
    for text in ("REGISTRO", "Nombre usuario", "Clave", "Correo", "RUT", "register-captcha", "/auth/captcha",
                 "fines comerciales"):
        assert text in page

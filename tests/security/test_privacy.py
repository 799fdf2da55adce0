"""Privacy: no client data in the public profile, client data only to whom it belongs, access log, masked logs."""
from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from tests.security.matrix import ROUTER_KEY


@pytest.fixture(scope="module")
def personal_values(sec_app) -> list[str]:
    """Names, RUTs (both forms), e-mails and phones of every client and user."""
    from data.models import Client, User
    from services.rut import format_rut

    values = set()
    with sec_app.extensions["db"].session() as s:
        for name, rut, email, phone in s.execute(select(Client.name, Client.rut, Client.email, Client.phone)):
            values.update({name, rut, format_rut(rut), email, phone})
        for email, rut, full_name in s.execute(select(User.email, User.rut, User.full_name)):
            values.update({email, full_name, *((rut, format_rut(rut)) if rut else ())})
    return sorted(v for v in values if v and len(v) >= 5)


def _public_profile_texts(clients) -> dict[str, str]:
    actions = clients["publico"]
    client = actions.client
    routed = actions.callback(ROUTER_KEY, [{"id": "url", "property": "pathname", "value": "/red/distribuidoras"},
                                           {"id": "url", "property": "search", "value": ""}])
    from reports.pdf import report_html
    from reports.views import build_view
    from tests.conftest import make_app  # noqa: F401

    texts = {
        "page": routed.get_data(as_text=True),
        "json twin": client.get("/api/v1/vistas/distribuidoras").get_data(as_text=True),
        "csv": client.get("/reportes/distribuidoras.csv?tabla=empresas").get_data(as_text=True),
        "home": actions.callback(ROUTER_KEY, [{"id": "url", "property": "pathname", "value": "/"},
                                              {"id": "url", "property": "search", "value": ""}]).get_data(as_text=True),
        "me": client.get("/api/v1/me").get_data(as_text=True),
    }
    app = client.application
    with app.test_request_context("/"):
        from auth.scope import Actor
        from data.db import get_session

        report = build_view("distribuidoras", get_session(), Actor(None, "publico", "public"), {})
        texts["pdf html"] = report_html(report, "publico")
    return texts


def test_public_profile_shows_no_client_personal_data(clients, personal_values):
    texts = _public_profile_texts(clients)
    assert personal_values, "the seeded data has personal values to look for"
    for where, text in texts.items():
        assert text, where
        leaked = [v for v in personal_values if v in text]
        assert not leaked, f"{where} shows personal data: {leaked[:5]}"


def test_client_data_only_for_the_client_sec_and_the_companys_operators(sec_app):
    from auth.scope import Actor, NotFound, require_client_access
    from data.models import Client, User, UserSupply

    with sec_app.extensions["db"].session() as s:
        users = {u.username: u for u in s.scalars(select(User))}

        def actor(name):
            u = users[name]
            return Actor(u.id, u.username, u.role, u.company_id, u.supervised_company_id)

        def supply(name):
            return s.scalar(select(UserSupply.client_id).where(UserSupply.user_id == users[name].id))

        a, b = supply("cliente"), supply("cliente2")
        for client_id in (a, b, supply("cliente_eg")):
            company = s.get(Client, client_id).company_id
            owner = next(n for n in ("cliente", "cliente2", "cliente_eg") if supply(n) == client_id)
            for name in ("publico", "cliente", "cliente2", "cliente_eg", "sec", "operador_dea", "operador_cem",
                         "supervisor"):
                who = actor(name)
                allowed = name == owner or name == "sec" or (who.role == "operator" and who.company_id == company)
                if allowed:
                    assert require_client_access(s, who, client_id).id == client_id
                else:
                    with pytest.raises(NotFound):  # 404: existence is not revealed either
                        require_client_access(s, who, client_id)
        with pytest.raises(NotFound):
            require_client_access(s, actor("sec"), 2**31 - 1)
        assert users["operador_dea"].company_id != users["operador_cem"].company_id


def test_every_personal_data_view_is_recorded_in_the_access_log(app, monkeypatch):
    from auth.scope import Actor
    from data.models import AccessLog, User
    from reports.model import Report
    from reports.views import VIEWS, ViewSpec, build_view, int_param

    def build(session, actor, client_id):
        return Report(view="cliente-prueba", title="Cliente", params={"client_id": client_id}, sections=[])

    monkeypatch.setitem(VIEWS, "cliente-prueba", ViewSpec("cliente-prueba", "Cliente", None, build,
                                                          {"client_id": int_param}, True))
    with app.extensions["db"].session() as s:
        sec = s.scalar(select(User).where(User.username == "sec"))
        actor = Actor(sec.id, sec.username, sec.role)
        build_view("cliente-prueba", s, actor, {"client_id": "42"})
        build_view("distribuidoras", s, actor, {})
    with app.extensions["db"].session() as s:
        rows = list(s.scalars(select(AccessLog).where(AccessLog.username == "sec", AccessLog.action == "view")))
    personal = [r for r in rows if r.personal_data]
    assert len(personal) == 1 and personal[0].target == "cliente-prueba" and personal[0].object_id == "client_id=42"
    assert any(r.target == "distribuidoras" and not r.personal_data for r in rows)


# -- masked logs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text, hidden", [
    ("cliente 12.345.678-5 pidió su boleta", "12.345.678-5"),
    ("rut=12345678-5&x=1", "12345678-5"),
    ("RUT 9.876.543-K", "9.876.543-K"),
    ("correo juana.perez+boletas@correo.example.cl", "juana.perez+boletas@correo.example.cl"),
    ("fono +56 9 8765 4321", "8765 4321"),
    ("fono +56987654321", "987654321"),
    ("fono 9 8765 4321", "8765 4321"),
    ("fono (2) 2345 6789", "2345 6789"),
])
def test_mask_text_hides_ruts_emails_and_phones(text, hidden):
    from auth.logmask import mask_text

    masked = mask_text(text)
    assert hidden not in masked and "[" in masked


@pytest.mark.parametrize("text", ["feeder 12345 has 678 clients", "2026-10-01 12:00:00", "page=3&page_size=50",
                                  "E 293.456,2 N 6.354.321,0"])
def test_mask_text_keeps_ordinary_numbers(text):
    from auth.logmask import mask_text

    assert mask_text(text) == text


def test_access_events_are_structured_and_masked(app, caplog):
    from auth.logmask import JsonFormatter
    from auth.scope import Actor
    from services.audit import record_access

    caplog.set_level(logging.INFO, logger="redabierta.access")
    with app.extensions["db"].session() as s:
        record_access(s, Actor(1, "sec", "sec"), "search", target="/sec/buscar?rut=12.345.678-5",
                      object_type="client", object_id="juana@correo.cl", personal_data=True, ip="10.0.0.1")
    record = next(r for r in caplog.records if r.name == "redabierta.access")
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["event"] == "access" and data["action"] == "search" and data["personal_data"] is True
    assert data["user"] == "sec" and data["role"] == "sec"
    assert "12.345.678-5" not in line and "juana@correo.cl" not in line and "[rut]" in data["target"]


def test_werkzeug_and_error_logs_are_masked(app, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("werkzeug").info('127.0.0.1 - - "GET /buscar?rut=11.111.111-1&correo=a@b.cl HTTP/1.1" 200 -')
    try:
        raise ValueError("cliente 22.222.222-2 sin boleta")
    except ValueError:
        logging.getLogger("redabierta.errors").exception("fallo con %s", "fono +56 9 1234 5678")
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    for secret in ("11.111.111-1", "a@b.cl", "22.222.222-2", "1234 5678"):
        assert secret not in text
    assert caplog.text.count("[rut]") >= 2

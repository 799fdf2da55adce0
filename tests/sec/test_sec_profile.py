"""SEC auditor profile: forced password change, client search (fig. 20-21), audit trail and CSV."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from data.models import AccessLog, Client, GenerationInstallation, User
from services.rut import format_rut
from tests.conftest import strip_html

ROUTER = "..page-content.children...navbar.children...page-meta.data.."


def render(auth, path: str, search: str = ""):
    """Render a page through the guarded router callback, as the browser does."""
    response = auth.callback(ROUTER, [{"id": "url", "property": "pathname", "value": path},
                                      {"id": "url", "property": "search", "value": search}])
    if response.is_json:  # the Dash JSON escapes non-ASCII text (N\u00b0): compare decoded text
        return response.status_code, json.dumps(response.json, ensure_ascii=False)
    return response.status_code, strip_html(response.get_data(as_text=True))


def eg_client(session) -> Client:
    return session.scalar(select(Client).join(GenerationInstallation, GenerationInstallation.client_id == Client.id)
                          .order_by(Client.id).limit(1))


def test_sec_user_created_by_command_must_change_password_before_anything_else(app, auth):
    with app.app_context():  # the user group is a plain click group
        created = app.test_cli_runner().invoke(args=["user", "create", "auditora", "--role", "sec", "--email", "auditora@sec.example.cl",
                                                      "--password", "ClaveInicial2026"])
    assert created.exit_code == 0, created.output
    login = auth.login("auditora", "ClaveInicial2026")
    assert login.headers["Location"] == "/cuenta?msg=forzada"
    blocked = auth.client.get("/sec/clientes?por=rut&q=10")
    assert blocked.status_code == 302 and blocked.headers["Location"] == "/cuenta?msg=forzada"
    status, body = render(auth, "/sec/clientes", "?por=rut&q=10")
    assert status == 200 and "Debe cambiar la clave" in body and "DETALLE CLIENTES" not in body.upper()
    assert auth.client.get("/api/v1/exchange/changes?company=DEA").status_code == 403
    with auth.client.session_transaction() as sess:
        csrf = sess["csrf"]
    changed = auth.client.post("/auth/password", data={"csrf_token": csrf, "current": "ClaveInicial2026",
                                                       "new": "NuevaClaveSegura77", "new2": "NuevaClaveSegura77"})
    assert changed.headers["Location"] == "/cuenta?msg=ok"
    assert auth.client.get("/sec/clientes").status_code == 200
    status, body = render(auth, "/sec/clientes", "?por=rut&q=10")
    assert "N° CLIENTE" in body


@pytest.mark.parametrize("style", ["dots", "plain", "dash_only"])
def test_search_by_partial_rut_with_or_without_dots(app, auth, db_session, style):
    client = eg_client(db_session)
    body, dv = client.rut.split("-")
    partial = {"dots": format_rut(client.rut)[:-4], "plain": body[1:-1], "dash_only": f"{body[-3:]}-{dv}"}[style]
    auth.login("sec")
    status, page = render(auth, "/sec/clientes", f"?por=rut&q={partial}")
    assert status == 200
    assert client.client_number in page and client.name in page


def test_result_links_to_eg_view_when_client_has_eg_else_client_view(shared_app, shared_auth):
    from services.client_search import search_clients
    from auth.scope import Actor

    with shared_app.extensions["db"].session() as session:
        hits, total = search_clients(session, Actor(1, "sec", "sec"), "rut", "1")
        assert total >= len(hits) > 0
        eg_ids = set(session.scalars(select(GenerationInstallation.client_id)))
    assert {h.href for h in hits if h.client_id in eg_ids} == {f"/cliente-eg/{h.client_id}" for h in hits
                                                                 if h.client_id in eg_ids}
    assert all(h.href == f"/cliente/{h.client_id}" for h in hits if h.client_id not in eg_ids)
    shared_auth.login("sec")
    hit = next(h for h in hits if h.client_id in eg_ids)
    _, page = render(shared_auth, "/sec/clientes", f"?por=numero&q={hit.client_number}")
    assert f"/cliente-eg/{hit.client_id}" in page


def test_address_search_ignores_case_and_accents(app, auth, db_session):
    client = db_session.scalar(select(Client).order_by(Client.id).limit(1))
    client.address = "Avenida Los Álamos Ñuble 742"
    client.search_text = "pedro avenida los alamos nuble 742"
    db_session.commit()
    auth.login("sec")
    status, page = render(auth, "/sec/clientes", "?por=direccion&q=LOS+alamos+NUBLE")
    assert client.client_number in page and "Avenida Los Álamos Ñuble 742" in page


def test_operators_only_find_their_company_and_clients_cannot_search(shared_app, shared_auth):
    from auth.scope import AccessDenied, Actor
    from services.client_search import search_clients

    with shared_app.extensions["db"].session() as session:
        dea = session.scalar(select(User).where(User.username == "operador_dea"))
        hits, _ = search_clients(session, Actor(dea.id, dea.username, "operator", dea.company_id), "numero", "1")
        assert hits and {h.company for h in hits} == {"DEA"}
        with pytest.raises(AccessDenied):
            search_clients(session, Actor(2, "cliente", "client"), "numero", "1")
    shared_auth.login("cliente")
    status, page = render(shared_auth, "/sec/clientes", "?por=numero&q=1")
    assert "403" in page and "N° CLIENTE" not in page


def test_search_results_are_paginated_with_their_own_urls(shared_auth):
    shared_auth.login("sec")
    _, first_page = render(shared_auth, "/sec/clientes", "?por=numero&q=1")
    _, second_page = render(shared_auth, "/sec/clientes", "?por=numero&q=1&pagina=2")
    assert "Siguiente" in first_page and first_page != second_page


def test_audit_trail_records_sec_searches_and_filters_them(app, auth, db_session):
    auth.login("sec")
    render(auth, "/sec/clientes", "?por=rut&q=10.000")
    status, page = render(auth, "/sec/auditoria", "?accion=view")
    assert status == 200 and "Búsqueda de clientes" in page and "q=10.000" in page
    today = dt.date.today().isoformat()
    _, filtered = render(auth, "/sec/auditoria", f"?usuario=sec&desde={today}&hasta={today}")
    assert "Búsqueda de clientes" in filtered
    _, past = render(auth, "/sec/auditoria", "?desde=2001-01-01&hasta=2001-01-02")
    assert "Sin accesos con estos filtros" in past
    _, bad = render(auth, "/sec/auditoria", "?desde=ayer")
    assert "AAAA-MM-DD" in bad
    logged = db_session.scalars(select(AccessLog).where(AccessLog.username == "sec", AccessLog.target == "sec-clientes"))
    assert any(r.personal_data for r in logged)


def test_audit_csv_neutralises_formula_injection(app, auth, db_session):
    db_session.add(AccessLog(username="sec", role="sec", action="view", target="=HYPERLINK(\"http://x\")",
                             object_id="+cmd|' /C calc'!A0", personal_data=False))
    db_session.commit()
    auth.login("sec")
    csv = auth.client.get("/reportes/sec-auditoria.csv?tabla=accesos&usuario=sec").get_data(as_text=True)
    assert "'=HYPERLINK" in csv and "'+cmd" in csv
    assert "\n=HYPERLINK" not in csv and ";=HYPERLINK" not in csv


def test_audit_trail_is_for_sec_only(shared_auth):
    shared_auth.login("operador_dea")
    assert shared_auth.client.get("/reportes/sec-auditoria.csv?tabla=accesos").status_code == 403
    _, page = render(shared_auth, "/sec/auditoria")
    assert "403" in page


def test_only_sec_accesses_are_listed(app, auth, db_session):
    auth.login("operador_dea")
    render(auth, "/sec/clientes", "?por=numero&q=101")
    auth.logout()
    auth.login("sec")
    _, page = render(auth, "/sec/auditoria")
    assert "operador_dea" not in page and db_session.execute(
        text("select count(*) from access_log where username='operador_dea'")).scalar() > 0

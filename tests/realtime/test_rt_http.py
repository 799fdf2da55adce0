"""HTTP ingest and the real-time API/pages through the Flask client: tokens, scope, roles, forms, PDF."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from auth.tokens import issue_token
from data.models import ConnectionForm, MaintenanceWindow, Sample, Signal, SampleRollup
from realtime import forms
from realtime.clock import ManualClock
from realtime.retention import maintain
from tests.realtime.helpers import T0, batch, reading

RT_PAGES = ["/tiempo-real", "/tiempo-real/alarmas", "/tiempo-real/disponibilidad", "/tiempo-real/log",
            "/tiempo-real/conexion", "/tiempo-real/mantenimiento"]


@pytest.fixture
def tokens(app, companies, db_session):
    out = {code: issue_token(db_session, "realtime", "prueba", supervised_company_id=c.id)[0] for code, c in companies.items()}
    db_session.commit()
    app.extensions["ra_rt_clock"] = ManualClock(T0 + dt.timedelta(seconds=2))
    return out


def _post(client, token, body, path="/api/v1/realtime/batches"):
    return client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


def test_http_batch_ingest_with_company_token_and_dedupe(app, tokens, db_session):
    client = app.test_client()
    body = batch("h1", reading("TSA_EC01_FT", T0, value=55.0), reading("TSA_EC01_XV_IN", T0, state="00"))
    first = _post(client, tokens["TSA"], body)
    assert first.status_code == 200, first.json
    assert (first.json["stored"], first.json["max_latency_ms"]) == (2, 2000)
    again = _post(client, tokens["TSA"], body)
    assert (again.json["stored"], again.json["duplicates"]) == (0, 2)
    sid = db_session.scalar(select(Signal.id).where(Signal.code == "TSA_EC01_XV_IN"))
    assert db_session.scalars(select(Sample.state).where(Sample.signal_id == sid)).all() == ["11"]


def test_a_company_token_cannot_send_another_companys_registers(app, tokens, db_session):
    client = app.test_client()
    r = _post(client, tokens["TSB"], batch("x1", reading("TSA_EC01_FT", T0, value=1.0)))
    assert r.status_code == 200 and r.json["rejected"] == 1 and r.json["stored"] == 0
    assert _post(client, "ra_bad_token", batch("x2", reading("TSA_EC01_FT", T0, value=1.0))).status_code == 401
    assert client.post("/api/v1/realtime/batches", json={}).status_code == 401
    bad = _post(client, tokens["TSA"], {"message_id": "m", "readings": "no"})
    assert bad.status_code == 400


def test_company_sees_only_its_own_log(app, tokens):
    client = app.test_client()
    _post(client, tokens["TSA"], batch("neg", reading("TSA_EC01_FT", T0, value=-3.0)))
    _post(client, tokens["TSB"], batch("unk", reading("TSB_PP01_ZZ", T0, value=1.0)))
    own = client.get("/api/v1/realtime/log", headers={"Authorization": f"Bearer {tokens['TSA']}"}).json
    assert own["total"] >= 1 and {i["company"] for i in own["items"]} == {"TSA"}
    assert any("flujo negativo" in i["message"] for i in own["items"])
    other = client.get("/api/v1/realtime/log?company=TSB", headers={"Authorization": f"Bearer {tokens['TSA']}"})
    assert other.status_code == 404


def test_supervisor_pages_and_roles(app, auth):
    for path in RT_PAGES:
        assert app.test_client().get(path).status_code == 302  # anonymous: sign in first
    auth.login("sec")
    assert auth.client.get("/tiempo-real").status_code == 403
    assert auth.client.get("/api/v1/realtime/status").status_code == 403
    auth.logout()
    auth.login("supervisor")
    for path in RT_PAGES:
        assert auth.client.get(path).status_code == 200
    status = auth.client.get("/api/v1/realtime/status").json["companies"]
    assert {c["company"] for c in status} >= {"NOR", "PLM", "TSU"}


def test_views_have_json_twins_and_pdf(app, auth):
    auth.login("supervisor")
    twin = auth.client.get("/api/v1/vistas/tiempo-real-disponibilidad?empresa=TSU&semestre=2026-2").json
    titles = [s["title"] for s in twin["sections"]]
    assert "Etapas dentro del semestre" in titles and "Disponibilidad diaria y umbral de la etapa" in titles
    csv = auth.client.get("/reportes/tiempo-real-alarmas.csv?tabla=alarmas")
    assert csv.status_code == 200 and "Severidad" in csv.get_data(as_text=True)
    pdf = auth.client.get("/reportes/tiempo-real-disponibilidad.pdf?empresa=TSU&semestre=2026-2")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"


def test_connection_form_checks_and_approval_issue_appendix_b(db_session, companies):
    from auth.scope import Actor

    cso = Actor(None, "supervisor", "supervisor")
    tsa = companies["TSA"]
    good = {"sender": tsa.name, "contact_name": "Ana Quispe", "contact_email": "ana@tsa.example.pe",
            "contact_phones": "+51 1 200 3000, +51 999 111 222", "carrier": "Telco", "carrier_email": "noc@telco.pe",
            "connection_date": "2026-12-01", "activation_date": "2026-12-15", "protocols": ["ICCP/TASE.2 sobre TCP/IP"],
            "on_corporate_network": "no"}
    bad = {**good, "contact_email": "ana@gmail.com", "contact_phones": "+51 1 200 3000", "on_corporate_network": "si",
           "activation_date": "2026-11-01"}
    with pytest.raises(forms.FormError) as err:
        forms.submit(db_session, cso, tsa, bad, dt.date(2026, 11, 23))
    assert set(err.value.problems) == {"contact_email", "contact_phones", "on_corporate_network", "activation_date"}
    form = forms.submit(db_session, cso, tsa, good, dt.date(2026, 11, 23))
    assert form.data["received_on"] == "2026-11-23" and form.status == "submitted"
    with pytest.raises(forms.FormError):
        forms.review(db_session, cso, form, "rejected", "", T0)  # a rejection needs a reason
    forms.review(db_session, cso, form, "approved", "", T0)
    assert form.reviewed_by == "supervisor" and form.server_config["protocol"]["tcp_port"] == 102
    assert form.server_config["osinergmin"]["initiator"] is True
    assert form.server_config["gateway"]["mqtt_topic_data"] == "cso/TSA/data"
    with pytest.raises(forms.FormError):
        forms.review(db_session, cso, form, "rejected", "tarde", T0)  # already reviewed


def test_form_submitted_through_the_api_by_the_company(app, tokens, db_session):
    r = _post(app.test_client(), tokens["TSB"], {"sender": "x", "contact_email": "a@otra.pe"}, "/api/v1/realtime/connection-forms")
    assert r.status_code == 400 and any(d["field"] == "contact_email" for d in r.json["details"])
    assert db_session.scalar(select(func.count(ConnectionForm.id)).where(ConnectionForm.company_id != None)) >= 1  # noqa: E711


def test_retention_rolls_up_hours_then_purges_raw_samples(db_session, companies):
    clock = ManualClock(T0 - dt.timedelta(days=40))
    for i, v in enumerate((10.0, 20.0, 30.0)):
        from realtime.ingest import ingest_batch

        ingest_batch(db_session, companies["TSA"], batch(f"old{i}", reading("TSA_EC01_FT", clock.now(), value=v)), clock)
        clock.advance(600)
    sid = db_session.scalar(select(Signal.id).where(Signal.code == "TSA_EC01_FT"))
    result = maintain(db_session, T0, retention_days=30)
    assert result.purged_samples >= 3
    assert db_session.scalar(select(func.count(Sample.id)).where(Sample.signal_id == sid)) == 0
    roll = db_session.scalar(select(SampleRollup).where(SampleRollup.signal_id == sid))
    assert (roll.count, roll.min_value, roll.max_value, roll.avg_value, roll.last_value) == (3, 10.0, 30.0, 20.0, 30.0)


def test_maintenance_schedule_rejects_unknown_equipment(db_session, companies):
    from auth.scope import Actor
    from realtime import maintenance

    with pytest.raises(maintenance.ScheduleError) as err:
        maintenance.upload(db_session, Actor(None, "supervisor", "supervisor"), companies["TSA"],
                           "instalacion,inicio,fin\nZZ99,2026-11-03 02:00,2026-11-04 02:00\n", dt.date(2026, 11, 2), T0)
    assert "ZZ99" in err.value.problems[0]
    assert db_session.scalar(select(func.count(MaintenanceWindow.id)).where(
        MaintenanceWindow.company_id == companies["TSA"].id)) == 0

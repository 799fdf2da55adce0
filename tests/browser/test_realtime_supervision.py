"""A supervisor watches live data arrive through the HTTP ingest: map, trend, alarm acknowledgement."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from auth.tokens import issue_token
from data.models import RtAlarm, RtInstallation, Signal, SupervisedCompany
from realtime.clock import SystemClock
from realtime.simulator import Faults, HttpTransport, players_from_db, step
from tests.browser.conftest import wait_until, login, shot


@pytest.fixture(scope="module")
def sala(live_server):
    """The three demo control rooms, posting to the live server's HTTP ingest."""
    db = live_server.app.extensions["db"]
    with db.session() as s:
        tokens = {c.code: issue_token(s, "realtime", "prueba", supervised_company_id=c.id)[0]
                  for c in s.scalars(select(SupervisedCompany))}
    with db.session() as s:
        players = players_from_db(s, None, tokens, Faults(alarm_rate=0))
    transport = HttpTransport(live_server.url)

    def play(cycles: int = 1):
        for _ in range(cycles):
            step(players, transport, SystemClock().now())
    play(2)
    return {"players": {p.code: p for p in players}, "transport": transport, "play": play, "db": db}


def _send(sala, code: str, *readings):
    player = sala["players"][code]
    now = SystemClock().now().isoformat()
    sala["transport"].send(player, {"message_id": f"browser-{dt.datetime.now().timestamp()}",
                                    "readings": [{"ts": now, "quality": 0, **r} for r in readings]})


def test_supervision_map_shows_every_installation_by_status(page, live_server, sala):
    login(page, live_server.url, "supervisor")
    page.goto(live_server.url + "/tiempo-real")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_selector("#rt-body table")
    body = page.inner_text("#rt-body")
    for code in ("NOR", "PLM", "TSU"):
        assert code in body
    assert "Normal" in body and "Incierto" in page.inner_text(".map-legend")
    # The offline base (national borders) is drawn even though web tiles cannot load here.
    assert page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count() >= 1
    summary = page.inner_text("#rt-body .kv-table")
    counts = [int(line.split("\t")[-1]) for line in summary.splitlines()[:4]]
    assert sum(counts) == 11  # every demo installation is on the map under one status
    page.wait_for_timeout(1500)
    shot(page, "realtime_map")


def test_live_trend_refreshes_and_marks_a_wrong_value(page, live_server, sala):
    with sala["db"].session() as s:
        inst_id = s.scalar(select(RtInstallation.id).join(SupervisedCompany).where(
            SupervisedCompany.code == "TSU", RtInstallation.code == "EC01"))
    login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/tiempo-real/instalacion/{inst_id}")
    page.wait_for_selector(".js-plotly-plot")
    assert "TSU_EC01_FT" in page.inner_text(".js-plotly-plot")
    assert "Valor errado" not in page.inner_text(".js-plotly-plot")
    _send(sala, "TSU", {"code": "TSU_EC01_FT", "value": -420.0})
    # No reload: the 10-second refresh brings the negative flow, marked as a wrong value.
    wait_until(page, "document.querySelector('.js-plotly-plot') && "
                           "document.querySelector('.js-plotly-plot').innerText.includes('Valor errado')", timeout=25_000)
    assert "valor errado" in page.locator("#rt-body table").last.inner_text()
    assert "Alarma" in page.locator("#rt-body .kv-table").first.inner_text()  # the installation turns red
    shot(page, "realtime_trend")


def test_alarm_acknowledgement_records_who_and_when(page, live_server, sala):
    _send(sala, "PLM", {"code": "PLM_PP01_XA_ESD", "value": 1})
    login(page, live_server.url, "supervisor")
    page.goto(live_server.url + "/tiempo-real/alarmas")
    page.wait_for_selector("#rt-ack-panel")
    first = page.locator("#rt-ack-panel .list-group-item").first
    assert "PLM" in first.inner_text() and "Emergencia" in first.inner_text() and "activa" in first.inner_text()
    shot(page, "realtime_alarms_before")
    first.locator("button").click()
    page.wait_for_selector("#rt-ack-done")
    assert "supervisor" in page.inner_text("#rt-ack-done")
    rows = page.locator("#rt-body table").last.inner_text()
    assert "supervisor · " in rows
    with sala["db"].session() as s:
        alarm = s.scalar(select(RtAlarm).join(Signal).where(Signal.code == "PLM_PP01_XA_ESD"))
        assert alarm.acknowledged_by == "supervisor" and alarm.acknowledged_at is not None
    shot(page, "realtime_alarms_after")

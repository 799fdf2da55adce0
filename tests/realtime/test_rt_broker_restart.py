"""Broker restart: the ingest reconnects by itself within 10 s; no QoS 1 message is lost or stored twice."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from auth.tokens import issue_token
from data.models import ConnectionEvent, Sample, Signal, SupervisedCompany
from realtime.clock import SystemClock
from realtime.mqtt import MqttIngest
from realtime.simulator import MqttTransport, Player
from tests.realtime.helpers import batch, reading, wait_for

pytestmark = pytest.mark.slow


def test_ingest_survives_a_broker_restart_without_loss_or_duplicates(app, companies, own_broker):
    db = app.extensions["db"]
    with db.session() as s:
        tsa_id = s.scalar(select(SupervisedCompany.id).where(SupervisedCompany.code == "TSA"))
        token = issue_token(s, "realtime", "prueba", supervised_company_id=tsa_id)[0]
        flow_id = s.scalar(select(Signal.id).where(Signal.code == "TSA_EC01_FT"))
    clock = SystemClock()
    ingest = MqttIngest(db, own_broker.url, clock, client_id="ing-restart", sweep_interval=None)
    ingest.start()
    assert ingest.wait_connected(10)
    player = Player("TSA", token, [])
    sala = MqttTransport(own_broker.url, client_prefix="sala-restart")
    sent: list[float] = []

    def publish(n: int):
        value = 10.0 * (n + 1)  # 10 units apart: never inside the 1 MMPCD deadband
        sent.append(value)
        return sala.send(player, batch(f"r{n:03d}", reading("TSA_EC01_FT", clock.now(), value=value)))

    def stored() -> list[float]:
        with db.session() as s:
            return list(s.scalars(select(Sample.value).where(Sample.signal_id == flow_id)))

    try:
        assert sala.wait_published([publish(n) for n in range(5)])
        assert wait_for(lambda: len(stored()) == 5, 10)

        own_broker.stop()
        assert wait_for(lambda: not ingest.connected.is_set(), 10)
        for n in range(5, 15):  # the control room keeps producing while the broker is down
            publish(n)
        time.sleep(1.0)

        restarted = time.monotonic()
        own_broker.start()
        assert ingest.wait_connected(15)
        reconnect_s = time.monotonic() - restarted
        assert reconnect_s <= 10.0, f"the ingest took {reconnect_s:.1f} s to reconnect"

        for n in range(15, 20):
            publish(n)
        assert wait_for(lambda: len(stored()) == 20, 20), f"stored {len(stored())} of 20"
        time.sleep(1.5)  # anything redelivered late would show up now
        values = stored()
        assert sorted(values) == sorted(sent) and len(values) == 20
        with db.session() as s:
            ids = s.scalar(select(func.count(func.distinct(Sample.message_id))).where(Sample.signal_id == flow_id))
            kinds = list(s.scalars(select(ConnectionEvent.kind).where(ConnectionEvent.company_id == tsa_id)
                                   .order_by(ConnectionEvent.id)))
        assert ids == 20
        # The outage was recorded (the broker's will or the ingest's own outage_start, then outage_end
        # when the ingest came back), so the silence is not "Incierto".
        assert {"disconnected", "outage_start"} & set(kinds[1:]) and "outage_end" in kinds
        assert ingest.connects == 2
    finally:
        sala.close()
        ingest.stop()

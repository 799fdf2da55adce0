"""The simulator drives the module through a real Mosquitto, with a clock the test controls."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from auth.tokens import issue_token
from data.models import ConnectionEvent, RtLogEntry, Sample, Signal, SupervisedCompany
from realtime import availability as av
from realtime.clock import ManualClock
from realtime.mqtt import MqttIngest
from realtime.simulator import Faults, MqttTransport, players_from_db, step
from realtime.status import company_status, sweep
from tests.realtime.helpers import T0, batch, reading, wait_for

pytestmark = pytest.mark.slow


class Rig:
    """Ingest + simulator on one broker and one manual clock."""

    def __init__(self, app, url: str, root: str, codes: list[str], faults: Faults):
        self.db = app.extensions["db"]
        self.clock = ManualClock(T0)
        with self.db.session() as s:
            tokens = {c: issue_token(s, "realtime", "prueba", supervised_company_id=s.scalar(
                select(SupervisedCompany.id).where(SupervisedCompany.code == c)))[0] for c in codes}
        with self.db.session() as s:
            self.players = players_from_db(s, codes, tokens, faults)
        self.ingest = MqttIngest(self.db, url, self.clock, client_id=f"ing-{root}", sweep_interval=None, topic_root=root)
        self.ingest.start()
        assert self.ingest.wait_connected(10)
        self.transport = MqttTransport(url, client_prefix=f"sala-{root}", topic_root=root)

    def at(self, seconds: float) -> dt.datetime:
        """Move the clock to T0 + seconds."""
        self.clock.set(T0 + dt.timedelta(seconds=seconds))
        return self.clock.now()

    def play(self, seconds: float) -> None:
        """One simulator cycle at T0 + seconds, waiting until the ingest has stored it."""
        before = self.ingest.processed
        sent = step(self.players, self.transport, self.at(seconds))
        assert wait_for(lambda: self.ingest.processed >= before + sent, 10), "the ingest did not process the batch"

    def status(self, code: str):
        with self.db.session() as s:
            company = s.scalar(select(SupervisedCompany).where(SupervisedCompany.code == code))
            return company_status(s, company, self.clock.now())

    def events(self, code: str) -> list[str]:
        with self.db.session() as s:
            cid = s.scalar(select(SupervisedCompany.id).where(SupervisedCompany.code == code))
            return list(s.scalars(select(ConnectionEvent.kind).where(ConnectionEvent.company_id == cid)
                                  .order_by(ConnectionEvent.id)))

    def close(self):
        self.transport.close()
        self.ingest.stop()


@pytest.fixture
def rig_factory(app, companies, system_broker, topic_root):
    rigs = []

    def make(codes, faults=None):
        rig = Rig(app, system_broker, topic_root, codes, faults or Faults(alarm_rate=0))
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.close()


def test_incierto_at_the_three_minute_mark_and_not_before(rig_factory):
    """Measures go stale after 60 s while the link stays up (states keep arriving)."""
    rig = rig_factory(["TSA"], Faults(stale_after=60, alarm_rate=0))
    for t in (0, 30, 60, 90, 120, 150, 180):
        rig.play(t)
        assert rig.status("TSA").status == "normal"
    assert wait_for(lambda: rig.events("TSA") == ["connected"])  # the control room is online
    last = rig.status("TSA").last_measure_at
    assert last == T0 + dt.timedelta(seconds=30)  # the last measure arrived at 30 s
    rig.play(209)
    st = rig.status("TSA")
    assert st.status == "normal" and st.silent_seconds == 179
    rig.at(210)
    assert rig.status("TSA").status == "uncertain"
    with rig.db.session() as s:
        sweep(s, rig.clock)
    with rig.db.session() as s:
        tsa_id = s.scalar(select(SupervisedCompany.id).where(SupervisedCompany.code == "TSA"))
        entry = s.scalar(select(RtLogEntry).where(RtLogEntry.nature == "uncertain", RtLogEntry.company_id == tsa_id))
        assert entry is not None and "Incierto" in entry.message and "desde hace 180 s" in entry.message


def test_a_recorded_outage_is_not_incierto_and_restarts_the_window(rig_factory):
    rig = rig_factory(["TSB"])
    rig.play(0)
    player = rig.players[0]
    rig.at(10)
    rig.transport.link(player, False)  # abrupt drop: the broker publishes the last will
    assert wait_for(lambda: rig.events("TSB")[-1:] == ["disconnected"], 10)
    rig.at(400)
    assert rig.status("TSB").status == "link_down"
    rig.transport.link(player, True)
    assert wait_for(lambda: rig.events("TSB")[-1:] == ["connected"], 10)
    rig.at(579)
    assert rig.status("TSB").status == "normal"  # 179 s since the link came back at 400 s
    rig.at(580)
    assert rig.status("TSB").status == "uncertain"


def test_availability_of_a_simulated_disconnection_equals_the_hand_computed_figure(rig_factory):
    """Batches every 30 s; the link is down from 600 s to 900 s; the window is 1200 s."""
    rig = rig_factory(["TSA"], Faults(disconnect_every=600, disconnect_for=300, alarm_rate=0))
    for t in range(0, 1200, 30):
        rig.play(t)
        if t == 600:
            assert wait_for(lambda: rig.events("TSA")[-1:] == ["disconnected"], 10)
        if t == 900:
            assert wait_for(lambda: rig.events("TSA")[-1:] == ["connected"], 10)
    with rig.db.session() as s:
        company = s.scalar(select(SupervisedCompany).where(SupervisedCompany.code == "TSA"))
        rep = av.availability(s, company, T0, T0 + dt.timedelta(seconds=1200), T0 + dt.timedelta(seconds=1200), daily=False)
        # Coverage per signal: [0, 570] and [900, 1170] -> 840 s of 1200 s.
        assert rep.index == pytest.approx(70.0)
        cycles = av.link_tests(s, company, T0, T0 + dt.timedelta(hours=1)).cycles
    assert [c.seconds for c in cycles] == [300.0]


def test_deadband_and_state_mapping_through_the_broker(rig_factory):
    rig = rig_factory(["TSA", "TSB"])
    tsa, tsb = rig.players
    sends = [(tsa, batch("m1", reading("TSA_EC01_FT", T0, value=80.0), reading("TSA_EC01_XV_IN", T0, state="00"))),
             (tsa, batch("m2", reading("TSA_EC01_FT", T0, value=80.6))),
             (tsa, batch("m3", reading("TSA_EC01_FT", T0, value=81.01), reading("TSA_EC01_XV_IN", T0, state="11"))),
             (tsb, batch("m4", reading("TSB_PP01_XV_SDV", T0, state="00"), reading("TSB_PP01_FT_GHI", T0, value=150.0))),
             (tsb, batch("m5", reading("TSB_PP01_FT_GHI", T0, value=151.9), reading("TSB_PP01_XV_SDV", T0, state=2)))]
    before = rig.ingest.processed
    rig.transport.wait_published([rig.transport.send(p, b) for p, b in sends])
    assert wait_for(lambda: rig.ingest.processed == before + len(sends), 10)
    with rig.db.session() as s:
        def stored(code, attr):
            sid = s.scalar(select(Signal.id).where(Signal.code == code))
            return [getattr(x, attr) for x in s.scalars(select(Sample).where(Sample.signal_id == sid).order_by(Sample.id))]

        assert stored("TSA_EC01_FT", "value") == [80.0, 81.01]  # 80.6 is inside 1 % of 100
        assert stored("TSB_PP01_FT_GHI", "value") == [150.0]  # 151.9 is inside 1 % of 200
        assert stored("TSA_EC01_XV_IN", "state") == ["11", "00"]  # TASE.2 between / invalid
        assert stored("TSB_PP01_XV_SDV", "state") == ["00", "10"]  # the norm's own codes; int 2 = 0b10


def test_simulated_valve_states_arrive_in_the_norm_convention_for_both_encodings(rig_factory):
    rig = rig_factory(["TSA", "TSB"], Faults(state_error=0.0, alarm_rate=0))
    seen = {p.code: [] for p in rig.players}
    for t in range(0, 300, 30):
        rig.play(t)
        for p in rig.players:
            seen[p.code].extend(p._valves.values())
    with rig.db.session() as s:
        for code, valve in (("TSA", "TSA_EC01_XV_IN"), ("TSB", "TSB_PP01_XV_SDV")):
            sid = s.scalar(select(Signal.id).where(Signal.code == valve))
            stored = [x.state for x in s.scalars(select(Sample).where(Sample.signal_id == sid).order_by(Sample.id))]
            # The simulator encodes with the company's mapping; the ingest decodes back to the norm.
            assert stored and set(stored) <= set(seen[code]) and "00" not in stored

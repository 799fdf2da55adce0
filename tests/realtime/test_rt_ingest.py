"""Ingest semantics: dedupe, quality, deadband, negative flows, state mapping, latency, alarms, LOG."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data.models import RtAlarm, RtLogEntry, Sample, Signal
from realtime import naming, quality, states
from realtime.clock import ManualClock
from realtime.ingest import BatchError, ingest_batch
from tests.realtime.helpers import T0, batch, reading


def _samples(session, code):
    sig = session.scalar(select(Signal).where(Signal.code == code))
    return list(session.scalars(select(Sample).where(Sample.signal_id == sig.id).order_by(Sample.id)))


def test_quality_byte_decodes_validity_source_and_timestamp_flags():
    assert quality.decode(0) == quality.Quality("VALID", "TELEMETERED", False, "VALID")
    q = quality.decode(8 | 32 | 128)
    assert (q.validity, q.source, q.timestamp_quality) == ("HELD", "CALCULATED", "INVALID")
    assert quality.decode(4).validity == "SUSPECT" and quality.decode(12).validity == "NOTVALID"
    assert quality.decode(48 | 64).source == "ESTIMATED" and quality.decode(64).abnormal
    for validity in quality.VALIDITY.values():
        for source in quality.SOURCE.values():
            assert quality.decode(quality.encode(validity, source)).validity == validity
    with pytest.raises(ValueError):
        quality.decode(256)


def test_mnemonic_convention_accepts_documented_codes_and_refuses_others():
    code = naming.parse_code("TSU_EC01_PT_IN")
    assert (code.company, code.installation, code.tag, code.qualifier, code.kind) == ("TSU", "EC01", "PT", "IN", "measure")
    assert naming.parse_code("PLM_PP01_XV_SDV").kind == "state"
    assert naming.parse_code("NOR_LT01_XA_ESD").kind == "alarm"
    assert naming.parse_code("NOR_LT01_FT_HUM").is_flow
    for bad in ("tsu_EC01_PT", "TSU_ZZ01_PT", "TSU_EC1_PT", "TSU_EC01_QQ", "TSU_EC01_PT_in", "TSU-EC01-PT"):
        with pytest.raises(naming.NamingError):
            naming.parse_code(bad)


def test_state_mapping_per_company(db_session, companies):
    """The same raw 2-bit code means different things for a TASE.2 company and a norm-encoded one."""
    clock = ManualClock(T0)
    for code, company in (("TSA_EC01_XV_IN", companies["TSA"]), ("TSB_PP01_XV_SDV", companies["TSB"])):
        for i, raw in enumerate(("10", "01", "00", "11")):
            ingest_batch(db_session, company, batch(f"{code}-{i}", reading(code, clock.now(), state=raw)), clock)
            clock.advance(5)
    tsa = [s.state for s in _samples(db_session, "TSA_EC01_XV_IN")]
    tsb = [s.state for s in _samples(db_session, "TSB_PP01_XV_SDV")]
    # TASE.2: 00 between -> 11 in transit, 11 invalid -> 00 error; 10 and 01 coincide.
    assert tsa == ["10", "01", "11", "00"]
    assert tsb == ["10", "01", "00", "11"]
    assert [states.label(s) for s in tsa] == ["cerrado", "abierto", "en tránsito", "error"]
    # The error state is logged for each company once.
    logs = db_session.scalars(select(RtLogEntry.message).where(RtLogEntry.nature == "validation")).all()
    assert any("TSA_EC01_XV_IN: estado 00" in m for m in logs) and any("TSB_PP01_XV_SDV: estado 00" in m for m in logs)


def test_deadband_keeps_changes_within_one_percent_of_nominal_out(db_session, companies):
    clock = ManualClock(T0)
    company = companies["TSA"]  # TSA_EC01_FT nominal 100 -> deadband 1.0
    values = [80.0, 80.6, 81.0, 81.01, 79.9, 79.9]
    for i, v in enumerate(values):
        r = ingest_batch(db_session, company, batch(f"d{i}", reading("TSA_EC01_FT", clock.now(), value=v)), clock)
        clock.advance(10)
    stored = [s.value for s in _samples(db_session, "TSA_EC01_FT")]
    # 80.6 (+0.6) and 81.0 (+1.0, exactly 1 %) are within the band; 81.01 (+1.01) is not; 79.9 (-1.11) is.
    assert stored == [80.0, 81.01, 79.9]
    assert r.deadband == 1
    # A quality change is always stored, even inside the band.
    ingest_batch(db_session, company, batch("dq", reading("TSA_EC01_FT", clock.now(), value=79.95, quality=4)), clock)
    assert [s.validity for s in _samples(db_session, "TSA_EC01_FT")][-1] == "SUSPECT"
    # Still, every receipt counts as an update for the "Incierto" watch.
    sig = db_session.scalar(select(Signal).where(Signal.code == "TSA_EC01_FT"))
    assert sig.last_received_at is not None


def test_negative_flow_is_stored_marked_wrong_and_logged(db_session, companies):
    clock = ManualClock(T0)
    r = ingest_batch(db_session, companies["TSA"], batch("n1", reading("TSA_EC01_FT", clock.now(), value=-12.5),
                                                         reading("TSA_EC01_PT_IN", clock.now(), value=-1.0)), clock)
    assert r.wrong_values == 1
    flow = _samples(db_session, "TSA_EC01_FT")[0]
    assert flow.wrong_value and flow.value == -12.5
    assert not _samples(db_session, "TSA_EC01_PT_IN")[0].wrong_value  # only flows carry the sign rule
    msg = db_session.scalar(select(RtLogEntry.message).where(RtLogEntry.nature == "validation",
                                                         RtLogEntry.company_id == companies["TSA"].id))
    assert "flujo negativo" in msg and "TSA_EC01_FT" in msg


def test_a_repeated_message_stores_nothing_twice(db_session, companies):
    clock = ManualClock(T0)
    body = batch("same-id", reading("TSA_EC01_FT", clock.now(), value=50.0), reading("TSA_EC01_XA_ESD", clock.now(), value=1))
    first = ingest_batch(db_session, companies["TSA"], body, clock)
    db_session.commit()
    clock.advance(3)
    again = ingest_batch(db_session, companies["TSA"], body, clock)
    db_session.commit()
    assert (first.stored, again.stored, again.duplicates) == (2, 0, 2)
    assert len(_samples(db_session, "TSA_EC01_FT")) == 1
    assert db_session.scalar(select(RtAlarm.id).where(RtAlarm.severity == "emergency")) is not None
    assert len(db_session.scalars(select(RtAlarm).join(Signal, Signal.id == RtAlarm.signal_id).where(Signal.code == "TSA_EC01_XA_ESD")).all()) == 1


def test_latency_is_measured_against_30_seconds_and_clock_skew_flags_the_timestamp(db_session, companies):
    clock = ManualClock(T0)
    ingest_batch(db_session, companies["TSA"], batch("l1", reading("TSA_EC01_FT", T0 - dt.timedelta(seconds=12), value=10.0)), clock)
    r = ingest_batch(db_session, companies["TSA"], batch("l2", reading("TSA_EC01_FT", T0 - dt.timedelta(seconds=45), value=20.0)), clock)
    ahead = ingest_batch(db_session, companies["TSA"], batch("l3", reading("TSA_EC01_FT", T0 + dt.timedelta(seconds=40), value=30.0)), clock)
    samples = _samples(db_session, "TSA_EC01_FT")
    assert [s.latency_ms for s in samples] == [12000, 45000, -40000]
    assert r.late == 1 and ahead.late == 0
    assert samples[2].timestamp_quality == "INVALID" and samples[0].timestamp_quality == "VALID"
    late_log = db_session.scalar(select(RtLogEntry.message).where(RtLogEntry.nature == "latency",
                                                              RtLogEntry.company_id == companies["TSA"].id))
    assert "latencia mayor a 30 s" in late_log and "45.0 s" in late_log


def test_unknown_register_and_bad_envelope_are_logged_as_dataset_failures(db_session, companies):
    clock = ManualClock(T0)
    r = ingest_batch(db_session, companies["TSA"], batch("u1", reading("TSB_PP01_FT_GHI", T0, value=1.0),
                                                         reading("TSA_EC01_FT", T0, value="x")), clock)
    assert r.rejected == 2 and r.stored == 0
    natures = set(db_session.scalars(select(RtLogEntry.nature).where(RtLogEntry.company_id == companies["TSA"].id)))
    assert {"dataset", "validation"} <= natures
    with pytest.raises(BatchError):
        ingest_batch(db_session, companies["TSA"], {"message_id": "", "readings": []}, clock)


def test_alarm_raise_and_clear(db_session, companies):
    clock = ManualClock(T0)
    for i, v in enumerate((0, 1, 1, 0)):
        ingest_batch(db_session, companies["TSA"], batch(f"a{i}", reading("TSA_EC01_XA_ESD", clock.now(), value=v)), clock)
        clock.advance(30)
    alarm = db_session.scalars(select(RtAlarm).join(Signal, Signal.id == RtAlarm.signal_id).where(Signal.code == "TSA_EC01_XA_ESD")).one()
    assert alarm.severity == "emergency"
    assert alarm.raised_at is not None and alarm.cleared_at is not None

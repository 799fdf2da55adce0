"""Availability index against hand-computed cases; the 504 h acceptance test; Appendix C 3.3/3.4."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from auth.scope import Actor
from data.models import ConnectionEvent, MaintenanceWindow, RtLogEntry, Signal, TransferCoverage
from realtime import availability as av
from realtime import maintenance

H = dt.timedelta(hours=1)
LIMA = av.LIMA
CSO = Actor(None, "supervisor", "supervisor")


def lima(y, m, d, h=0):
    return dt.datetime(y, m, d, h, tzinfo=LIMA).astimezone(dt.timezone.utc)


def cover(session, codes, spans):
    for code in codes:
        sid = session.scalar(select(Signal.id).where(Signal.code == code))
        for a, b in spans:
            session.add(TransferCoverage(signal_id=sid, starts_at=a, ends_at=b))
    session.flush()


TSA_COUNTED = ("TSA_EC01_FT", "TSA_EC01_PT_IN", "TSA_EC01_XV_IN")  # the alarm is not counted


def test_maintenance_reported_on_time_is_excluded_and_late_one_is_not(db_session, companies):
    tsa = companies["TSA"]
    start, end = lima(2026, 11, 1), lima(2026, 11, 11)  # 240 h
    cover(db_session, ["TSA_EC01_FT"], [(start, end)])
    cover(db_session, ["TSA_EC01_PT_IN"], [(start, start + 100 * H), (start + 124 * H, end)])  # 24 h gap
    cover(db_session, ["TSA_EC01_XV_IN"], [(start, start + 50 * H), (start + 98 * H, end)])  # 48 h gap
    # Reported 5 Nov for November: the valve's 24 h inside its gap is excluded.
    maintenance.upload(db_session, CSO, tsa, "senal,inicio,fin,nota\nTSA_EC01_XV_IN,2026-11-03 02:00,2026-11-04 02:00,RTU\n",
                       dt.date(2026, 11, 5), lima(2026, 11, 5))
    # Reported 12 Nov (after day 10): kept, logged, not excluded.
    late = maintenance.upload(db_session, CSO, tsa, "senal;inicio;fin\nTSA_EC01_PT_IN;2026-11-05 04:00;2026-11-06 04:00\n",
                              dt.date(2026, 11, 12), lima(2026, 11, 12))
    assert [w.accepted for w in late] == [False]
    assert db_session.scalar(select(RtLogEntry.message).where(RtLogEntry.nature == "maintenance",
                                                              RtLogEntry.company_id == tsa.id))
    rep = av.availability(db_session, tsa, start, end, now=lima(2026, 12, 1), daily=False)
    # required: 240 + 240 + (240 - 24) = 696 h; effective: 240 + 216 + (216 - 24) = 648 h
    assert rep.required_s == pytest.approx(696 * 3600)
    assert rep.effective_s == pytest.approx(648 * 3600)
    assert rep.excluded_s == pytest.approx(24 * 3600)
    assert rep.index == pytest.approx(100 * 648 / 696)


def test_installation_maintenance_excludes_all_its_signals(db_session, companies):
    tsa = companies["TSA"]
    start, end = lima(2026, 11, 1), lima(2026, 11, 2)  # 24 h
    cover(db_session, TSA_COUNTED, [(start, start + 12 * H)])
    ec01 = db_session.scalar(select(Signal.installation_id).where(Signal.code == "TSA_EC01_FT"))
    db_session.add(MaintenanceWindow(company_id=tsa.id, installation_id=ec01, starts_at=start + 12 * H,
                                     ends_at=start + 18 * H, reported_on=dt.date(2026, 11, 1), accepted=True))
    db_session.flush()
    rep = av.availability(db_session, tsa, start, end, now=end, daily=False)
    assert rep.index == pytest.approx(100 * 12 / 18)  # 3 x 12 h of 3 x 18 h required


def test_stage_change_inside_a_semester_holds_each_part_to_its_threshold(db_session, companies):
    """TSA joined 10 Jan 2026: stage 1 (75 %) until 10 Jul, stage 2 (90 %) after; S2-2026 starts 1 Jul."""
    tsa = companies["TSA"]
    now = lima(2026, 8, 9)
    cover(db_session, TSA_COUNTED, [(lima(2026, 7, 1), lima(2026, 7, 1) + 100 * H),
                                    # 43.2 h missing in stage 1 (216 h): 80 %
                                    (lima(2026, 7, 1) + 143.2 * H, lima(2026, 7, 20)),
                                    # 72 h missing in stage 2 (720 h): exactly 90 %
                                    (lima(2026, 7, 23), now)])
    rep = av.semester_availability(db_session, tsa, 2026, 2, now)
    assert [(s.stage, s.threshold) for s in rep.segments] == [("Primera etapa", 75.0), ("Segunda etapa", 90.0)]
    assert rep.segments[0].ends_at == lima(2026, 7, 10)
    assert rep.segments[0].index == pytest.approx(80.0)
    assert rep.segments[1].index == pytest.approx(90.0)
    assert [s.compliant for s in rep.segments] == [True, True] and rep.compliant
    assert rep.index == pytest.approx(100 * (172.8 + 648) / 936)  # 87.7 %: below 90 %, yet compliant by stage
    # The daily series carries the stage threshold drawn on the dashboard.
    assert rep.daily[0]["threshold"] == 75.0 and rep.daily[-1]["threshold"] == 90.0
    assert rep.daily[0]["index"] == pytest.approx(100.0)
    assert rep.daily[20]["day"] == dt.date(2026, 7, 21) and rep.daily[20]["index"] == pytest.approx(0.0)


def test_target_stage_after_twelve_months(db_session, companies):
    tsa = companies["TSA"]
    segs = av.stage_segments(tsa.incorporated_on, lima(2027, 1, 1), lima(2027, 7, 1))
    assert [(s[2], s[3]) for s in segs] == [(90.0, "Segunda etapa"), (96.0, "Etapa objetivo")]
    assert segs[1][0] == lima(2027, 1, 10)


def test_semester_boundaries_are_calendar_semesters_in_lima_time(db_session, companies):
    tsb = companies["TSB"]
    tsb.incorporated_on = dt.date(2026, 12, 31)
    assert av.semester_bounds(2026, 2) == (lima(2026, 7, 1), lima(2027, 1, 1))
    assert av.semester_of(lima(2027, 1, 1)) == (2027, 1)
    assert av.semester_of(lima(2027, 1, 1) - dt.timedelta(seconds=1)) == (2026, 2)
    # Covered from 06:00 on 31 Dec to 06:00 on 1 Jan (Lima), both TSB signals.
    cover(db_session, ("TSB_PP01_FT_GHI", "TSB_PP01_XV_SDV"), [(lima(2026, 12, 31, 6), lima(2027, 1, 1, 6))])
    now = lima(2027, 1, 1, 12)
    s2 = av.semester_availability(db_session, tsb, 2026, 2, now)
    s1 = av.semester_availability(db_session, tsb, 2027, 1, now)
    assert (s2.required_s / 3600, s2.index) == (pytest.approx(48.0), pytest.approx(75.0))  # 18 of 24 h
    assert (s1.required_s / 3600, s1.index) == (pytest.approx(24.0), pytest.approx(50.0))  # 6 of 12 h so far


def test_acceptance_test_504_hours(db_session, companies):
    tsa = companies["TSA"]
    start = lima(2026, 3, 2, 9)
    cover(db_session, TSA_COUNTED, [(start, start + 300 * H), (start + 400 * H, start + 504 * H)])
    running = av.acceptance_test(db_session, tsa, start, start + 350 * H)
    assert running.verdict == "en curso" and running.index == pytest.approx(100 * 300 / 350)
    done = av.acceptance_test(db_session, tsa, start, start + 600 * H)
    assert done.ends_at == start + 504 * H
    assert done.index == pytest.approx(100 * 404 / 504) and done.verdict == "aprobada"  # 80.2 %
    failing = av.acceptance_test(db_session, companies["TSB"], start, start + 600 * H)
    assert failing.verdict == "rechazada"


def test_stop_start_and_reconnection_tests_from_connection_events(db_session, companies):
    tsa = companies["TSA"]
    t0 = lima(2026, 1, 12, 10)
    for i, seconds in enumerate((2, 3, 4, 5, 6, 7)):
        at = t0 + dt.timedelta(minutes=5 * i)
        db_session.add(ConnectionEvent(company_id=tsa.id, at=at, kind="disconnected", detail=f"parada {i}"))
        db_session.add(ConnectionEvent(company_id=tsa.id, at=at + dt.timedelta(seconds=seconds), kind="connected"))
    db_session.flush()
    ok = av.link_tests(db_session, tsa, t0, t0 + H)
    assert len(ok.cycles) == 6 and ok.max_seconds == 7 and ok.reconnection_ok and ok.stability_ok
    four = av.link_tests(db_session, tsa, t0, t0 + dt.timedelta(minutes=16))
    assert len(four.cycles) == 4 and four.reconnection_ok and not four.stability_ok
    db_session.add(ConnectionEvent(company_id=tsa.id, at=t0 + 2 * H, kind="outage_start"))
    db_session.add(ConnectionEvent(company_id=tsa.id, at=t0 + 2 * H + dt.timedelta(seconds=12), kind="outage_end"))
    db_session.flush()
    slow = av.link_tests(db_session, tsa, t0, t0 + 3 * H)
    assert slow.max_seconds == 12 and not slow.reconnection_ok and slow.stability_ok

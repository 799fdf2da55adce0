"""Hand-computed examples of every capacity criterion, the binding choice and the floor at zero.

Tiny synthetic inputs, never the seeded database. Rows marked level "MT" take Scc as given, so the
arithmetic below can be followed with a pocket calculator.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from services.capacity.calc import capacity_class, eg_capacity, pmgd_capacity, scc_at_lv_bus
from services.capacity.criteria import CapacityCriteria

DEFAULT = CapacityCriteria()


def eg_row(kva=100.0, scc=3300.0, demand=30.0, connected=5.0, queue=3.0, level="MT", criteria=DEFAULT) -> dict:
    frame = pd.DataFrame([dict(kva=kva, scc_mv_kva=scc, min_daytime_demand_kw=demand, eg_connected_kw=connected,
                               eg_queue_kw=queue, level=level)])
    return eg_capacity(frame, criteria).iloc[0].to_dict()


def test_scc_is_carried_from_the_mv_node_to_the_lv_bus_through_the_transformer():
    # 100 kVA at uk 4 % -> 2500 kVA of transformer short-circuit power; in series with 20 000 kVA:
    # 20000 * 2500 / 22500 = 2222.2 kVA.
    assert scc_at_lv_bus(20000.0, 100.0, 0.04) == pytest.approx(2222.222, rel=1e-6)
    r = eg_row(kva=100, scc=20000, level="BT")
    assert r["scc_kva"] == pytest.approx(2222.222, rel=1e-6)
    assert r["cip_kw"] == pytest.approx(2222.222 / 33, rel=1e-6)  # 67.34 kW


def test_cip_takes_the_smaller_term_and_reports_it():
    # Scc 3300: Scc/(33*1) = 100 kW, 10 % Scc = 330 kW -> CIP = 100 (Kvs term binds); EG 5 + 3 in queue -> 92 free.
    r = eg_row()
    assert (r["cip_scc_kvs_kw"], r["cip_scc_share_kw"], r["cip_kw"]) == pytest.approx((100.0, 330.0, 100.0))
    assert r["cip_binding"] == "scc_kvs"
    assert r["eg_total_kw"] == 8.0 and r["cip_available_kw"] == pytest.approx(92.0)
    # With Kvs = 5 the Scc share binds: 3300/5 = 660 > 330.
    r = eg_row(criteria=CapacityCriteria(kvs_lv=5.0))
    assert r["cip_kw"] == pytest.approx(330.0) and r["cip_binding"] == "scc_share"


def test_iep_demand_criterion_binds():
    # Demand 30 - EG 8 = 22; Scc/20 - 8 = 165 - 8 = 157; CIP free 92 -> IEP 22, demand binds.
    r = eg_row()
    assert r["iep_demand_kw"] == pytest.approx(22.0) and r["iep_scc_kw"] == pytest.approx(157.0)
    assert r["iep_kw"] == pytest.approx(22.0) and r["iep_binding"] == "demand" and not r["iep_floored"]
    assert r["available_kw"] == r["iep_kw"]


def test_iep_short_circuit_criterion_binds_when_cip_allows_it():
    # Kvs 15: CIP = min(1000/15 = 66.7, 100) = 66.7. Demand 200 - 0 = 200; Scc/20 = 50 -> IEP 50, Scc binds.
    r = eg_row(scc=1000, demand=200, connected=0, queue=0, criteria=CapacityCriteria(kvs_lv=15.0))
    assert r["cip_kw"] == pytest.approx(1000 / 15)
    assert r["iep_kw"] == pytest.approx(50.0) and r["iep_binding"] == "scc"


def test_iep_is_capped_by_the_free_cip():
    # Default Kvs: CIP = 1000/33 = 30.3; demand 200, Scc/20 = 50 -> raw 50 but capped at 30.3: CIP binds.
    r = eg_row(scc=1000, demand=200, connected=0, queue=0)
    assert r["iep_kw"] == pytest.approx(1000 / 33) and r["iep_binding"] == "cip"


def test_iep_is_floored_at_zero():
    # Demand 5 - EG (5 + 3) = -3 -> IEP 0, flagged as floored; the demand criterion is still the limiting one.
    r = eg_row(demand=5.0)
    assert r["iep_raw_kw"] == pytest.approx(-3.0)
    assert r["iep_kw"] == 0.0 and r["iep_floored"] and r["iep_binding"] == "demand"
    assert r["capacity_class"] == "none"


def test_cip_available_is_floored_at_zero_when_eg_exceeds_it():
    r = eg_row(scc=330, connected=12, queue=0)  # CIP = 10 kW, EG 12
    assert r["cip_kw"] == pytest.approx(10.0) and r["cip_available_kw"] == 0.0 and r["iep_kw"] == 0.0


def test_unpublished_demand_gives_no_iep_instead_of_a_guess():
    r = eg_row(demand=float("nan"))
    assert math.isnan(r["iep_kw"]) and r["iep_binding"] is None and r["capacity_class"] == "unknown"
    assert r["cip_available_kw"] == pytest.approx(92.0)  # CIP does not need the demand


def test_queue_counts_like_connected_eg():
    with_queue = eg_row(connected=5, queue=3)
    connected_only = eg_row(connected=8, queue=0)
    assert with_queue["iep_kw"] == connected_only["iep_kw"] and with_queue["cip_available_kw"] == connected_only["cip_available_kw"]
    assert eg_row(connected=5, queue=0)["iep_kw"] - with_queue["iep_kw"] == pytest.approx(3.0)


def test_simplified_track_lv_and_mv():
    # LV, 50 kVA, EG 8: min(10 kW, 20 % * 50 - 8 = 2) = 2 kW.
    r = eg_row(kva=50, connected=8, queue=0, level="BT", scc=20000)
    assert r["simplified_max_kw"] == pytest.approx(2.0) and r["simplified_applies"]
    # LV, EG 12 already above 20 % of 50 kVA: no simplified track.
    r = eg_row(kva=50, connected=12, queue=0, level="BT", scc=20000)
    assert r["simplified_max_kw"] == 0.0 and not r["simplified_applies"]
    # MV, 500 kVA, EG 40: min(30 kW, 15 % * 500 - 40 = 35) = 30 kW.
    r = eg_row(kva=500, connected=40, queue=0, level="MT")
    assert r["simplified_max_kw"] == pytest.approx(30.0)


def pmgd_row(scc=200000.0, cap=8000.0, dmin=900.0, dmax=4000.0, pmgd=0.0, pmgd_q=0.0, eg=50.0, eg_q=0.0,
             criteria=DEFAULT) -> dict:
    frame = pd.DataFrame([dict(scc_kva=scc, capacity_kva=cap, min_demand_kw=dmin, max_demand_kw=dmax,
                               pmgd_connected_kw=pmgd, pmgd_queue_kw=pmgd_q, eg_connected_kw=eg, eg_queue_kw=eg_q)])
    return pmgd_capacity(frame, criteria).iloc[0].to_dict()


def test_pmgd_minimum_demand_screen_binds():
    # Limits: 1.0 * 900 = 900; 200000/20 = 10000; 8000 + 900 = 8900. Generation 50 -> 850 available.
    r = pmgd_row()
    assert (r["limit_min_demand_kw"], r["limit_short_circuit_kw"], r["limit_thermal_kw"]) == pytest.approx((900, 10000, 8900))
    assert r["pmgd_available_kw"] == pytest.approx(850.0) and r["pmgd_binding"] == "min_demand"
    assert r["ratio_gen_to_min_demand"] == pytest.approx(50 / 900) and r["short_circuit_ratio"] == pytest.approx(4000.0)


def test_pmgd_short_circuit_screen_binds():
    # Scc 10000 -> 500 kW limit, below the 900 kW demand limit. Generation 50 + queue 100 -> 350.
    r = pmgd_row(scc=10000, pmgd_q=100)
    assert r["pmgd_available_kw"] == pytest.approx(350.0) and r["pmgd_binding"] == "short_circuit"


def test_pmgd_thermal_screen_binds():
    # Demand ratio 5 -> 4500; thermal 1000 + 900 = 1900; Scc/20 = 10000. Generation 50 -> 1850.
    r = pmgd_row(cap=1000, criteria=CapacityCriteria(pmgd_max_gen_to_min_demand=5.0))
    assert r["pmgd_available_kw"] == pytest.approx(1850.0) and r["pmgd_binding"] == "thermal"


def test_pmgd_size_cap_binds_above_9_mw():
    r = pmgd_row(scc=1e6, cap=20000, eg=0, criteria=CapacityCriteria(pmgd_max_gen_to_min_demand=20.0))
    assert r["pmgd_raw_kw"] == pytest.approx(18000.0)
    assert r["pmgd_available_kw"] == 9000.0 and r["pmgd_binding"] == "pmgd_max"


def test_pmgd_floor_at_zero_counts_connected_and_queued():
    # 3000 connected + 1000 in process + 50 EG = 4050 > 900 -> raw -3150, floored at 0.
    r = pmgd_row(pmgd=3000, pmgd_q=1000)
    assert r["generation_total_kw"] == 4050.0
    assert r["pmgd_raw_kw"] == pytest.approx(-3150.0) and r["pmgd_available_kw"] == 0.0 and r["pmgd_floored"]
    assert r["pmgd_binding"] == "min_demand" and r["capacity_class"] == "none"


def test_pmgd_without_demand_data_is_unknown():
    r = pmgd_row(dmin=float("nan"))
    assert math.isnan(r["pmgd_available_kw"]) and r["pmgd_binding"] is None and r["capacity_class"] == "unknown"


def test_capacity_classes_follow_the_breaks():
    classes = capacity_class([float("nan"), 0.0, 2.9, 3.0, 9.99, 10.0, 500.0], (3.0, 10.0))
    assert list(classes) == ["unknown", "none", "low", "medium", "medium", "high", "high"]


def test_missing_input_column_is_an_error():
    with pytest.raises(KeyError, match="min_daytime_demand_kw"):
        eg_capacity(pd.DataFrame([dict(kva=1, scc_mv_kva=1, eg_connected_kw=0, eg_queue_kw=0)]), DEFAULT)

"""Network services against the seeded tiny database; expected values come from independent SQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from auth.scope import NotFound
from services.network import hierarchy as h
from services.network.assets import SearchError, equipment_history, search_assets
from services.network.demand import POWER_FACTOR, feeder_demands, feeder_transformer_margins, transformer_demands, \
    transformer_margin
from tests.conftest import AS_OF


def sql(session, query: str, **params):
    return session.execute(text(query), params).all()


def test_filter_offers_only_regions_and_comunas_where_companies_operate(ro_session, actor):
    served = sql(ro_session, "SELECT DISTINCT c.region_code FROM comunas c JOIN company_comunas cc ON cc.comuna_code = c.code")
    regions = h.regions(ro_session, actor)
    assert {r["code"] for r in regions.rows} == {code for (code,) in served}
    assert {r["name"] for r in regions.rows} == {"Valparaíso", "Maule"}  # DEA and CEM of the tiny profile
    all_regions = sql(ro_session, "SELECT COUNT(*) FROM regions")[0][0]
    assert all_regions > regions.total  # the other 14 regions are not offered
    for region in regions.rows:
        expected = sql(ro_session, "SELECT c.code FROM comunas c JOIN company_comunas cc ON cc.comuna_code = c.code "
                                   "WHERE c.region_code = :r ORDER BY c.name", r=region["code"])
        assert [c["code"] for c in h.comunas(ro_session, actor, region["code"]).rows] == [c for (c,) in expected]


def test_filter_levels_below_comuna_match_the_database(ro_session, actor):
    for (comuna,) in sql(ro_session, "SELECT comuna_code FROM company_comunas"):
        subs = h.substations(ro_session, actor, comuna).rows
        assert [s["id"] for s in subs] == [i for (i,) in sql(
            ro_session, "SELECT id FROM substations WHERE comuna_code = :c ORDER BY code", c=comuna)]
        for sub in subs:
            feeders = h.feeders(ro_session, actor, sub["id"]).rows
            assert [f["id"] for f in feeders] == [i for (i,) in sql(
                ro_session, "SELECT id FROM feeders WHERE substation_id = :s ORDER BY code", s=sub["id"])]
            for feeder in feeders:
                trs = h.transformers(ro_session, actor, feeder["id"]).rows
                expected = sql(ro_session, "SELECT id, code FROM distribution_transformers WHERE feeder_id = :f "
                                           "ORDER BY code", f=feeder["id"])
                assert [(t["id"], t["code"]) for t in trs] == [tuple(r) for r in expected] and trs


def test_unserved_region_and_unknown_ids_are_not_found(ro_session, actor):
    with pytest.raises(NotFound):
        h.comunas(ro_session, actor, "13")  # Metropolitana: no company of the tiny profile
    with pytest.raises(NotFound):
        h.substations(ro_session, actor, "13101")
    for fetch in (h.feeders, h.transformers):
        with pytest.raises(NotFound):
            fetch(ro_session, actor, 999_999)


def test_feeder_shows_its_last_twelve_monthly_demands(ro_session, actor):
    feeder_id = sql(ro_session, "SELECT MIN(id) FROM feeders")[0][0]
    expected = sql(ro_session, "SELECT month, max_demand_kw, min_demand_kw FROM feeder_demands WHERE feeder_id = :f "
                               "ORDER BY month DESC", f=feeder_id)[:12]
    rows = feeder_demands(ro_session, actor, feeder_id)
    assert len(rows) == 12
    assert [(r["month"], r["max_kw"], r["min_kw"]) for r in rows] == [
        (dt.date.fromisoformat(str(m)[:10]), mx, mn) for m, mx, mn in expected]
    assert rows[0]["month"] == AS_OF and rows[-1]["month"] == dt.date(2025, 11, 1)


def test_transformer_margin_is_kva_times_pf_minus_twelve_month_peak(ro_session, actor):
    tr_id, kva, feeder_id = sql(ro_session, "SELECT id, kva, feeder_id FROM distribution_transformers "
                                            "WHERE smmc_monitored = :t ORDER BY id", t=True)[0]
    peak = sql(ro_session, "SELECT MAX(max_demand_kw) FROM transformer_demands WHERE transformer_id = :t "
                           "AND month >= :since", t=tr_id, since=dt.date(2025, 11, 1))[0][0]
    expected = round(kva * 0.95 - peak, 1)
    assert POWER_FACTOR == 0.95
    assert transformer_margin(ro_session, actor, tr_id) == (peak, expected)
    row = next(r for r in feeder_transformer_margins(ro_session, actor, feeder_id) if r["id"] == tr_id)
    assert (row["max_kw"], row["margin_kw"]) == (peak, expected)
    older = sql(ro_session, "SELECT MAX(max_demand_kw) FROM transformer_demands WHERE transformer_id = :t", t=tr_id)[0][0]
    assert older >= peak  # 36 months are stored; only the last 12 count


def test_transformer_demands_are_published_only_when_smmc_monitored(ro_session, actor):
    monitored, not_monitored = (sql(ro_session, "SELECT MIN(id) FROM distribution_transformers WHERE smmc_monitored = :v",
                                    v=v)[0][0] for v in (True, False))
    rows = transformer_demands(ro_session, actor, monitored)
    assert len(rows) == 12 and rows[0]["month"] == AS_OF
    assert all(r["min_kw"] <= r["max_kw"] for r in rows)
    assert transformer_demands(ro_session, actor, not_monitored) is None


def test_asset_search_is_partial_case_insensitive_and_paginated(ro_session, actor):
    feeder_id = sql(ro_session, "SELECT MIN(id) FROM feeders")[0][0]
    codes = [c for (c,) in sql(ro_session, "SELECT code FROM poles WHERE feeder_id = :f ORDER BY code", f=feeder_id)]
    fragment = codes[3][-3:]
    expected = [c for c in codes if fragment.upper() in c.upper()]
    page = search_assets(ro_session, actor, feeder_id, "poste", fragment.lower(), 1, 50)
    assert [r["code"] for r in page.rows] == expected and page.total == len(expected)
    everything = search_assets(ro_session, actor, feeder_id, "poste", "p-", 2, 5)
    assert everything.total == len(codes) and [r["code"] for r in everything.rows] == codes[5:10]
    assert search_assets(ro_session, actor, feeder_id, "poste", "%", 1, 5).total == 0  # LIKE wildcards are literal
    first = page.rows[0]
    assert {"x", "y", "datum", "zone", "voltages", "vnr_code"} <= set(first) and first["vnr_href"].startswith("/red/vnr?codigo=")
    with pytest.raises(SearchError):
        search_assets(ro_session, actor, feeder_id, "poste", "x" * 41)
    with pytest.raises(SearchError):
        search_assets(ro_session, actor, feeder_id, "poste", "", 1, 501)


def test_span_and_equipment_search_show_the_fields_of_fig_11(ro_session, actor):
    span_id, feeder_id, code = sql(ro_session, "SELECT id, feeder_id, code FROM spans ORDER BY id")[0]
    span = search_assets(ro_session, actor, feeder_id, "vano", code).rows
    assert len(span) == 1 and span[0]["from_node"].startswith("SE-")  # the head span leaves the substation
    assert {"to_node", "length_m", "conductor_material", "conductor_insulation", "ampacity_a", "phases"} <= set(span[0])
    eq_id, eq_feeder, eq_code = sql(ro_session, "SELECT id, feeder_id, code FROM equipment ORDER BY id")[0]
    eq = search_assets(ro_session, actor, eq_feeder, "equipo", eq_code.lower()).rows
    assert [e["code"] for e in eq] == [eq_code]
    assert {"kind", "capacity_text", "connection", "operating_mode", "voltage_setpoints", "ratio", "vnr_code"} <= set(eq[0])
    history = equipment_history(ro_session, actor, [eq_id])
    assert len(history) == 12 and history[0]["month"] == AS_OF

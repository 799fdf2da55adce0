"""Thresholds are settings: validated once, overridable, and each one documented with its source."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from services.capacity.criteria import SOURCES, CapacityCriteria, CriteriaError
from settings import Settings, SettingsError

DOC = Path(__file__).resolve().parents[2] / "docs" / "interconnection.md"


def test_defaults_are_the_documented_reading():
    c = CapacityCriteria()
    assert (c.kvs_lv, c.kman_inverter, c.cip_max_scc_share, c.iep_scc_divisor) == (33.0, 1.0, 0.10, 20.0)
    assert (c.simplified_max_kw_lv, c.simplified_max_kw_mv, c.simplified_max_share_lv, c.simplified_max_share_mv) == \
        (10.0, 30.0, 0.20, 0.15)
    assert c.pmgd_max_kw == 9000.0


def test_settings_build_validated_criteria_from_env_and_overrides():
    s = Settings.from_env({"RA_CAPACITY_CRITERIA": '{"kvs_lv": 25, "eg_class_breaks_kw": [2, 8]}'})
    assert isinstance(s.capacity_criteria, CapacityCriteria)
    assert s.capacity_criteria.kvs_lv == 25.0 and s.capacity_criteria.eg_class_breaks_kw == (2.0, 8.0)
    s2 = s.with_overrides({"capacity_criteria": {"demand_window_months": 6}})
    assert s2.capacity_criteria.demand_window_months == 6


@pytest.mark.parametrize("overrides", [{"kvs_lv": 0}, {"kvs_lv": "abc"}, {"cip_max_scc_share": 1.5},
                                       {"eg_class_breaks_kw": [10, 3]}, {"no_such_threshold": 1},
                                       {"demand_window_months": 0}])
def test_bad_thresholds_are_refused_at_startup(overrides):
    with pytest.raises(CriteriaError):
        CapacityCriteria.from_mapping(overrides)
    with pytest.raises(SettingsError):
        Settings().with_overrides({"capacity_criteria": overrides})


def test_env_value_must_be_json():
    with pytest.raises(SettingsError, match="JSON"):
        Settings.from_env({"RA_CAPACITY_CRITERIA": "kvs=33"})


def test_every_threshold_has_a_source_and_is_documented():
    doc = DOC.read_text(encoding="utf-8")
    for f in fields(CapacityCriteria):
        assert SOURCES.get(f.name), f"{f.name} has no source"
        assert f"`{f.name}`" in doc, f"{f.name} is not documented in docs/interconnection.md"


def test_criteria_endpoint_lists_values_and_sources(shared_auth):
    shared_auth.login("publico")
    data = shared_auth.client.get("/api/v1/capacidad/criterios").json
    by_key = {c["key"]: c for c in data["criteria"]}
    assert by_key["kvs_lv"]["value"] == 33.0 and "Kvs" in by_key["kvs_lv"]["source"]
    assert "no reemplazan el estudio de conexión" in data["disclaimer"]

"""Bad input: property-based tests of every parser, JSON body limits, and injection attempts made inert."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.security.conftest import csrf_of

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- RUT -----------------------------------------------------------------------------------------
@FAST
@given(st.one_of(st.text(max_size=30), st.from_regex(r"\s*[0-9.]{1,12}-?[0-9kK]\s*", fullmatch=True),
                 st.none(), st.integers(), st.binary(max_size=10)))
def test_normalize_rut_returns_a_normal_form_or_raises_ruterror(text):
    from services.rut import RutError, format_rut, normalize_rut

    try:
        normal = normalize_rut(text)
    except RutError:
        return
    body, dv = normal.split("-")
    assert body.isdigit() and int(body) > 0 and dv in "0123456789K"
    assert normalize_rut(format_rut(normal)) == normal  # format/normalise round trip


@FAST
@given(st.integers(min_value=1_000_000, max_value=99_999_999))  # python-stdnum's valid RUT range
def test_check_digit_roundtrip_and_a_wrong_digit_is_refused(body):
    from services.rut import RutError, check_digit, format_rut, normalize_rut

    dv = check_digit(body)
    assert normalize_rut(f"{body}-{dv}") == f"{body}-{dv}"
    assert normalize_rut(format_rut(f"{body}-{dv}")) == f"{body}-{dv}"
    wrong = next(d for d in "0123456789K" if d != dv)
    with pytest.raises(RutError):
        normalize_rut(f"{body}-{wrong}")


@FAST
@given(st.one_of(st.text(max_size=20), st.none(), st.integers(), st.booleans()))
def test_format_rut_and_check_digit_refuse_garbage_cleanly(value):
    from services.rut import RutError, check_digit, format_rut, rut_search_key

    for func in (format_rut, check_digit):
        try:
            func(value)
        except RutError:
            pass
    assert isinstance(rut_search_key(value if isinstance(value, str) else ""), str)


# -- coordinates and datums -----------------------------------------------------------------------
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12))
DATUMS = st.one_of(st.sampled_from(["WGS84", "SIRGAS2002", "SIRGAS2016", "PSAD56", "SAD69", "wgs84", "NAD27", ""]),
                   st.text(max_size=8), st.none())
ZONES = st.one_of(st.sampled_from(["18S", "19S", "12S", "17S", "19N", "19", ""]), st.text(max_size=4), st.none())


@FAST
@given(FLOATS, FLOATS, DATUMS, ZONES)
def test_reprojection_gives_a_finite_point_or_crserror(x, y, datum, zone):
    from geo.crs import CrsError, from_wgs84, to_wgs84

    try:
        lon, lat = to_wgs84(x, y, datum, zone)
    except CrsError:
        return
    assert math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
    try:
        back = from_wgs84(lon, lat, datum, zone)
    except CrsError:
        return
    assert all(math.isfinite(v) for v in back)


@FAST
@given(st.floats(min_value=200_000, max_value=800_000), st.floats(min_value=5_000_000, max_value=7_500_000),
       st.sampled_from(["WGS84", "SIRGAS2002", "SIRGAS2016"]), st.sampled_from(["18S", "19S"]))
def test_reprojection_round_trips_within_a_millimetre(x, y, datum, zone):
    from geo.crs import from_wgs84, to_wgs84

    lon, lat = to_wgs84(x, y, datum, zone)
    bx, by = from_wgs84(lon, lat, datum, zone)
    assert abs(bx - x) < 1e-3 and abs(by - y) < 1e-3


@pytest.mark.xfail(strict=True, reason="FINDING for geo/crs.py: PSAD56/SAD69 <-> WGS84 lets PROJ pick a regional "
                   "Helmert fit per point and the inverse can pick another one: round trips err up to ~70 m "
                   "(e.g. E 677772 N 6015733 19S). Remove this mark when geo.crs pins one transform per area.")
def test_psad56_sad69_round_trip_is_consistent():
    from geo.crs import from_wgs84, to_wgs84

    worst = 0.0
    for datum in ("PSAD56", "SAD69"):
        for zone in ("18S", "19S"):
            for x in range(200_000, 800_001, 50_000):
                for y in range(5_000_000, 7_500_001, 125_000):
                    bx, by = from_wgs84(*to_wgs84(x, y, datum, zone), datum, zone)
                    worst = max(worst, abs(bx - x), abs(by - y))
    assert worst < 1.0, f"worst round-trip error {worst:.1f} m"


@FAST
@given(st.one_of(FLOATS, st.none(), st.text(max_size=3)))
def test_zone_for_lon_is_a_southern_zone_or_crserror(lon):
    from geo.crs import CrsError, zone_for_lon

    try:
        zone = zone_for_lon(lon)
    except CrsError:
        return
    assert zone.endswith("S") and 1 <= int(zone[:-1]) <= 60


def test_unknown_datum_zone_is_a_clean_error():
    from geo.crs import CrsError, epsg_for, to_wgs84

    for datum, zone in (("NAD27", "19S"), ("WGS84", "19N"), ("PSAD56", "12S")):
        with pytest.raises(CrsError):
            epsg_for(datum, zone)
    with pytest.raises(CrsError):
        to_wgs84(300_000, 12_000_000, "WGS84", "19S")  # northing beyond the southern false northing


# -- view parameters, ids, page parameters, text folding -----------------------------------------
@FAST
@given(st.one_of(st.text(max_size=20), st.none()))
def test_view_param_converters_return_values_or_valueerror(text):
    import datetime as dt

    from reports.views import int_param, month_param, str_param

    for convert, kind in ((int_param, int), (month_param, dt.date), (str_param(10), str)):
        try:
            value = convert(text)
        except ValueError:
            continue
        assert isinstance(value, kind)
        if kind is int:
            assert value >= 0 and str(value) == text.lstrip("0") or text.strip("0") == ""
        if kind is dt.date:
            assert value.day == 1 and value.strftime("%Y-%m") == text.strip()


@FAST
@given(st.dictionaries(st.text(max_size=8), st.text(max_size=12), max_size=4))
def test_parse_params_raises_only_apierror(raw):
    from api.core import ApiError
    from reports.views import ViewSpec, int_param, month_param, optional, parse_params, str_param

    spec = ViewSpec("x", "x", None, lambda *a, **k: None,
                    {"feeder_id": int_param, "mes": optional(month_param), "q": optional(str_param(5))}, False)
    try:
        out = parse_params(spec, raw)
    except ApiError as exc:
        assert exc.status == 400
        return
    assert set(out) <= {"feeder_id", "mes", "q"} and isinstance(out["feeder_id"], int)


@FAST
@given(st.text(max_size=60))
def test_fold_text_is_idempotent_lowercase_and_accent_free(text):
    import unicodedata

    from services.search import fold_text

    folded = fold_text(text)
    assert fold_text(folded) == folded
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert folded == folded.strip() and "  " not in folded
    assert fold_text(None) == ""


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page_size=100000", "page_size=1e3",
                                   "page=99999999999999999999999"])
def test_page_params_refuse_bad_values_with_400(shared_app, query):
    from api.core import ApiError, page_params

    with shared_app.test_request_context(f"/api/v1/x?{query}"):
        with pytest.raises(ApiError) as info:
            page_params()
        assert info.value.status == 400


def test_huge_integer_ids_in_urls_are_404_not_database_errors(shared_app):
    from pages.registry import PageRegistry, PageSpec
    from auth.policy import PUBLIC

    registry = PageRegistry([PageSpec("x", "/x/<int:item_id>", "x", PUBLIC, lambda **k: None)])
    assert registry.match("/x/2147483647") is not None
    assert registry.match("/x/2147483648") is None and registry.match("/x/99999999999999999999") is None
    assert shared_app.url_map.converters["int"].__name__ == "BoundedIntConverter"


# -- JSON bodies ---------------------------------------------------------------------------------
@pytest.fixture
def echo_app(app):
    """The per-test app with a session-authenticated JSON write route (added before its first request)."""
    from flask import jsonify, request

    from auth.policy import SIGNED_IN

    def echo():
        return jsonify(received=request.get_json())

    echo._ra_policy = SIGNED_IN
    app.add_url_rule("/api/v1/_echo", "echo_test", echo, methods=["POST"])
    return app


def test_oversized_json_is_refused_with_413_in_spanish(echo_app):
    from tests.conftest import AuthActions

    actions = AuthActions(echo_app.test_client())
    actions.login("operador_dea")
    token = csrf_of(actions.client)
    limit = echo_app.config["MAX_CONTENT_LENGTH"]
    big = json.dumps({"rows": ["x" * 1000] * (limit // 1000 + 10)})
    response = actions.client.post("/api/v1/_echo", data=big, content_type="application/json",
                                   headers={"X-CSRFToken": token})
    assert response.status_code == 413
    assert "tamaño máximo" in response.get_json()["error"]
    ok = actions.client.post("/api/v1/_echo", json={"a": [1, {"b": 2}]}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.get_json() == {"received": {"a": [1, {"b": 2}]}}


@pytest.mark.parametrize("depth", [21, 200, 100_000])
def test_deeply_nested_json_is_refused(echo_app, depth):
    from tests.conftest import AuthActions

    actions = AuthActions(echo_app.test_client())
    actions.login("operador_dea")
    body = "[" * depth + "]" * depth
    response = actions.client.post("/api/v1/_echo", data=body, content_type="application/json",
                                   headers={"X-CSRFToken": csrf_of(actions.client)})
    assert response.status_code == 400 and "profundidad" in response.get_json()["error"]
    at_limit = "[" * 20 + "]" * 20
    assert actions.client.post("/api/v1/_echo", data=at_limit, content_type="application/json",
                               headers={"X-CSRFToken": csrf_of(actions.client)}).status_code == 200


def test_malformed_json_is_a_400_in_spanish(echo_app):
    from tests.conftest import AuthActions

    actions = AuthActions(echo_app.test_client())
    actions.login("operador_dea")
    response = actions.client.post("/api/v1/_echo", data=b'{"a": ', content_type="application/json",
                                   headers={"X-CSRFToken": csrf_of(actions.client)})
    assert response.status_code == 400 and "JSON válido" in response.get_json()["error"]


# -- injection -----------------------------------------------------------------------------------
SQL = ["' OR '1'='1", "admin'--", "x'; DROP TABLE users; --", "\" OR 1=1 --", "1 UNION SELECT password_hash FROM users"]


@pytest.mark.parametrize("attempt", SQL)
def test_sql_injection_in_login_is_inert(app, attempt):
    from sqlalchemy import func, select

    from data.models import User
    from tests.conftest import AuthActions

    actions = AuthActions(app.test_client())
    for username, password in ((attempt, "x"), ("sec", attempt)):
        assert actions.login(username, password).headers["Location"] == "/login?error=1"
    with app.extensions["db"].session() as s:
        assert s.scalar(select(func.count()).select_from(User)) >= 8  # the table is still there


@pytest.mark.parametrize("attempt", SQL + ["<script>alert(1)</script>", "=HYPERLINK(\"http://x\")"])
def test_injection_in_query_parameters_is_a_400(clients, attempt):
    client = clients["sec"].client
    response = client.get("/api/v1/vistas/distribuidoras", query_string={"filtro": attempt})
    assert response.status_code == 400
    assert "<script>" not in response.get_data(as_text=True) or response.mimetype == "application/json"


def test_html_in_text_parameters_is_rendered_as_text(clients):
    """Reflected text reaches the page only as a text child (React escapes it), never as markup."""
    from tests.security.matrix import ROUTER_KEY

    payload = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    actions = clients["publico"]
    response = actions.callback(ROUTER_KEY, [{"id": "url", "property": "pathname", "value": "/cuenta"},
                                             {"id": "url", "property": "search", "value": f"?politica={payload}"}])
    tree = response.get_json()["response"]["page-content"]["children"]
    found = []

    def walk(node, parent_type=None):
        if isinstance(node, dict):
            props = node.get("props", {})
            assert "dangerously_allow_html" not in props and "srcDoc" not in props
            for value in props.values():
                walk(value, node.get("type"))
        elif isinstance(node, list):
            for item in node:
                walk(item, parent_type)
        elif isinstance(node, str) and "onerror" in node:
            found.append(parent_type)

    walk(tree)
    assert found and all(t in ("Alert", "Div", "Span", "P") for t in found)


@FAST
@given(st.text(max_size=20))
def test_csv_cells_never_start_a_formula(text):
    from reports.csvexport import safe_cell

    cell = safe_cell(text)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text.replace(",", "."))
            assert cell == text  # a plain signed number stays a number
        except ValueError:
            assert cell.startswith("'")
    else:
        assert cell == text


def test_csv_export_of_a_hostile_table_is_inert():
    from reports.csvexport import table_csv
    from reports.model import Column, Table

    table = Table("t", "t", [Column("a", "=SUM(A1)", "text"), Column("b", "B", "text")],
                  [{"a": "=cmd|' /C calc'!A0", "b": "@SUM(1+1)"}, {"a": "+1-1", "b": "-5"}])
    lines = table_csv(table).lstrip("\ufeff").splitlines()
    assert lines[1] == "'=cmd|' /C calc'!A0;'@SUM(1+1)" or lines[1].split(";")[0].startswith('"\'=')
    assert lines[2].split(";") == ["'+1-1", "-5"]
    assert lines[0].startswith("'=SUM")

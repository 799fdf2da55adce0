"""Point query: the same place as lat/lon, WGS84 UTM and PSAD56 UTM finds the same nearest transformer;
the STRtree answer equals a brute-force search; the index is reused and rebuilt when data change."""
from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod, Transformer
from sqlalchemy import select

from auth.scope import Actor
from data.models import AccessLog, Client, DistributionTransformer, GenerationInstallation, User, UserSupply
from geo.crs import frame_to_wgs84
from services.capacity import spatial
from services.capacity.point import PointInputError, parse_number, parse_point, point_result

GEOD = Geod(ellps="WGS84")
PUBLIC = Actor(None, "publico", "public")


@pytest.fixture
def session(shared_app):
    s = shared_app.extensions["db"].sessionmaker()
    yield s
    s.rollback()
    s.close()


def network(session):
    rows = session.execute(select(DistributionTransformer.id, DistributionTransformer.x, DistributionTransformer.y,
                                  DistributionTransformer.datum, DistributionTransformer.zone)).all()
    ids = np.array([r[0] for r in rows])
    lon, lat = frame_to_wgs84(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]),
                              np.array([r[3] for r in rows]), np.array([r[4] for r in rows]))
    return ids, lon, lat


def brute_force(ids, lon, lat, plon, plat, k):
    _, _, dist = GEOD.inv(np.full(len(ids), plon), np.full(len(ids), plat), lon, lat)
    order = np.argsort(dist)[:k]
    return [int(ids[i]) for i in order], dist[order]


def unambiguous_place(session):
    """A point ~25 m east of some transformer whose nearest neighbour wins by at least 20 m."""
    ids, lon, lat = network(session)
    for i in range(len(ids)):
        plon, plat, _ = GEOD.fwd(lon[i], lat[i], 90, 25)
        near, dist = brute_force(ids, lon, lat, plon, plat, 2)
        if dist[1] - dist[0] > 20:
            return plon, plat, near[0]
    raise AssertionError("no unambiguous place in the seeded network")


def test_same_place_as_latlon_wgs84_utm_and_psad56_utm_gives_the_same_nearest_transformer(session):
    plon, plat, expected = unambiguous_place(session)
    e_wgs, n_wgs = Transformer.from_crs("EPSG:4326", "EPSG:32719", always_xy=True).transform(plon, plat)
    e_psad, n_psad = Transformer.from_crs("EPSG:4326", "EPSG:24879", always_xy=True).transform(plon, plat)
    assert abs(e_psad - e_wgs) > 100 or abs(n_psad - n_wgs) > 100  # the datums really differ (~400 m here)
    answers = []
    for raw in ({"lat": f"{plat:.7f}".replace(".", ","), "lon": f"{plon:.7f}".replace(".", ",")},
                {"este": f"{e_wgs:.2f}", "norte": f"{n_wgs:.2f}", "datum": "WGS84", "huso": "19S"},
                {"este": f"{e_psad:.2f}", "norte": f"{n_psad:.2f}", "datum": "PSAD56", "huso": "19S"}):
        req = parse_point(session, PUBLIC, raw)
        frame = point_result(session, req)["transformers"]
        answers.append((int(frame.iloc[0]["id"]), float(frame.iloc[0]["distance_m"])))
    assert {a[0] for a in answers} == {expected}
    assert max(a[1] for a in answers) - min(a[1] for a in answers) < 1.0
    assert answers[0][1] == pytest.approx(25, abs=1)


def test_same_place_three_ways_through_the_api(shared_auth, session):
    plon, plat, expected = unambiguous_place(session)
    e, n = Transformer.from_crs("EPSG:4326", "EPSG:24879", always_xy=True).transform(plon, plat)
    shared_auth.login("publico")
    client = shared_auth.client
    ids = []
    for query in (f"lat={plat}&lon={plon}", f"este={e:.2f}&norte={n:.2f}&datum=PSAD56&huso=19S",
                  f"este={e:.2f}&norte={n:.2f}&datum=PSAD56&huso=19S&k=3"):
        data = client.get(f"/api/v1/capacidad/punto?{query}").json
        assert data["data_as_of"] and "estudio de conexión" in data["disclaimer"]
        ids.append(data["transformers"][0]["id"])
    assert ids == [expected] * 3
    assert len(data["transformers"]) == 3 and data["feeder"]["code"].startswith("AL-")


def test_k_nearest_equals_brute_force(session):
    ids, lon, lat = network(session)
    rng = np.random.default_rng(3)
    index = spatial.network_index(session)
    for i in rng.choice(len(ids), 8, replace=False):
        plon, plat, _ = GEOD.fwd(lon[i], lat[i], rng.uniform(0, 360), rng.uniform(50, 3000))
        got = spatial.nearest_transformers(index, plon, plat, 5, 20000)
        expected, dist = brute_force(ids, lon, lat, plon, plat, 5)
        assert [g[0] for g in got] == expected
        assert [g[1] for g in got] == pytest.approx(list(dist), abs=0.01)


def test_index_is_reused_and_rebuilt_when_the_network_changes(app):
    s = app.extensions["db"].sessionmaker()
    spatial.clear_cache()
    first = spatial.network_index(s)
    assert spatial.network_index(s) is first  # built once, not per request
    src = s.get(DistributionTransformer, 1)
    lon, lat = frame_to_wgs84([src.x], [src.y], [src.datum], [src.zone])
    far_lon, far_lat, _ = GEOD.fwd(lon[0], lat[0], 45, 5000)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32719", always_xy=True).transform(far_lon, far_lat)
    new = DistributionTransformer(**{c: getattr(src, c) for c in (
        "company_id", "feeder_id", "comuna_code", "kva", "connection_group", "primary_kv", "secondary_v", "pole_plate",
        "phase_type", "phase_id", "smmc_monitored", "short_circuit_kva")}, code="TD-TEST-NEW", name="Nuevo",
        x=x, y=y, datum="WGS84", zone="19S")
    s.add(new)
    s.commit()
    rebuilt = spatial.network_index(s)
    assert rebuilt is not first
    req = parse_point(s, PUBLIC, {"lat": str(far_lat), "lon": str(far_lon)})
    assert int(point_result(s, req)["transformers"].iloc[0]["id"]) == new.id
    s.close()


@pytest.mark.parametrize("raw, message", [
    ({"lat": "33,05", "lon": "-71,6"}, "use el signo menos"),
    ({"lat": "-33,05"}, "Falta la longitud"),
    ({"lat": "abc", "lon": "-71"}, "no es un número válido"),
    ({"lat": "48,85", "lon": "2,35"}, "fuera de Chile"),
    ({"este": "6360000", "norte": "283000", "datum": "WGS84", "huso": "19S"}, "Este debe estar entre"),
    ({"este": "283000", "norte": "6360000", "datum": "ED50", "huso": "19S"}, "Datum no soportado"),
    ({"este": "283000", "norte": "6360000", "datum": "WGS84", "huso": "20S"}, "Huso no soportado"),
    ({"lat": "-33", "lon": "-71", "cliente": "1"}, "una sola forma"),
    ({"lat": "-33", "lon": "-71", "k": "500"}, "entre 1 y 20"),
    ({"cliente": "123"}, "titular del suministro"),
])
def test_invalid_input_gives_a_clear_spanish_message(session, raw, message):
    with pytest.raises(PointInputError) as exc:
        parse_point(session, PUBLIC, raw)
    assert message in str(exc.value)


def test_numbers_in_chilean_or_plain_notation():
    assert parse_number("-33,0472") == -33.0472
    assert parse_number("6.354.321,5") == 6354321.5
    assert parse_number("-71.25") == -71.25
    assert parse_number("283456") == 283456
    with pytest.raises(ValueError):
        parse_number("1e5")


def test_client_number_resolves_only_for_who_may_see_the_supply(session):
    user = session.scalar(select(User).where(User.username == "cliente"))
    own = session.scalar(select(Client).join(UserSupply, UserSupply.client_id == Client.id).where(UserSupply.user_id == user.id))
    held = select(UserSupply.client_id).where(UserSupply.user_id == user.id)
    other = session.scalar(select(Client).where(Client.id.not_in(held), Client.company_id == own.company_id))
    actor = Actor(user.id, user.username, user.role)
    req = parse_point(session, actor, {"cliente": own.client_number})
    assert req.mode == "client" and own.client_number in req.label
    assert session.scalar(select(GenerationInstallation).where(GenerationInstallation.client_id == own.id)) is None
    frame = point_result(session, req)["transformers"]  # no EG: the place is the client's own transformer
    assert int(frame.iloc[0]["id"]) == own.transformer_id and frame.iloc[0]["distance_m"] < 1
    with pytest.raises(PointInputError, match="No se encontró"):
        parse_point(session, actor, {"cliente": other.client_number})
    sec_user = session.scalar(select(User).where(User.username == "sec"))
    sec = Actor(sec_user.id, sec_user.username, sec_user.role)
    assert parse_point(session, sec, {"cliente": other.client_number}).mode == "client"
    logged = session.scalars(select(AccessLog).where(AccessLog.action == "capacity_point_client")).all()
    assert logged and all(row.personal_data for row in logged)

"""The nearest-position search against a brute-force oracle (hypothesis), and the region boxes."""
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from models.position import Position
from service.extensions import db
from service.positions import areas
from service.positions.geo import box_around, distance_km, valid_point
from service.positions.nearby import find_nearest, nearest_ids
from tests.factories import make_federation, make_position

# A patch of Hebei about 120 km across around 石家庄, and points anywhere in it: dense
# clusters (ties and near-ties) and sparse ones (the search has to widen several times).
LAT, LNG = st.floats(37.5, 38.5), st.floats(113.9, 115.2)
CLUSTER = st.tuples(st.floats(38.0, 38.05), st.floats(114.50, 114.56))
POINTS = st.lists(st.one_of(st.tuples(LAT, LNG), CLUSTER), min_size=0, max_size=60)
FACILITY_SETS = st.lists(st.sampled_from(["water", "charging", "toilet"]), unique=True, max_size=3)


def oracle(positions, lat, lng, limit, max_km, wanted=()):
    ranked = sorted((distance_km(lat, lng, p["lat"], p["lng"]), p["id"]) for p in positions
                    if p["status"] == "open" and set(wanted) <= set(p["facilities"]))
    return [pid for km, pid in ranked if km <= max_km][:limit]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=POINTS, query=st.one_of(st.tuples(LAT, LNG), CLUSTER), limit=st.integers(1, 5),
       max_km=st.sampled_from([1.0, 5.0, 30.0, 50.0, 200.0]),
       statuses=st.lists(st.sampled_from(["open", "open", "open", "suspended", "closed"]), min_size=60, max_size=60),
       facilities=st.lists(FACILITY_SETS, min_size=60, max_size=60), wanted=FACILITY_SETS)
def test_nearest_matches_brute_force(app, points, query, limit, max_km, statuses, facilities, wanted):
    federation = _federation()
    db.session.execute(delete(Position))
    rows = []
    for (lat, lng), status, kit in zip(points, statuses, facilities):
        position = Position(federation_id=federation.id, name="p", kind="outdoor_station", address="a",
                            region_code="130102", latitude=lat, longitude=lng, hours={}, facilities=kit,
                            photos=[], status=status)
        db.session.add(position)
        rows.append(position)
    db.session.flush()
    stored = [{"id": p.id, "lat": p.latitude, "lng": p.longitude, "status": p.status, "facilities": p.facilities}
              for p in rows]
    got = nearest_ids(*query, limit=limit, max_km=max_km, facilities=tuple(wanted))
    assert [pid for pid, _ in got] == oracle(stored, *query, limit, max_km, wanted)
    kms = [km for _, km in got]
    assert kms == sorted(kms) and all(km <= max_km for km in kms)
    db.session.rollback()


_FEDERATION = {}


def _federation():
    from models.federation import Federation

    fed_id = _FEDERATION.get("id")
    if fed_id is None or db.session.get(Federation, fed_id) is None:
        _FEDERATION["id"] = make_federation().id
    return db.session.get(Federation, _FEDERATION["id"])


def test_find_nearest_loads_positions_nearest_first(app):
    federation = make_federation()
    far = make_position(federation, name="远", latitude=38.10, longitude=114.60)
    near = make_position(federation, name="近", latitude=38.0425, longitude=114.5385)
    make_position(federation, name="关", latitude=38.0421, longitude=114.5381, status="closed")
    paused = make_position(federation, name="停", latitude=38.0422, longitude=114.5381, status="suspended")
    mid = make_position(federation, name="中", latitude=38.05, longitude=114.55)
    hits = find_nearest(38.0420, 114.5380)
    assert [h.position.id for h in hits] == [near.id, mid.id, far.id]
    assert hits[0].km == pytest.approx(distance_km(38.0420, 114.5380, 38.0425, 114.5385))
    assert [h.position.id for h in find_nearest(38.0420, 114.5380, max_km=1)] == [near.id]  # 中 is 1.4 km away
    assert [h.position.id for h in find_nearest(38.0420, 114.5380, statuses=("open", "suspended"), limit=2)] == \
        [paused.id, near.id]


def test_the_box_holds_the_circle():
    for lat in (0.0, 38.0, 42.6, 80.0):
        box = box_around(lat, 114.5, 10)
        for bearing in range(0, 360, 15):
            # a point 9.99 km away in every direction lies inside the box
            d = 9.99 / 6371.0088
            phi1, lmb1, theta = math.radians(lat), math.radians(114.5), math.radians(bearing)
            phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(theta))
            lmb2 = lmb1 + math.atan2(math.sin(theta) * math.sin(d) * math.cos(phi1),
                                     math.cos(d) - math.sin(phi1) * math.sin(phi2))
            assert box.contains(math.degrees(phi2), math.degrees(lmb2)), (lat, bearing)


@pytest.mark.parametrize("lat, lng", [("nan", "114"), ("38", "inf"), ("1e400", "114"), ("91", "114"), ("38", "181"),
                                      ("", "114"), (None, "114"), ("38\x00", "114"), ([38], "114")])
def test_invalid_points(lat, lng):
    assert valid_point(lat, lng) is None


def test_region_boxes():
    changan = (38.0420, 114.5380)
    assert areas.contains("130102", *changan) and areas.contains("130100", *changan)
    assert areas.contains("130000", *changan) and areas.contains("130102001", *changan)  # a street: its county
    assert not areas.contains("130102", changan[1], changan[0])  # swapped
    assert not areas.contains("130200", *changan)  # 唐山市
    assert not areas.contains("130102", 39.9042, 116.4074)  # 北京天安门
    assert areas.contains("133100", 38.99, 115.98)  # 雄安新区 (its three counties)
    assert areas.contains("130171", 38.03, 114.60)  # a development zone: its city
    assert areas.area_of(*changan) == "130102"
    assert areas.area_of(31.23, 121.47) is None  # 上海
    assert not areas.known("110105")
    # every Hebei county of the reference data can be checked
    from service import refdata
    counties = [r.code for r in refdata.region_children("130100")]
    assert all(areas.known(code) for code in counties)

"""Service positions over HTTP: staff register and edit within their subtree (role × place in
the tree), every change is audited, coordinates are checked against the region, hostile input
is a 4xx in Chinese; workers find positions near a point, by region and near their last location."""
import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.position import Position
from service.extensions import db
from tests.conftest import as_worker, login
from tests.factories import make_position, make_staff, make_worker

WEEKLY = {"weekly": {str(d): ["08:00-20:00"] for d in range(1, 8)}, "holidays": "closed"}


def body(**over):
    data = {"name": "长安区快递小哥驿站", "kind": "outdoor_station", "host_unit": "中国邮政长安分公司",
            "address": "石家庄市长安区中山东路 180 号", "region_code": "130102", "latitude": 38.04391,
            "longitude": 114.53572, "hours": WEEKLY, "facilities": ["water", "charging", "microwave"],
            "contact_name": "王师傅", "contact_phone": "0311-86000000"}
    data.update(over)
    return data


# where the caller sits → may they act on a position of the courier federation?
PLACES = {"courier": True, "changan": True, "city": True, "trucks": False, "yuhua": False}


@pytest.mark.parametrize("place, in_scope", PLACES.items())
@pytest.mark.parametrize("role", ["admin", "chair", "caseworker"])
def test_permissions(client, tree, place, in_scope, role):
    owner = make_position(tree["courier"], name="已有驿站")
    staff = make_staff(tree[place], role=role)
    login(client, staff)
    listed = client.get("/api/staff/positions").get_json()
    assert ([p["id"] for p in listed] == [owner.id]) is in_scope
    read = client.get(f"/api/staff/positions/{owner.id}")
    assert read.status_code == (200 if in_scope else 404)
    create = client.post("/api/staff/positions", json=body(federation_id=tree["courier"].id))
    patch = client.patch(f"/api/staff/positions/{owner.id}", json={"name": "改名的驿站"})
    status = client.post(f"/api/staff/positions/{owner.id}/status", json={"status": "suspended", "note": "维修"})
    if role == "caseworker":
        assert (create.status_code, patch.status_code, status.status_code) == (403, 403, 403)
    elif in_scope:
        assert (create.status_code, patch.status_code, status.status_code) == (201, 200, 200), create.get_json()
    else:
        assert (create.status_code, patch.status_code, status.status_code) == (404, 404, 404)


def test_create_edit_and_state_are_audited(client, tree):
    chair = make_staff(tree["courier"], role="chair")
    login(client, chair)
    created = client.post("/api/staff/positions", json=body())
    assert created.status_code == 201, created.get_json()
    out = created.get_json()
    assert out["federation_id"] == tree["courier"].id and out["region_name"] == "河北省石家庄市长安区"
    assert [f["label"] for f in out["facilities"]] == ["饮水", "充电", "微波炉"]
    assert out["hours_lines"] == ["周一至周日 08:00-20:00", "法定节假日 不开放"]
    assert out["links"]["amap_marker"].startswith("https://uri.amap.com/marker?position=114.535720%2C38.043910")
    assert out["links"]["geo"].startswith("geo:38.043910,114.535720")
    pid = out["id"]
    assert client.patch(f"/api/staff/positions/{pid}", json={"facilities": ["toilet", "water"]}).status_code == 200
    assert db.session.get(Position, pid).facilities == ["water", "toilet"]
    missing_note = client.post(f"/api/staff/positions/{pid}/status", json={"status": "suspended"})
    assert missing_note.status_code == 422 and "status_note" in missing_note.get_json()["error"]["fields"]
    suspended = client.post(f"/api/staff/positions/{pid}/status", json={"status": "suspended", "note": "装修"})
    assert suspended.get_json()["state"] == {"open_now": False, "text": "暂停开放：装修"}
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "position")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["position.create", "position.update", "position.update"]
    detail = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.subject_type == "position")
                                .order_by(AuditEntry.id)).all()
    assert detail[1] == {"fields": ["facilities"]} and "0311" not in str(detail)  # no phone numbers in the log


@pytest.mark.parametrize("over, field", [
    ({"latitude": 114.53572, "longitude": 38.04391}, "latitude"),  # swapped: fails the range first
    ({"latitude": 39.63, "longitude": 118.18}, "latitude"),          # 唐山, not 长安区
    ({"latitude": 38.30, "longitude": 114.53}, "latitude"),          # 正定县, 30 km north
    ({"region_code": "110105"}, "region_code"),                       # 北京
    ({"region_code": "130202", "latitude": 39.63, "longitude": 118.18}, "region_code"),  # 唐山: not the federation's region
    ({"region_code": "999999"}, "region_code"),
    ({"kind": "castle"}, "kind"),
    ({"facilities": ["jacuzzi"]}, "facilities"),
    ({"facilities": "water"}, "facilities"),
    ({"hours": {"weekly": {"1": ["8-20"]}}}, "hours.weekly.1"),
    ({"hours": ["08:00-20:00"]}, "hours"),
    ({"name": ""}, "name"),
    ({"name": "驿" * 101}, "name"),
    ({"name": ["驿站"]}, "name"),
    ({"latitude": "NaN"}, "latitude"),
    ({"latitude": None}, "latitude"),
    ({"federation_id": 2**63}, None),
    ({"contact_phone": "1380000\x000000"}, "contact_phone"),
    ({"photos": ["javascript:alert(1)"]}, "photos"),
    ({"name": "驿站\x00"}, "name"),
    ({"address": "中山东路\x00"}, "address"),
    ({"photos": ["/a\x00b.png"]}, "photos"),
    ({"colour": "red"}, "colour"),
])
def test_bad_input_is_a_4xx_in_chinese(client, tree, over, field):
    login(client, make_staff(tree["courier"], role="admin"))
    response = client.post("/api/staff/positions", json=body(**over))
    assert 400 <= response.status_code < 500, response.get_json()
    error = response.get_json()["error"]
    if field:
        assert field in (error.get("fields") or {}), error
        message = str(error["fields"][field])
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_the_console_checks_coordinates_as_they_are_typed(client, tree):
    login(client, make_staff(tree["changan"], role="admin"))
    check = client.get("/api/staff/positions/check-coordinates", query_string={
        "region": "130102", "lat": 38.0, "lng": 114.5}).get_json()
    assert check["inside"] is True and check["bounds"]["south"] < 38.0 < check["bounds"]["north"]
    out = client.get("/api/staff/positions/check-coordinates", query_string={
        "region": "130102", "lat": 39.9, "lng": 116.4}).get_json()
    assert out["inside"] is False and "不在河北省石家庄市长安区范围内" in out["message"]
    bad = client.get("/api/staff/positions/check-coordinates", query_string={"region": "130102", "lat": "1e400",
                                                                             "lng": 114})
    assert bad.status_code == 422


def test_huge_and_foreign_ids_are_404(client, tree):
    other = make_position(tree["trucks"], region="130108", latitude=38.0028, longitude=114.5230)
    login(client, make_staff(tree["courier"], role="admin"))
    for pid in (other.id, 2**31, 2**63):
        assert client.get(f"/api/staff/positions/{pid}").status_code == 404
        assert client.patch(f"/api/staff/positions/{pid}", json={"name": "x"}).status_code == 404
        assert client.get(f"/api/positions/{pid}").status_code in (200, 404)
    assert client.get(f"/api/positions/{2**63}").status_code == 404
    assert client.post("/api/staff/positions", json=body(federation_id=tree["trucks"].id)).status_code == 404


def test_public_lists(client, tree):
    a = make_position(tree["courier"], name="甲", latitude=38.0425, longitude=114.5385, facilities=["water"])
    b = make_position(tree["courier"], name="乙", latitude=38.0450, longitude=114.5400, facilities=["water", "toilet"])
    make_position(tree["courier"], name="关", latitude=38.0421, longitude=114.5381, status="closed")
    c = make_position(tree["trucks"], name="丙", region="130108", latitude=38.0028, longitude=114.5230,
                      facilities=["toilet"])
    near = client.get("/api/positions/nearby", query_string={"lat": 38.042, "lng": 114.538}).get_json()
    assert [h["position"]["name"] for h in near] == ["甲", "乙", "丙"]
    assert near[0]["distance_text"] == "70米"
    toilets = client.get("/api/positions/nearby", query_string={"lat": 38.042, "lng": 114.538,
                                                                 "facilities": "toilet"}).get_json()
    assert [h["position"]["id"] for h in toilets] == [b.id, c.id]
    region = client.get("/api/positions", query_string={"region": "130102"}).get_json()
    assert sorted(h["position"]["name"] for h in region) == ["乙", "甲"]  # closed ones are never listed
    by_distance = client.get("/api/positions", query_string={"region": "1301", "lat": 38.0028,
                                                             "lng": 114.5230}).get_json()
    assert [h["position"]["id"] for h in by_distance] == [c.id, a.id, b.id]
    detail = client.get(f"/api/positions/{a.id}", query_string={"lat": 38.042, "lng": 114.538}).get_json()
    assert detail["position"]["name"] == "甲" and detail["distance_km"] == pytest.approx(0.07, abs=0.01)
    assert client.get("/api/positions/nearby", query_string={"lat": "nan", "lng": 114}).status_code == 422
    assert client.get("/api/positions/nearby", query_string={"lat": 38, "lng": 114,
                                                             "facilities": "jacuzzi"}).status_code == 422
    assert client.get("/api/positions", query_string={"region": "11"}).status_code == 422
    options = client.get("/api/positions/options").get_json()
    assert {"key": "microwave", "label": "微波炉"} in options["facilities"]


def test_near_me_uses_the_last_location_sent(client, tree, wechat):
    make_position(tree["courier"], name="甲", latitude=38.0425, longitude=114.5385)
    make_worker("o-near-me")
    as_worker(client, "o-near-me")
    none_yet = client.get("/api/positions/near-me")
    assert none_yet.status_code == 404 and none_yet.get_json()["error"]["code"] == "no_location"
    wechat.post(wechat.peer.location_report("o-near-me", 38.042, 114.538))
    out = client.get("/api/positions/near-me").get_json()
    assert out["area_name"] == "河北省石家庄市长安区" and [h["position"]["name"] for h in out["hits"]] == ["甲"]


def test_the_openapi_document_lists_the_position_endpoints(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/staff/positions", "/api/staff/positions/{position_id}", "/api/staff/positions/{position_id}/status",
                 "/api/staff/positions/check-coordinates", "/api/positions/nearby", "/api/positions",
                 "/api/positions/{position_id}", "/api/positions/near-me", "/api/positions/options"):
        assert path in paths, path


def test_federation_profiles_list_positions_and_flag_a_federation_without(client, tree):
    make_position(tree["courier"], name="甲驿站")
    make_position(tree["courier"], name="旧驿站", status="closed")
    login(client, make_staff(tree["city"], role="admin"))
    nodes = {n["name"]: n for n in client.get("/api/admin/federations").get_json()}
    courier, trucks = nodes["石家庄市长安区快递行业工会联合会"], nodes["石家庄市裕华区货车司机行业工会联合会"]
    assert courier["position_count"] == 1 and "position_missing" not in [w["code"] for w in courier["warnings"]]
    assert trucks["position_count"] == 0 and "position_missing" in [w["code"] for w in trucks["warnings"]]
    assert "position_missing" not in [w["code"] for w in nodes["石家庄市总工会"]["warnings"]]  # upper unions: no flags
    detail = client.get(f"/api/admin/federations/{tree['courier'].id}").get_json()
    assert [(p["name"], p["status"]) for p in detail["positions"]] == [("甲驿站", "open"), ("旧驿站", "closed")]


def test_statistics_per_region(client, tree, monkeypatch):
    from datetime import datetime

    day = {"weekly": {str(d): ["08:00-20:00"] for d in range(1, 8)}}
    night = {"weekly": {str(d): ["22:00-06:00"] for d in range(1, 8)}}
    make_position(tree["courier"], name="甲", hours=day)
    make_position(tree["courier"], name="乙", hours=night)
    make_position(tree["courier"], name="丙", status="suspended")
    make_position(tree["trucks"], name="丁", region="130108", latitude=38.0028, longitude=114.5230, hours=day)
    monkeypatch.setattr("service.positions.summary.utcnow", lambda: datetime(2026, 12, 1, 4, 0))  # 12:00 China
    login(client, make_staff(tree["changan"], role="chair"))
    rows = client.get("/api/staff/positions/stats").get_json()
    assert rows == [{"region_code": "130102", "region_name": "河北省石家庄市长安区", "positions": 3, "open": 2,
                     "open_now": 1, "weekly_hours_avg": 70.0}]  # (84 + 56) / 2
    login(client, make_staff(tree["city"], role="admin"))
    city = client.get("/api/staff/positions/stats", query_string={"level": "city"}).get_json()
    assert [(r["region_code"], r["positions"], r["open_now"]) for r in city] == [("130100", 4, 2)]
    assert client.get("/api/staff/positions/stats", query_string={"level": "street"}).status_code == 422


def test_the_statistics_page_counts_positions_and_their_hours_per_county(client, tree, monkeypatch):
    from datetime import datetime

    day = {"weekly": {str(d): ["08:00-20:00"] for d in range(1, 8)}}
    make_position(tree["courier"], name="甲", hours=day)
    make_position(tree["courier"], name="乙", status="suspended")
    make_position(tree["courier"], name="旧", status="closed")
    make_position(tree["trucks"], name="丁", region="130108", latitude=38.0028, longitude=114.5230,
                  hours={"weekly": {"1": ["09:00-17:00"]}})
    monkeypatch.setattr("service.stats.live.utcnow", lambda: datetime(2026, 12, 1, 4, 0))  # Tuesday 12:00 China
    login(client, make_staff(tree["city"], role="admin"))
    out = client.get("/api/stats/positions").get_json()
    assert out["as_of"] == "2026-12-01T04:00:00Z"
    assert out["totals"] == {"positions": 3, "open": 2, "open_now": 1, "weekly_hours_avg": 46.0}  # (84 + 8) / 2
    assert [(r["region_name"], r["positions"], r["open"], r["open_now"], r["weekly_hours_avg"]) for r in out["regions"]] \
        == [("河北省石家庄市长安区", 2, 1, 1, 84.0), ("河北省石家庄市裕华区", 1, 1, 0, 8.0)]
    drilled = client.get("/api/stats/positions", query_string={"node_id": tree["yuhua"].id}).get_json()
    assert [r["region_code"] for r in drilled["regions"]] == ["130108"]
    login(client, make_staff(tree["changan"], role="caseworker"))
    assert client.get("/api/stats/positions", query_string={"node_id": tree["yuhua"].id}).status_code == 404
    assert client.get("/api/stats/positions", query_string={"node_id": 0}).status_code == 422


def test_the_governance_board_flags_a_federation_with_no_position(client, tree):
    make_position(tree["courier"], name="甲驿站")
    make_position(tree["trucks"], name="旧驿站", region="130108", latitude=38.0028, longitude=114.5230,
                  status="closed")  # a closed one does not count
    login(client, make_staff(tree["city"], role="admin"))
    rows = {r["name"]: r for r in client.get("/api/governance/board").get_json()}
    trucks = {c["code"]: c for c in rows["石家庄市裕华区货车司机行业工会联合会"]["checks"]}
    assert trucks["position_missing"]["severity"] == "yellow"
    assert trucks["position_missing"]["link"] == f"/console/positions.html#new={tree['trucks'].id}"
    assert "职工发送位置时找不到本会" in trucks["position_missing"]["message"]
    courier = rows["石家庄市长安区快递行业工会联合会"]["checks"]
    assert "position_missing" not in [c["code"] for c in courier]
    one = client.get(f"/api/governance/federations/{tree['trucks'].id}").get_json()
    assert "position_missing" in [c["code"] for c in one["checks"]]
    make_position(tree["trucks"], name="新驿站", region="130108", latitude=38.0028, longitude=114.5230,
                  status="suspended")  # registered, temporarily closed: no longer missing
    one = client.get(f"/api/governance/federations/{tree['trucks'].id}").get_json()
    assert "position_missing" not in [c["code"] for c in one["checks"]]

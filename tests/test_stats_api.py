"""The statistics API: figures of the caller's subtree only, bad input is a 4xx, reports."""
from io import BytesIO

import pytest
from openpyxl import load_workbook

from service.extensions import db
from service.stats import rollup
from tests import stats_fixtures
from tests.conftest import login
from tests.factories import make_staff

Q = {"period": "month", "ref": "2026-05"}
SECTIONS = ("members", "requests", "gaps", "children", "contests", "caseworkers", "low-ratings")


@pytest.fixture
def t(app):
    tree = stats_fixtures.build()
    rollup.rollup_stats_job()
    db.session.commit()  # the job runner's commit
    tree.province_admin = make_staff(tree.P, "admin", username="hb-admin")
    tree.county_admin = make_staff(tree.K2, "admin", username="yh-admin")
    return tree


def test_the_province_sees_everything_and_drills_down(client, t):
    login(client, t.province_admin)
    for section in SECTIONS:
        response = client.get(f"/api/stats/{section}", query_string=Q)
        assert response.status_code == 200, (section, response.get_json())
    assert client.get("/api/stats/requests", query_string=Q).get_json()["totals"]["new"] == 6
    body = client.get("/api/stats/requests", query_string={**Q, "node_id": t.F1.id}).get_json()
    assert body["totals"]["new"] == 2 and body["totals"]["amount_recovered"] == "4200.50"
    assert body["period"] == {"kind": "month", "ref": "2026-05", "label": "2026年5月", "start": "2026-05-01",
                              "end": "2026-05-31"}
    node = client.get("/api/stats/node", query_string={"node_id": t.F1.id}).get_json()
    assert [p["name"] for p in node["path"]] == ["河北省总工会", "石家庄市总工会", "石家庄市长安区总工会",
                                                 "石家庄市长安区快递行业工会联合会"]
    assert node["counted"] == "live" and node["rolled_up_at"]
    children = client.get("/api/stats/children", query_string=Q).get_json()["items"]
    assert [c["name"] for c in children] == ["石家庄市总工会"] and children[0]["requests_new"] == 5


def test_a_county_sees_only_its_subtree(client, t):
    login(client, t.county_admin)
    assert client.get("/api/stats/requests", query_string=Q).get_json()["totals"]["new"] == 1  # r6
    for node_id in (t.F1.id, t.K.id, t.C.id, t.P.id, 999999):
        for section in SECTIONS:
            response = client.get(f"/api/stats/{section}", query_string={**Q, "node_id": node_id})
            assert response.status_code == 404, (section, node_id)
    assert client.get("/api/stats/node", query_string={"node_id": t.F1.id}).status_code == 404


@pytest.mark.parametrize("query", [
    {"node_id": 2**31}, {"node_id": 2**63}, {"node_id": "NaN"}, {"node_id": "1e400"}, {"node_id": "-1"}, {"node_id": "0"},
    {"period": "week"}, {"period": "month", "ref": "2026-13"}, {"period": "month", "ref": "May"},
    {"period": "year", "ref": "0000"}, {"period": "custom"}, {"period": "custom", "start": "2026-00", "end": "2026-05"},
    {"period": "custom", "start": "2026-06", "end": "2026-05"}, {"period": "custom", "start": "0000-01", "end": "2026-05"},
    {"ref": "2026-05\x00"}, {"period": ["month", "year"], "ref": "2026"},
])
def test_bad_input_is_a_4xx_in_chinese(client, t, query):
    login(client, t.province_admin)
    response = client.get("/api/stats/requests", query_string=query)
    assert response.status_code in (400, 422), (query, response.status_code)
    error = response.get_json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error)), error


def test_caseworkers_are_for_chairs_and_admins(client, t):
    login(client, t.cw)
    assert client.get("/api/stats/caseworkers", query_string={**Q, "node_id": t.F1.id}).status_code == 403
    client.post("/api/auth/logout")
    login(client, t.chair)
    items = client.get("/api/stats/caseworkers", query_string=Q).get_json()["items"]
    assert {i["name"]: (i["open"], i["handled"]) for i in items}["kd-case"] == (1, 1)


def test_a_report_on_demand_and_its_xlsx(client, t):
    login(client, t.province_admin)
    response = client.post("/api/stats/reports", json={"node_id": t.K.id, "kind": "month", "ref": "2026-05"})
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert report["period_label"] == "2026年5月" and report["data"]["requests"]["totals"]["new"] == 4
    listed = client.get("/api/stats/reports", query_string={"node_id": t.K.id}).get_json()["items"]
    assert [r["id"] for r in listed] == [report["id"]]
    download = client.get(f"/api/stats/reports/{report['id']}/xlsx")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    book = load_workbook(BytesIO(download.data))
    assert "服务时效" in book.sheetnames
    assert client.post("/api/stats/reports", json={"kind": "week"}).status_code == 422
    assert client.post("/api/stats/reports", json={"kind": "month", "ref": "2099-01"}).status_code == 422
    client.post("/api/auth/logout")
    login(client, t.county_admin)
    assert client.get(f"/api/stats/reports/{report['id']}").status_code == 404
    assert client.get(f"/api/stats/reports/{report['id']}/xlsx").status_code == 404
    assert client.post("/api/stats/reports", json={"node_id": t.K.id, "kind": "month"}).status_code == 404


def test_openapi_documents_the_statistics(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/stats/node", "/api/stats/members", "/api/stats/requests", "/api/stats/gaps",
                 "/api/stats/children", "/api/stats/contests", "/api/stats/caseworkers", "/api/stats/low-ratings",
                 "/api/stats/reports", "/api/stats/reports/{report_id}", "/api/stats/reports/{report_id}/xlsx"):
        assert path in paths, path

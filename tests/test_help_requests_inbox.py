"""The inbox: views, filters, search, keyset pagination, CSV export."""
import csv
import io
from datetime import datetime, timedelta

import pytest

from service.help_requests import casework
from service.extensions import db
from tests.conftest import login
from tests.factories import (cover, make_federation, make_request, make_staff,  # noqa: F401
                             make_upper, make_worker)

T0 = datetime(2026, 6, 1, 2, 0)  # 10:00 in China


@pytest.fixture
def world():
    changan = make_upper("石家庄市长安区总工会", region="130102")
    yuhua = make_upper("石家庄市裕华区总工会", region="130108")
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=changan), "130102", "G602")
    trucks = cover(make_federation("石家庄市裕华区货车司机行业工会联合会", region="130108", industry="G543",
                                   parent=yuhua), "130108", "G543")
    chair = make_staff(courier, role="chair", username="chair")
    worker_staff = make_staff(courier, username="cw", display_name="小李")
    worker = make_worker("o-inbox")
    day = timedelta(days=1)
    reqs = {
        "a": make_request(worker, type="wage_arrears", now=T0, name="张三", phone="13800000001", learned_on="2026-05-01"),
        "b": make_request(worker, type="mediation", now=T0 + day, name="李四", phone="13800000002", learned_on="2026-05-01"),
        "c": make_request(worker, type="consultation", now=T0 + 2 * day, name="张小明", phone="13800000003"),
        "d": make_request(worker, type="legal_aid", now=T0 + 3 * day, name="王五", phone="13800000004", learned_on="2026-05-01"),
        "x": make_request(worker, type="wage_arrears", now=T0 + day, region="130108", industry="G5431", name="赵六",
                          learned_on="2026-05-01"),
    }
    casework.claim(worker_staff, reqs["b"].id, now=T0 + 5 * day)
    reqs["c"].overdue = True
    reqs["d"].incoming = True
    db.session.commit()
    return {"chair": chair, "cw": worker_staff, "courier": courier, "trucks": trucks, **reqs}


def numbers(client, **query):
    body = client.get("/api/inbox", query_string=query).get_json()
    assert "items" in body, body
    return [row["number"] for row in body["items"]]


def ids(world, *keys):
    return [world[k].number for k in keys]


def test_views(client, world):
    login(client, world["cw"])
    assert numbers(client, view="all") == ids(world, "d", "c", "b", "a")
    assert numbers(client, view="unassigned") == ids(world, "d", "c", "a")
    assert numbers(client, view="mine") == ids(world, "b")
    assert numbers(client, view="overdue") == ids(world, "c")
    assert numbers(client, view="incoming") == ids(world, "d")


def test_rows_carry_what_the_list_shows(client, world):
    login(client, world["cw"])
    row = client.get("/api/inbox", query_string={"view": "mine"}).get_json()["items"][0]
    assert row["assignee_name"] == "小李" and row["status_label"] == "办理中" and row["type_label"] == "劳动争议调解"
    assert row["due_kind"] == "first_response" and row["due_at"].startswith("2026-06-04")
    assert "worker_phone" not in row


def test_filters(client, world):
    login(client, world["chair"])
    assert numbers(client, type="mediation") == ids(world, "b")
    assert numbers(client, status="in_progress") == ids(world, "b")
    assert numbers(client, date_from="2026-06-02", date_to="2026-06-03") == ids(world, "c", "b")
    assert numbers(client, assignee_id=world["cw"].id) == ids(world, "b")
    assert numbers(client, federation_id=world["courier"].id) == ids(world, "d", "c", "b", "a")
    assert client.get("/api/inbox", query_string={"federation_id": world["trucks"].id}).status_code == 404
    bad = client.get("/api/inbox", query_string={"type": "nonsense"})
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"]["type"] == "未知的类型"
    assert client.get("/api/inbox", query_string={"view": "everything"}).status_code == 422


def test_search_by_number_phone_and_name_stays_in_scope(client, world):
    login(client, world["chair"])
    assert numbers(client, q=world["b"].number) == ids(world, "b")
    assert numbers(client, q=world["b"].number.lower()) == ids(world, "b")
    assert numbers(client, q="13800000004") == ids(world, "d")
    assert numbers(client, q="张") == ids(world, "c", "a")
    assert numbers(client, q="张三") == ids(world, "a")
    assert numbers(client, q="赵六") == []  # another federation's worker
    assert numbers(client, q=world["x"].number) == []
    assert numbers(client, q="%") == []


def test_keyset_pages_walk_everything_once(client, world):
    login(client, world["chair"])
    seen, cursor = [], None
    while True:
        query = {"view": "all", "limit": 3} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/inbox", query_string=query).get_json()
        seen += [row["number"] for row in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == ids(world, "d", "c", "b", "a")
    assert client.get("/api/inbox", query_string={"cursor": "not-a-cursor"}).status_code == 422


def test_same_second_rows_are_not_lost_between_pages(client, world):
    login(client, world["chair"])
    same = [make_request(make_worker(), type="consultation", now=T0 - timedelta(days=1)) for _ in range(5)]
    walked, cursor = [], None
    for _ in range(10):
        body = client.get("/api/inbox", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}).get_json()
        walked += [r["id"] for r in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(walked) == len(set(walked)) == 9
    assert walked[-5:] == sorted((r.id for r in same), reverse=True)


def test_csv_export_is_excel_friendly_masked_and_audited(client, world):
    from models.audit import AuditEntry

    world["a"].worker_name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    login(client, world["chair"])
    response = client.get("/api/inbox/export.csv", query_string={"view": "all"}, buffered=True)  # streamed
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "类型", "状态"]
    assert [r[0] for r in rows[1:]] == ids(world, "d", "c", "b", "a")
    assert rows[4][7] == "138****0001" and rows[4][6].startswith("'=")
    assert db.session.query(AuditEntry).filter_by(action="request.export").count() == 1


def test_csv_export_streams_in_batches(world):
    from service.help_requests import inbox

    chunks = list(inbox.export_csv(world["chair"], "all", inbox.Filters(), batch=2))
    assert len(chunks) == 3  # 2 + 2 + the empty tail
    assert chunks[0].startswith("\ufeff编号")


def test_export_is_for_managers(client, world):
    login(client, world["cw"])
    assert client.get("/api/inbox/export.csv").status_code == 403

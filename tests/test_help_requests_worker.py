"""Asking for help, the worker's side: preview, submit, my requests, add info, withdraw, rate,
uploads; a worker sees only their own requests and never an internal note."""
import io
import re
from datetime import datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from models.audit import AuditEntry
from models.outbox import OutboxMessage
from models.request import HelpRequest
from service.help_requests import casework
from service.extensions import db
from tests.conftest import as_worker
from tests.factories import (cover, help_payload, make_federation, make_request,  # noqa: F401
                             make_staff, make_upper, make_worker)


@pytest.fixture
def tree():
    city = make_upper("石家庄市总工会", level="city", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=changan), "130102", "G602")
    return {"city": city, "changan": changan, "courier": courier}


def png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_preview_names_the_federation_and_why(client, tree):
    body = client.get("/api/requests/preview", query_string={"region": "130102", "industry": "G6020",
                                                              "type": "mediation"}).get_json()
    assert body["federation_name"] == "石家庄市长安区快递行业工会联合会"
    assert "130102" in body["explanation"] and "G6020" in body["explanation"]
    assert body["sentence"].startswith("此诉求将由石家庄市长安区快递行业工会联合会受理：工作地 130102")


def test_preview_falls_back_to_the_county_union(client, tree):
    body = client.get("/api/requests/preview", query_string={"region": "130102", "industry": "E4710"}).get_json()
    assert body["federation_name"] == "石家庄市长安区总工会" and body["reason"] == "fallback"


def test_preview_rejects_an_unknown_region_in_chinese(client, tree):
    response = client.get("/api/requests/preview", query_string={"region": "999999"})
    assert response.status_code == 422
    assert "行政区划" in response.get_json()["error"]["fields"]["region"]


def test_submit_needs_a_worker_session(client, tree):
    response = client.post("/api/requests", json=help_payload())
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "oauth_required"


def test_submit_routes_numbers_sets_deadlines_and_queues_a_confirmation(client, tree):
    as_worker(client, "o-zhang")
    response = client.post("/api/requests", json=help_payload("mediation"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert re.fullmatch(r"QZ\d{8}\d{6}", body["number"])
    assert body["federation_name"] == "石家庄市长安区快递行业工会联合会"
    assert body["status"] == "new" and body["status_label"] == "已提交，等待工会受理"
    request = db.session.get(HelpRequest, body["id"])
    assert request.routing["federation_id"] == tree["courier"].id and "受理" in request.routing["explanation"]
    assert request.first_response_due - request.created_at == timedelta(days=2)
    assert request.resolution_due - request.created_at == timedelta(days=17)  # provisional until accepted
    assert request.consent_at is not None and request.consent_version
    assert request.details == {"employer_address": "石家庄市长安区中山东路1号", "legal_representative": "王经理"}
    message = db.session.scalar(select(OutboxMessage))
    assert message.openid == "o-zhang" and message.payload["template"] == "request_update"
    assert message.payload["url"] == f"http://gonglian.test/h5/request.html?id={request.id}"
    assert all(len(v) <= 20 for v in dict(message.payload["fields"]).values())
    assert message.dedup_key == f"request:{request.id}:submitted"


def test_numbers_count_up_within_a_day(tree):
    worker = make_worker()
    now = datetime(2026, 3, 1, 2, 0)
    first = make_request(worker, now=now, learned_on="2026-02-01")
    second = make_request(worker, now=now + timedelta(minutes=1), learned_on="2026-02-01")
    assert first.number == "QZ20260301000001" and second.number == "QZ20260301000002"
    next_day = make_request(worker, now=now + timedelta(days=1), learned_on="2026-02-01")
    assert next_day.number == "QZ20260302000001"


@pytest.mark.parametrize("kind, details, field", [
    ("mediation", {"employer_address": "某路1号"}, "legal_representative"),
    ("legal_aid", {"migrant_worker": False, "claim": "wages"}, "ground"),
    ("legal_aid", {"migrant_worker": False, "claim": "other", "ground": "hardship"}, "ground_note"),
    ("work_injury", {"recognised": "yes"}, "injury_date"),
    ("work_injury", {"injury_date": "2026-01-01", "recognised": "maybe"}, "recognised"),
    ("wage_arrears", {"months": "three", "workers_affected": 2}, "months"),
    ("wage_arrears", {"months": 3, "workers_affected": 0}, "workers_affected"),
])
def test_type_specific_fields_are_checked(client, tree, kind, details, field):
    as_worker(client, "o-check")
    response = client.post("/api/requests", json=help_payload(kind, details=details))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"], response.get_json()


@pytest.mark.parametrize("claim", ["wages", "work_injury"])
def test_migrant_workers_claiming_wages_or_injury_need_no_hardship_ground(client, tree, claim):
    as_worker(client, "o-migrant")
    response = client.post("/api/requests", json=help_payload("legal_aid", details={"migrant_worker": True, "claim": claim}))
    assert response.status_code == 201, response.get_json()
    assert db.session.get(HelpRequest, response.get_json()["id"]).details["exempt"] is True


def test_common_fields_are_checked_all_at_once(client, tree):
    as_worker(client, "o-bad")
    response = client.post("/api/requests", json=help_payload(
        phone="12345", region="130100", industry="ZZ", consent=False, facts="太短", learned_on="2099-01-01",
        amount="很多"))
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422
    assert {"phone", "region", "industry", "consent", "facts", "learned_on", "amount"} <= set(fields)
    assert fields["consent"] == "请阅读并同意个人信息处理说明"


def test_unknown_fields_are_rejected(client, tree):
    as_worker(client, "o-extra")
    response = client.post("/api/requests", json={**help_payload(), "status": "resolved"})
    assert response.status_code == 422 and response.get_json()["error"]["fields"]["status"]


def test_a_worker_sees_only_their_own_requests(client, tree):
    mine = make_request(make_worker("o-me"))
    theirs = make_request(make_worker("o-other"))
    as_worker(client, "o-me")
    listed = client.get("/api/requests").get_json()
    assert [r["id"] for r in listed] == [mine.id]
    assert client.get(f"/api/requests/{theirs.id}").status_code == 404
    assert client.get("/api/requests/999999").status_code == 404
    for path in ("info", "withdraw", "rating"):
        assert client.post(f"/api/requests/{theirs.id}/{path}", json={"text": "补充一下", "rating": 5}).status_code in (404, 422)
    assert client.post(f"/api/requests/{theirs.id}/withdraw", json={}).status_code == 404


def test_internal_notes_never_reach_the_worker(client, tree):
    request = make_request(make_worker("o-note"))
    staff = make_staff(tree["courier"])
    casework.note(staff, request.id, "内部：该公司另有三起投诉")
    casework.reply(staff, request.id, "您好，已联系用人单位。")
    db.session.commit()
    body = as_worker(client, "o-note").get(f"/api/requests/{request.id}").get_json()
    texts = " ".join(e["body"] for e in body["events"])
    assert "已联系用人单位" in texts and "内部" not in texts
    assert body["status_label"] == "工会正在办理"
    messages = db.session.scalars(select(OutboxMessage.payload)).all()
    assert not any("内部" in m["text"] for m in messages)


def test_add_info_answers_a_request_for_information(client, tree):
    request = make_request(make_worker("o-info"))
    staff = make_staff(tree["courier"])
    casework.ask_info(staff, request.id, "请提供劳动合同照片")
    db.session.commit()
    as_worker(client, "o-info")
    assert client.get(f"/api/requests/{request.id}").get_json()["status"] == "awaiting_worker"
    body = client.post(f"/api/requests/{request.id}/info", json={"text": "合同已通过图片发送"}).get_json()
    assert body["status"] == "in_progress"
    assert client.post(f"/api/requests/{request.id}/info", json={"text": "x"}).status_code == 422


def test_withdraw_then_no_more_changes(client, tree):
    request = make_request(make_worker("o-wd"))
    as_worker(client, "o-wd")
    body = client.post(f"/api/requests/{request.id}/withdraw", json={"reason": "已与公司协商解决"}).get_json()
    assert body["status"] == "withdrawn" and body["can_withdraw"] is False
    again = client.post(f"/api/requests/{request.id}/withdraw", json={})
    assert again.status_code == 409
    assert client.post(f"/api/requests/{request.id}/info", json={"text": "再补充"}).status_code == 409


def test_rating_once_after_resolution(client, tree):
    request = make_request(make_worker("o-rate"))
    staff = make_staff(tree["courier"])
    as_worker(client, "o-rate")
    early = client.post(f"/api/requests/{request.id}/rating", json={"rating": 5})
    assert early.status_code == 409 and early.get_json()["error"]["message"] == "办结后才能评价"
    casework.resolve(staff, request.id, {"result": "resolved", "summary": "公司已补发工资"})
    db.session.commit()
    assert client.post(f"/api/requests/{request.id}/rating", json={"rating": 6}).status_code == 422
    body = client.post(f"/api/requests/{request.id}/rating", json={"rating": 4, "comment": "很及时"}).get_json()
    assert body["rating"] == 4 and body["can_rate"] is False and "公司已补发工资" in body["outcome_text"]
    assert client.post(f"/api/requests/{request.id}/rating", json={"rating": 5}).status_code == 409


def test_upload_accepts_images_only(client, tree):
    request = make_request(make_worker("o-up"))
    as_worker(client, "o-up")
    ok = client.post(f"/api/requests/{request.id}/attachments",
                     data={"file": (io.BytesIO(png()), "合同.png")}, content_type="multipart/form-data")
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["filename"] == "合同.png"
    fake = client.post(f"/api/requests/{request.id}/attachments",
                       data={"file": (io.BytesIO(b"%PDF-1.4 not an image"), "x.png")}, content_type="multipart/form-data")
    assert fake.status_code == 422 and "图片" in fake.get_json()["error"]["fields"]["file"]
    missing = client.post(f"/api/requests/{request.id}/attachments", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    stored = db.session.get(HelpRequest, request.id).attachments
    assert [(a.content_type, a.status, a.source) for a in stored] == [("image/png", "stored", "upload")]


def test_upload_size_is_limited(client, tree, monkeypatch):
    from service.help_requests import attachments

    monkeypatch.setattr(attachments, "MAX_IMAGE_BYTES", 100)
    request = make_request(make_worker("o-big"))
    as_worker(client, "o-big")
    response = client.post(f"/api/requests/{request.id}/attachments",
                           data={"file": (io.BytesIO(png((64, 64))), "big.png")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "不能超过" in response.get_json()["error"]["fields"]["file"]


def test_a_worker_cannot_upload_to_someone_elses_request(client, tree):
    request = make_request(make_worker("o-owner"))
    as_worker(client, "o-stranger")
    response = client.post(f"/api/requests/{request.id}/attachments",
                           data={"file": (io.BytesIO(png()), "a.png")}, content_type="multipart/form-data")
    assert response.status_code == 404


def test_regions_and_industries_for_the_pickers(client):
    provinces = client.get("/api/regions").get_json()
    hebei = next(r for r in provinces if r["code"] == "130000")
    assert hebei["name"] == "河北省" and hebei["level"] == "province" and hebei["has_children"] is True
    counties = client.get("/api/regions", query_string={"parent": "130100"}).get_json()
    assert any(r["code"] == "130102" and r["name"] == "长安区" for r in counties)
    found = client.get("/api/industries", query_string={"q": "快递"}).get_json()
    assert found[0]["code"].startswith("G602") and "快递" in found[0]["name"]


def test_no_audit_line_holds_a_phone_number(client, tree):
    request = make_request(make_worker("o-audit"))
    staff = make_staff(tree["courier"])
    casework.claim(staff, request.id)
    db.session.commit()
    for entry in db.session.scalars(select(AuditEntry)):
        assert "13812345678" not in str(entry.detail)


def test_openapi_documents_the_request_endpoints(client):
    spec = client.get("/api/openapi.json").get_json()
    for path in ("/api/requests", "/api/requests/preview", "/api/requests/{request_id}/attachments",
                 "/api/inbox", "/api/inbox/export.csv", "/api/inbox/requests/{request_id}/resolve",
                 "/api/canned-replies", "/api/staff", "/api/my-federation", "/api/regions", "/api/industries"):
        assert path in spec["paths"], path
    assert "consent" in spec["components"]["schemas"]["RequestIn"]["properties"]


@pytest.mark.postgres
def test_concurrent_submissions_get_distinct_numbers(app, tree):
    """Many workers submitting at once: the guarded UPDATE … RETURNING hands out each number once."""
    import threading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises writers)")
    workers = [make_worker(f"o-race-{n}").id for n in range(8)]
    numbers, failures = [], []

    def submit(worker_id):
        from models.worker import Worker
        from service.help_requests import worker as help_requests

        with app.app_context():
            try:
                for _ in range(3):
                    numbers.append(help_requests.submit(db.session.get(Worker, worker_id), help_payload()).number)
                    db.session.commit()
            except Exception as error:  # pragma: no cover - reported below
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(numbers) == len(set(numbers)) == 24
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 25))

"""A worker sees, exports and asks to delete their own data; the union's legal holds (a case being
handled, a live membership, an application under review, a contest still to come) are respected and
explained in Chinese; the retention clock reaches help requests, their images and contest sign-ups."""
import io
import json
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from models.base import utcnow
from models.contest import Signup
from models.privacy import DataRequest
from models.request import Attachment, HelpRequest
from models.worker import Worker
from service.extensions import db
from service.help_requests import casework
from service.privacy import retention, worker_data
from tests.conftest import as_worker, login
from tests.factories import help_payload, join_form, make_contest, make_member, make_staff

COURIER = "石家庄市长安区快递行业工会联合会"
PHONE = "13812345678"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="PNG")
    return out.getvalue()


def _a_case(client, openid="o-mine"):
    as_worker(client, openid)
    created = client.post("/api/requests", json=help_payload(facts="老板拖欠我三个月工资，电话13812345678"))
    assert created.status_code == 201
    request_id = created.get_json()["id"]
    assert client.post(f"/api/requests/{request_id}/attachments",
                       data={"file": (io.BytesIO(png()), "a.png")}, content_type="multipart/form-data").status_code == 201
    return request_id


def _close(feds, request_id):
    chair = make_staff(feds[COURIER], role="chair", username=f"closer{request_id}")
    casework.claim(chair, request_id)
    casework.resolve(chair, request_id, {"result": "resolved", "summary": "已解决", "amount_recovered": "0.00",
                                         "workers_covered": 1})
    casework.close(chair, request_id)
    db.session.commit()


def test_a_worker_sees_their_own_data_and_nobody_elses(client, feds):
    _a_case(client, "o-mine")
    _a_case(client, "o-other")
    as_worker(client, "o-mine")
    body = client.get("/api/my-data").get_json()
    assert [r["facts"] for r in body["help_requests"]] == ["老板拖欠我三个月工资，电话13812345678"]
    assert body["help_requests"][0]["phone_masked"] == "138****5678"
    assert body["holds"] and "正在办理中" in body["holds"][0]
    assert client.get("/api/my-data").headers["Cache-Control"] == "no-store"
    assert client.application.test_client().get("/api/my-data").status_code == 401


def test_the_export_is_a_json_file_with_the_messages(client, feds):
    _a_case(client)
    response = client.get("/api/my-data/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["help_requests"][0]["images"] == 1 and data["exported_at"]
    assert isinstance(data["help_requests"][0]["messages"], list)


def test_deletion_waits_for_an_open_case_and_says_why_then_finishes_when_it_closes(client, feds):
    request_id = _a_case(client)
    held = client.post("/api/my-data/deletion")
    assert held.status_code == 201
    body = held.get_json()
    assert body["status"] == "pending" and any("正在办理中" in reason for reason in body["held_because"])
    assert db.session.get(HelpRequest, request_id).worker_phone == PHONE  # nothing erased yet
    assert worker_data.deletion_requests_job() == 0
    _close(feds, request_id)
    assert worker_data.deletion_requests_job() == 1
    db.session.commit()
    request = db.session.get(HelpRequest, request_id)
    assert request.worker_name is None and request.worker_phone is None and request.erased_at is not None
    assert request.facts == "（已删除）" and request.type == "wage_arrears" and request.status == "closed"
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-mine"))
    assert worker.name is None and worker.phone is None
    assert db.session.scalar(select(DataRequest.status)) == "done"
    for table in ("help_requests", "request_events", "workers"):
        dumped = repr([dict(r._mapping) for r in db.session.execute(text(f"SELECT * FROM {table}"))])
        assert "拖欠我三个月" not in dumped and "张三" not in dumped, table


def test_a_live_membership_holds_the_member_roll(client, feds):
    member = make_member(feds[COURIER], openid="o-member")
    as_worker(client, "o-member")
    body = client.post("/api/my-data/deletion").get_json()
    assert body["status"] == "pending" and "请先在“我的会员卡”中办理退会" in body["held_because"][0]
    assert db.session.get(Worker, member.worker_id).name == "张三"


def test_an_upcoming_contest_and_an_application_under_review_hold_too(client, feds):
    as_worker(client, "o-both")
    assert client.post("/api/join/applications", json=join_form()).status_code == 201
    contest = make_contest(feds[COURIER])
    as_worker(client, "o-both")
    assert client.post(f"/api/contests/{contest.id}/signup", json={"name": "张三", "phone": PHONE}).status_code == 201
    reasons = client.post("/api/my-data/deletion").get_json()["held_because"]
    assert any("入会申请" in r for r in reasons) and any("尚未举行的竞赛" in r for r in reasons)


def test_nothing_held_is_deleted_at_once(client, feds):
    request_id = _a_case(client, "o-free")
    _close(feds, request_id)
    as_worker(client, "o-free")
    body = client.post("/api/my-data/deletion").get_json()
    assert body["status"] == "done" and body["held_because"] == []
    assert db.session.get(HelpRequest, request_id).erased_at is not None
    again = client.get("/api/my-data").get_json()
    assert again["profile"]["name"] is None and again["help_requests"][0]["erased"] is True


# --- the retention clock ---------------------------------------------------------------------------------
def test_the_retention_clock_reaches_help_requests_their_images_and_signups(client, feds, runner):
    request_id = _a_case(client, "o-old")
    _close(feds, request_id)
    contest = make_contest(feds[COURIER], starts_at=utcnow() + timedelta(days=1))
    as_worker(client, "o-old")
    assert client.post(f"/api/contests/{contest.id}/signup", json={"name": "张三", "phone": PHONE}).status_code == 201
    assert retention.purge() == {"applications": 0, "workers": 0, "help_requests": 0, "signups": 0}
    long_ago = utcnow() - timedelta(days=retention.retention_days() + 1)
    db.session.get(HelpRequest, request_id).closed_at = long_ago
    contest.starts_at, contest.ends_at = long_ago - timedelta(days=1), long_ago
    db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert "1 help requests, 1 contest sign-ups" in result.output, result.output
    request = db.session.get(HelpRequest, request_id)
    assert request.erased_at and request.worker_phone is None and not request.attachments
    signup = db.session.scalar(select(Signup))
    assert signup.name == "（已删除）" and signup.phone is None and signup.erased_at is not None
    assert db.session.scalar(select(Worker.name).where(Worker.openid == "o-old")) is None  # nothing keeps it now


def test_a_recently_closed_request_keeps_the_workers_contact(client, feds):
    request_id = _a_case(client, "o-recent")
    _close(feds, request_id)
    retention.purge()
    db.session.commit()
    assert db.session.get(HelpRequest, request_id).worker_phone == PHONE

"""Membership review by staff: scope, actions, the audit log, notifications in the same
transaction, member numbers, deadlines."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.audit import AuditEntry
from models.membership import Application, Membership
from models.outbox import OutboxMessage
from service.membership import applications
from service.membership import review
from service.errors import Conflict, NotFound
from service.extensions import db
from service import clock
from tests.conftest import as_worker, login
from tests.factories import join_form, make_resident_id, make_staff

COURIER = "石家庄市长安区快递行业工会联合会"
TRUCKS = "石家庄市裕华区货车司机行业工会联合会"
TAKEAWAY = "石家庄市外卖送餐行业工会联合会"


@pytest.fixture
def staff(feds):
    return make_staff(feds[COURIER], username="courier-staff")


def apply(client, openid="o-1", **overrides) -> int:
    response = as_worker(client, openid).post("/api/join/applications", json=join_form(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_pending_list_shows_masked_ids_and_due_dates(client, feds, staff):
    application_id = apply(client)
    body = login(client, staff).get("/api/applications?view=pending").get_json()
    assert body["total"] == 1 and body["counts"]["pending"] == 1
    row = body["items"][0]
    assert row["id"] == application_id and row["name"] == "张三"
    assert row["id_masked"] == "13**************" + make_resident_id()[-2:]
    assert row["phone_masked"] == "138****5678"
    assert row["overdue"] is False and row["due_on"]
    assert make_resident_id() not in str(body)


def test_detail_masks_the_id_and_shows_the_routing(client, feds, staff):
    application_id = apply(client)
    body = login(client, staff).get(f"/api/applications/{application_id}").get_json()
    assert body["id_masked"].startswith("13***") and "id_number" not in body
    assert body["explanation"].startswith(f"由{COURIER}受理")
    assert body["region_name"] == "河北省石家庄市长安区" and body["industry_name"] == "快递服务"
    assert body["gender"] == "男" and body["consent_version"]


@pytest.mark.parametrize("action, payload", [
    ("", None), ("/approve", {}), ("/reject", {"reason": "x"}), ("/correction", {"reason": "x"}),
    ("/transfer", {"to_federation_id": 1, "reason": "x"}), ("/id-number", None),
])
def test_another_federations_staff_get_404(client, feds, action, payload):
    application_id = apply(client)
    outsider = make_staff(feds[TRUCKS], may_view_id=True)
    login(client, outsider)
    url = f"/api/applications/{application_id}{action}"
    response = client.get(url) if payload is None else client.post(url, json=payload)
    assert response.status_code == 404
    assert client.get("/api/applications?view=all").get_json()["total"] == 0
    assert db.session.get(Application, application_id).status == "pending"


def test_the_upper_union_sees_applications_beneath_it(client, feds):
    application_id = apply(client)
    county = make_staff(feds["石家庄市长安区总工会"])
    assert login(client, county).get(f"/api/applications/{application_id}").status_code == 200


def test_workers_cannot_use_the_staff_api(client, feds):
    apply(client)
    assert client.get("/api/applications").status_code == 401


def test_approve_makes_a_member_queues_the_notification_and_audits(client, feds, staff):
    application_id = apply(client)
    response = login(client, staff).post(f"/api/applications/{application_id}/approve")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    year = datetime.now().year
    assert body["status"] == "approved" and body["member_no"].startswith(f"GL{year}")
    assert len(body["member_no"]) == 2 + 4 + 8
    membership = db.session.scalar(select(Membership))
    assert membership.status == "active" and membership.member_no == body["member_no"]
    assert membership.region_code == "130102" and membership.industry_code == "G6020"
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert message.openid == "o-1"
    assert message.payload["template"] == "application_result"
    assert dict(message.payload["fields"])["member_no"] == membership.member_no
    assert message.payload["url"] == "http://gonglian.test/h5/card.html"
    assert "已通过" in message.payload["text"]
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_staff_id == staff.id)))
    assert "application.approve" in actions
    card = as_worker(client, "o-1").get("/api/card").get_json()
    assert card["member_no"] == membership.member_no and card["status_label"] == "正常"


def test_the_notification_is_in_the_same_transaction(app, client, feds, staff, monkeypatch):
    """If the approval fails after queuing, neither the membership nor the message remains."""
    application_id = apply(client)
    login(client, staff)
    import service.membership.review as review_module

    def failing_audit(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(review_module.audit, "record", failing_audit)
    response = client.post(f"/api/applications/{application_id}/approve")
    assert response.status_code == 500
    assert db.session.scalar(select(func.count(Membership.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # only 申请已受理, from the submit
    assert db.session.get(Application, application_id).status == "pending"


def test_member_numbers_are_sequential_and_never_reused(client, feds, staff):
    numbers = []
    for n in range(3):
        application_id = apply(client, f"o-{n}", id_number=make_resident_id(seq=f"{n + 1:03d}"))
        numbers.append(login(client, staff).post(f"/api/applications/{application_id}/approve").get_json()["member_no"])
    assert [int(no[-8:]) for no in numbers] == [1, 2, 3]
    # a member withdraws and joins again: a new number, the old one stays retired
    membership = db.session.scalar(select(Membership).where(Membership.member_no == numbers[0]))
    as_worker(client, "o-0").post("/api/card/withdraw", json={"reason": ""})
    again = apply(client, "o-0", id_number=make_resident_id(seq="001"))
    renewed = login(client, staff).post(f"/api/applications/{again}/approve").get_json()["member_no"]
    assert renewed not in numbers and int(renewed[-8:]) == 4
    db.session.refresh(membership)
    assert membership.member_no == numbers[0] and membership.status == "withdrawn"


def test_reject_needs_a_reason_notifies_and_starts_the_retention_clock(client, feds, staff):
    application_id = apply(client)
    login(client, staff)
    missing = client.post(f"/api/applications/{application_id}/reject", json={"reason": "  "})
    assert missing.status_code == 422 and missing.get_json()["error"]["fields"]["reason"]
    response = client.post(f"/api/applications/{application_id}/reject", json={"reason": "工作地不在本会覆盖范围"})
    assert response.get_json()["status"] == "rejected"
    application = db.session.get(Application, application_id)
    assert application.open_key is None
    assert application.retention_until - application.decided_at == timedelta(days=180)
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert "工作地不在本会覆盖范围" in message.payload["text"] and dict(message.payload["fields"])["result"] == "未通过"


def test_correction_is_seen_by_the_worker_and_notified(client, feds, staff):
    application_id = apply(client)
    login(client, staff).post(f"/api/applications/{application_id}/correction", json={"reason": "请补充单位全称"})
    assert db.session.get(Application, application_id).status == "correction"
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert "补正" in message.payload["text"] and message.payload["url"].endswith("/h5/join.html")
    # while waiting for the worker it cannot be approved
    assert client.post(f"/api/applications/{application_id}/approve").status_code == 409


def test_transfer_moves_it_with_a_reason_and_keeps_the_deadline(client, feds, staff):
    application_id = apply(client)
    due = db.session.get(Application, application_id).due_at
    target = feds[TAKEAWAY]
    login(client, staff)
    no_reason = client.post(f"/api/applications/{application_id}/transfer", json={"to_federation_id": target.id})
    assert no_reason.status_code == 422
    response = client.post(f"/api/applications/{application_id}/transfer",
                           json={"to_federation_id": target.id, "reason": "申请人实际从事外卖送餐"})
    assert response.status_code == 200, response.get_json()
    application = db.session.get(Application, application_id)
    assert application.federation_id == target.id and application.due_at == due
    assert response.get_json()["transfers"][0]["reason"] == "申请人实际从事外卖送餐"
    assert client.get(f"/api/applications/{application_id}").status_code == 404  # out of scope now
    receiving = make_staff(target)
    assert login(client, receiving).get("/api/applications").get_json()["items"][0]["id"] == application_id
    assert dict(db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc())).payload["fields"])["result"] == "已转交"


def test_decided_applications_cannot_be_decided_again(client, feds, staff):
    application_id = apply(client)
    login(client, staff).post(f"/api/applications/{application_id}/approve")
    for action, payload in (("approve", {}), ("reject", {"reason": "x"}), ("correction", {"reason": "x"})):
        assert client.post(f"/api/applications/{application_id}/{action}", json=payload).status_code == 409


def test_full_id_needs_may_view_id_and_is_audited(client, feds, staff):
    application_id = apply(client)
    denied = login(client, staff).get(f"/api/applications/{application_id}/id-number")
    assert denied.status_code == 403
    viewer = make_staff(feds[COURIER], may_view_id=True)
    body = login(client, viewer).get(f"/api/applications/{application_id}/id-number").get_json()
    assert body == {"id_number": make_resident_id()}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "pii.view_id"))
    assert entry.actor_staff_id == viewer.id and entry.subject_id == application_id
    assert make_resident_id() not in str(entry.detail)


# --- deadlines ----------------------------------------------------------------------------
def test_fifteen_working_days_skip_weekends():
    # Friday 2025-06-06 10:00 Beijing (02:00 UTC) → 15 working days later is Friday 2025-06-27
    due = clock.add_working_days(datetime(2025, 6, 6, 2, 0), 15)
    assert due == datetime(2025, 6, 27, 15, 59, 59)  # 23:59:59 Beijing
    # a Saturday submission counts from Monday
    assert clock.add_working_days(datetime(2025, 6, 7, 2, 0), 1) == datetime(2025, 6, 9, 15, 59, 59)
    # late evening UTC is already the next day in Beijing
    assert clock.add_working_days(datetime(2025, 6, 5, 17, 0), 1) == datetime(2025, 6, 9, 15, 59, 59)


def test_overdue_applications_show_as_overdue(client, feds, staff):
    late = apply(client, "o-late")
    apply(client, "o-fresh", id_number=make_resident_id(seq="456"))
    application = db.session.get(Application, late)
    application.due_at = datetime(2020, 1, 1)
    db.session.commit()
    body = login(client, staff).get("/api/applications?view=overdue").get_json()
    assert [row["id"] for row in body["items"]] == [late] and body["items"][0]["overdue"] is True
    assert body["counts"] == {"pending": 2, "overdue": 1, "correction": 0, "incoming_transfers": 0}
    pending = client.get("/api/applications?view=pending").get_json()["items"]
    assert pending[0]["id"] == late  # the most urgent first


def test_unknown_view_is_422(client, feds, staff):
    assert login(client, staff).get("/api/applications?view=nope").status_code == 422


def test_search_by_name(client, feds, staff):
    apply(client, "o-a", name="李四", id_number=make_resident_id(seq="111"))
    apply(client, "o-b", name="王五", id_number=make_resident_id(seq="222"))
    body = login(client, staff).get("/api/applications?view=all&q=李").get_json()
    assert [row["name"] for row in body["items"]] == ["李四"]


def test_service_level_scope_check(feds, client):
    application_id = apply(client)
    outsider = make_staff(feds[TRUCKS])
    with pytest.raises(NotFound):
        review.approve(outsider, application_id)


def test_a_second_wechat_account_cannot_be_approved_twice(client, feds, staff):
    """Two open applications for one ID are refused at submit; if data slipped in earlier
    (e.g. before a correction changed the ID), approval still refuses the twin."""
    first = apply(client, "o-x")
    second = apply(client, "o-y", id_number=make_resident_id(seq="999"))
    other = db.session.get(Application, second)
    other.id_hash = db.session.get(Application, first).id_hash
    other.worker.id_hash = other.id_hash
    db.session.commit()
    review.approve(staff, first)
    db.session.commit()
    with pytest.raises(Conflict):
        review.approve(staff, second)


# --- the application state machine, one table ---------------------------------------------
APP_MOVES = {
    "approve": lambda s, a: review.approve(s, a.id),
    "reject": lambda s, a: review.reject(s, a.id, "不符合条件"),
    "correction": lambda s, a: review.request_correction(s, a.id, "请补充"),
    "resubmit": lambda s, a: applications.resubmit_application(a.worker, a.id, join_form(id_number="")),
    "withdraw": lambda s, a: applications.withdraw_application(a.worker, a.id),
}
APP_ALLOWED = {
    "pending": {"approve": "approved", "reject": "rejected", "correction": "correction", "withdraw": "withdrawn"},
    "correction": {"resubmit": "pending", "withdraw": "withdrawn"},
    "approved": {}, "rejected": {}, "withdrawn": {},
}
APP_SETUP = {"pending": [], "correction": ["correction"], "approved": ["approve"], "rejected": ["reject"],
             "withdrawn": ["withdraw"]}


@pytest.mark.parametrize("start", list(APP_ALLOWED))
@pytest.mark.parametrize("move", list(APP_MOVES))
def test_application_state_machine(client, feds, staff, start, move):
    application = db.session.get(Application, apply(client))
    for step in APP_SETUP[start]:
        APP_MOVES[step](staff, application)
    assert application.status == start
    if move in APP_ALLOWED[start]:
        APP_MOVES[move](staff, application)
        assert application.status == APP_ALLOWED[start][move]
        open_now = application.status in ("pending", "correction")
        assert (application.open_key is not None) == open_now
    else:
        with pytest.raises(Conflict):
            APP_MOVES[move](staff, application)
        assert application.status == start

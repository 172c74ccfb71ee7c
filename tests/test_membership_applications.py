"""Joining online, the worker's side: the form, where it goes, double submits, corrections."""
import pytest
from sqlalchemy import func, select

from models.membership import Application
from models.worker import Worker
from service.extensions import db
from tests.conftest import as_worker, login
from tests.factories import join_form, make_resident_id, make_staff


COURIER = "石家庄市长安区快递行业工会联合会"
STREET = "石家庄市长安区建北街道工会联合会"
TAKEAWAY = "石家庄市外卖送餐行业工会联合会"


def body_notice_version():
    from service.privacy.retention import NOTICE_VERSION

    return NOTICE_VERSION


def submit(client, openid="o-worker", **overrides):
    return as_worker(client, openid).post("/api/join/applications", json=join_form(**overrides))


def test_the_api_needs_the_worker_known_through_oauth(client):
    response = client.get("/api/join/context")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "oauth_required"


def test_context_offers_the_notice_and_the_federation_of_the_link(client, feds):
    fed = feds[COURIER]
    body = as_worker(client, "o-1").get(f"/api/join/context?fed={fed.id}").get_json()
    assert body["federation"] == {"id": fed.id, "name": COURIER}
    assert body["federation_source"] == "link"
    assert body["notice"]["version"] and "身份证号" in body["notice"]["text"]
    assert "180" in body["notice"]["text"]
    assert body["membership"] is None and body["application"] is None


def test_context_falls_back_to_the_last_scanned_federation(client, feds, wechat):
    fed = feds[STREET]
    wechat.scan("o-scan", f"fed:{fed.id}")
    body = as_worker(client, "o-scan").get("/api/join/context").get_json()
    assert body["federation"]["id"] == fed.id and body["federation_source"] == "scan"


def test_bot_link_lands_on_the_join_page_of_that_federation(client, feds, wechat):
    fed = feds[COURIER]
    reply = wechat.scan("o-bot", f"fed:{fed.id}").reply
    assert f"/h5/join.html?fed={fed.id}" in reply["Content"]


def test_submit_routes_by_workplace_and_stores_the_decision(client, feds):
    response = submit(client)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["federation"]["name"] == COURIER
    assert body["source"] == "routed"
    assert body["explanation"].startswith(f"由{COURIER}受理")
    assert body["id_masked"] == "13**************" + make_resident_id()[-2:]
    assert body["status"] == "pending" and body["due_on"]
    application = db.session.scalar(select(Application))
    assert application.routing["reason"] == "coverage"
    assert application.consent_version == body_notice_version() and application.consent_at
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-worker"))
    assert worker.name == "张三" and worker.gender == "M" and worker.id_masked == application.id_masked


def test_submit_from_a_federation_link_goes_to_that_federation(client, feds):
    fed = feds[TAKEAWAY]  # the workplace would route to the courier federation
    body = submit(client, fed=fed.id).get_json()
    assert body["federation"]["id"] == fed.id and body["source"] == "qr"
    assert "入会链接" in body["explanation"]


def test_a_scanned_federation_says_so(client, feds, wechat):
    fed = feds[TAKEAWAY]
    wechat.scan("o-qr", f"fed:{fed.id}")
    body = submit(client, "o-qr", fed=fed.id).get_json()
    assert "扫描了该联合会的二维码" in body["explanation"]


def test_a_link_of_an_inactive_federation_is_routed_instead(client, feds):
    fed = feds[TAKEAWAY]
    fed.status = "preparing"
    db.session.commit()
    body = submit(client, fed=fed.id).get_json()
    assert body["federation"]["name"] == COURIER and body["source"] == "routed"
    assert "当前不接收申请" in body["explanation"]


def test_no_covering_federation_falls_back_to_the_upper_union(client, feds):
    body = submit(client, region_code="130104", industry_code="A0111").get_json()
    assert body["federation"]["name"] == "石家庄市总工会"


def test_every_invalid_field_gets_its_own_chinese_message(client, feds):
    response = submit(client, name="Z", id_number="130102199902301230", phone="12345",
                      employment_form="", region_code="1301", industry_code="ZZ",
                      declaration=False, constitution=False, privacy_consent=False)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"name", "id_number", "phone", "employment_form", "region_code", "industry_code",
                           "declaration", "constitution", "privacy_consent"}
    assert "出生日期" in fields["id_number"] and "手机" in fields["phone"]
    assert db.session.scalar(select(func.count(Application.id))) == 0


def test_employer_is_optional_only_for_flexible_workers(client, feds):
    response = submit(client, employer="", employment_form="employee")
    assert response.get_json()["error"]["fields"] == {"employer": "请填写工作单位或平台名称"}
    assert submit(client, "o-flex", employer="", employment_form="flexible").status_code == 201


def test_privacy_consent_is_separate_and_versioned(client, feds):
    stale = submit(client, notice_version="2000-01")
    assert "已更新" in stale.get_json()["error"]["fields"]["privacy_consent"]
    only_other_boxes = submit(client, privacy_consent=False)
    assert list(only_other_boxes.get_json()["error"]["fields"]) == ["privacy_consent"]


def test_wrong_types_and_unknown_fields_answer_in_chinese(client, feds):
    response = as_worker(client, "o-x").post("/api/join/applications", json={**join_form(), "fed": "abc", "x": 1})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert fields["fed"] == "格式有误" and fields["x"] == "不支持的字段"


def test_a_double_submit_creates_one_application(client, feds):
    assert submit(client).status_code == 201
    again = submit(client)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "application_open"
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_open_key_refuses_a_second_open_application_at_the_database(client, feds):
    """Two submits racing past the service's check still make one row (unique open_key)."""
    from service.membership import applications

    submit(client)
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-worker"))
    original = applications.open_application
    applications.open_application = lambda worker_id: None  # the race: the check saw nothing
    try:
        with pytest.raises(Exception) as caught:
            applications.submit_application(worker, join_form())
        assert getattr(caught.value, "code", None) == "application_open"
    finally:
        applications.open_application = original
    db.session.rollback()
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_the_same_id_number_from_another_wechat_account_is_refused(client, feds):
    submit(client, "o-a")
    other = submit(client, "o-b")
    assert other.status_code == 409
    assert "id_number" in other.get_json()["error"]["fields"]


def test_a_member_is_offered_a_transfer_instead(client, feds):
    from service.membership import review

    submit(client, "o-m")
    staff = make_staff(feds[COURIER])
    review.approve(staff, db.session.scalar(select(Application.id)))
    db.session.commit()
    again = submit(client, "o-m")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_member"
    assert "转会" in again.get_json()["error"]["message"]
    context = client.get("/api/join/context").get_json()
    assert context["membership"]["status"] == "active"


def test_correction_round_trip_keeps_the_id_when_left_empty(client, feds):
    submit(client, "o-c")
    application_id = db.session.scalar(select(Application.id))
    staff = make_staff(feds[COURIER])
    login(client, staff).post(f"/api/applications/{application_id}/correction", json={"reason": "请填写完整的单位名称"})
    as_worker(client, "o-c")
    context = client.get("/api/join/context").get_json()
    assert context["application"]["status"] == "correction"
    assert context["application"]["reason"] == "请填写完整的单位名称"
    response = client.put(f"/api/join/applications/{application_id}",
                          json=join_form(id_number="", employer="石家庄某某快递有限公司长安分部"))
    assert response.status_code == 200, response.get_json()
    application = db.session.get(Application, application_id)
    assert application.status == "pending" and application.employer == "石家庄某某快递有限公司长安分部"
    assert application.id_masked.endswith(make_resident_id()[-2:])
    assert [h["action"] for h in application.history] == ["submit", "correction", "resubmit"]


def test_resubmitting_after_a_rejection_makes_a_new_application(client, feds):
    submit(client, "o-r")
    first = db.session.scalar(select(Application))
    staff = make_staff(feds[COURIER])
    login(client, staff).post(f"/api/applications/{first.id}/reject", json={"reason": "不属于本会覆盖范围"})
    as_worker(client, "o-r")
    context = client.get("/api/join/context").get_json()
    assert context["application"]["status"] == "rejected" and context["application"]["reason"] == "不属于本会覆盖范围"
    again = client.post("/api/join/applications", json=join_form())
    assert again.status_code == 201
    assert again.get_json()["id"] != first.id


def test_the_worker_may_withdraw_an_open_application(client, feds):
    application_id = submit(client, "o-w").get_json()["id"]
    response = client.post(f"/api/join/applications/{application_id}/withdraw")
    assert response.get_json()["status"] == "withdrawn"
    assert db.session.get(Application, application_id).retention_until is not None
    assert client.post("/api/join/applications", json=join_form()).status_code == 201


def test_another_workers_application_is_not_found(client, feds):
    application_id = submit(client, "o-own").get_json()["id"]
    response = as_worker(client, "o-else").post(f"/api/join/applications/{application_id}/withdraw")
    assert response.status_code == 404


def test_the_worker_is_told_the_application_was_received_and_the_decision_date(client, feds):
    from models.outbox import OutboxMessage

    body = submit(client).get_json()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.openid == "o-worker"))
    assert message.payload["text"].startswith("申请已受理：您的入会申请已提交")
    assert f"将于{body['due_on']}前作出决定" in message.payload["text"]
    assert dict(message.payload["fields"]) == {"result": "申请已受理", "federation": body["federation"]["name"],
                                               "reason": f"{body['due_on']}前作出决定"}

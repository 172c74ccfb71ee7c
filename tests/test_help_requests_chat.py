"""The chat is part of the case: text and voice from a worker with an open request reach the
request's timeline and flag the inbox; keywords still answer; the delivery state of every
message to the worker is shown to staff, and an undeliverable one alerts the caseworker."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.outbox import OutboxMessage
from models.request import HelpRequest, RequestEvent
from service.extensions import db
from service.help_requests import casework, delivery
from service.help_requests.wording import routing_sentence, staff_line
from service.wechat import deliverer
from tests.conftest import login
from tests.factories import cover, make_federation, make_request, make_staff, make_upper, make_worker

COURIER = "石家庄市长安区快递行业工会联合会"


@pytest.fixture
def case():
    county = make_upper("石家庄市长安区总工会", region="130102")
    courier = cover(make_federation(COURIER, parent=county), "130102", "G602")
    worker = make_worker("o-talk", phone="13912345678")
    request = make_request(worker, type="wage_arrears", phone="13912345678")
    staff = make_staff(courier, username="kd-case")
    staff.openid = "o-staff"
    db.session.commit()
    return {"request": request, "staff": staff, "worker": worker, "federation": courier}


def events(request, kind):
    return db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id,
                                                         RequestEvent.kind == kind)).all()


def test_text_after_a_staff_question_joins_the_request_and_the_bot_says_where(wechat, case):
    request, staff = case["request"], case["staff"]
    casework.claim(staff, request.id)
    casework.ask_info(staff, request.id, "请您把工资条截图发给我们")
    db.session.commit()
    response = wechat.send_text("o-talk", "好的，我晚上把工资条拍给你们")
    assert response.reply["Content"].startswith(f"已转给您的欠薪诉求 {request.number}的办理人")
    [line] = events(request, "worker_message")
    assert (line.body, line.public, line.by_worker) == ("好的，我晚上把工资条拍给你们", True, True)
    db.session.refresh(request)
    assert request.status == "in_progress" and request.worker_unread == 1  # back with the caseworker


def test_voice_goes_with_its_recognition_text(wechat, case):
    xml = wechat.peer.xml("o-talk", "voice", MediaId="VOICE-1", Format="amr", Recognition="工资还是没发", MsgId=77)
    assert case["request"].number in wechat.post(xml).reply["Content"]
    [line] = events(case["request"], "worker_message")
    assert line.body == "（语音）工资还是没发" and line.data == {"channel": "chat", "kind": "voice", "media_id": "VOICE-1"}
    assert staff_line(line.kind, line.body, line.data, True) == "职工发来语音：工资还是没发"


def test_several_open_requests_the_most_recently_active_gets_it(wechat, case):
    first = case["request"]
    second = make_request(case["worker"], type="work_injury")
    second.updated_at = second.worker_active_at = first.updated_at - timedelta(hours=2)
    db.session.commit()
    casework.reply(case["staff"], second.id, "请问您受伤的日期？")  # the caseworker's question is the latest
    db.session.commit()
    answer = wechat.send_text("o-talk", "是上个月十号").reply["Content"]
    assert second.number in answer and "您有2件诉求正在办理" in answer
    assert [e.body for e in events(second, "worker_message")] == ["是上个月十号"] and not events(first, "worker_message")


def test_a_keyword_alone_still_answers_as_the_keyword(wechat, case):
    assert "/h5/join.html" in wechat.send_text("o-talk", "我要入会").reply["Content"]
    assert events(case["request"], "worker_message") == []


def test_without_an_open_request_text_offers_help_and_keywords_match_inside_sentences(wechat):
    assert "/h5/help.html" in wechat.send_text("o-nobody", "你好在吗").reply["Content"]
    assert "help.html?type=work_injury" in wechat.send_text("o-nobody", "我昨天干活受伤了怎么办").reply["Content"]
    assert "/h5/me.html" in wechat.send_text("o-nobody", "我想看看会员卡").reply["Content"]
    assert db.session.scalar(select(RequestEvent).where(RequestEvent.kind == "worker_message")) is None


def test_asking_for_a_person_reaches_the_caseworker(wechat, case):
    answer = wechat.send_text("o-talk", "人工客服").reply["Content"]
    assert case["request"].number in answer and "受理您欠薪诉求" in answer  # nobody has claimed it yet
    assert [e.body for e in events(case["request"], "worker_message")] == ["职工请求人工客服"]


def test_the_inbox_flags_new_worker_messages_until_staff_open_the_request(client, wechat, case):
    request = case["request"]
    wechat.send_text("o-talk", "补充一下：老板说下个月再发")
    login(client, case["staff"])
    [row] = client.get("/api/inbox?view=all").get_json()["items"]
    assert row["worker_unread"] == 1
    detail = client.get(f"/api/inbox/requests/{request.id}").get_json()
    assert detail["worker_unread"] == 1
    assert any(e["body"] == "职工在微信对话中说：补充一下：老板说下个月再发" for e in detail["timeline"])
    [row] = client.get("/api/inbox?view=all").get_json()["items"]
    assert row["worker_unread"] == 0


def test_the_open_page_polls_new_lines_with_delivery_states(client, wechat, case, live_server):
    request, staff = case["request"], case["staff"]
    login(client, staff)
    client.post(f"/api/inbox/requests/{request.id}/claim")
    client.post(f"/api/inbox/requests/{request.id}/reply", json={"body": "请提供劳动合同"})
    lines = client.get(f"/api/inbox/requests/{request.id}/updates").get_json()["timeline"]
    reply = next(line for line in lines if line["kind"] == "reply")
    assert reply["delivery"] == {"state": "waiting", "label": "等待发送"}
    wechat.send_text("o-talk", "好的")
    lines = client.get(f"/api/inbox/requests/{request.id}/updates").get_json()["timeline"]
    assert lines[-1]["kind"] == "worker_message" and lines[-1]["by_worker"] and lines[-1]["delivery"] is None


def test_staff_read_names_and_lines_written_for_staff(client, case):
    request = case["request"]
    login(client, case["staff"])
    detail = client.get(f"/api/inbox/requests/{request.id}").get_json()
    assert detail["region_name"] == "河北省石家庄市长安区" and detail["industry_name"] == "快递服务"
    assert detail["routing"]["sentence"] == f"由{COURIER}受理（负责长安区快递行业）"
    bodies = [line["body"] for line in detail["timeline"]]
    assert bodies[:2] == ["职工提交了欠薪求助", f"由{COURIER}受理（负责长安区快递行业）"]
    assert staff_line("rated", "您给出了4星评价：很好", {"rating": 4}, True) == "职工评价 4 星：很好"


def test_the_routing_sentence_is_not_the_workers_own_line(client, case):
    from tests.conftest import as_worker

    body = as_worker(client, "o-talk").get(f"/api/requests/{case['request'].id}").get_json()
    lines = [(e["body"], e.get("by_worker")) for e in body["events"]]
    assert lines[0][0] == "您提交了欠薪求助"
    assert lines[1][0] == f"由{COURIER}受理（负责长安区快递行业）"
    assert routing_sentence({"reason": "fallback", "federation_name": "某区总工会"}, "某区总工会").startswith("由某区总工会受理（当地暂无")


def test_an_undeliverable_reply_shows_the_reason_and_alerts_the_caseworker(client, case, live_server):
    from tests.factories import sim_user

    request, staff = case["request"], case["staff"]
    sim_user("o-talk", following=False)  # the worker unfollowed: WeChat answers 43004
    sim_user("o-staff")
    casework.claim(staff, request.id)
    casework.reply(staff, request.id, "请来工会一趟")
    db.session.commit()
    deliverer.deliver_due()
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o-talk")).all()
    assert {m.status for m in failed} == {"undeliverable"}
    assert delivery.delivery_alerts_job() == len(failed)
    assert delivery.delivery_alerts_job() == 0  # once per message
    db.session.commit()
    login(client, staff)
    lines = client.get(f"/api/inbox/requests/{request.id}").get_json()["timeline"]
    reply = next(line for line in lines if line["kind"] == "reply")
    assert reply["delivery"]["state"] == "failed"
    assert reply["delivery"]["label"] == "未送达：职工已取消关注公众号，微信不再转发消息"
    alert = next(line for line in lines if line["kind"] == "delivery_failed")
    assert "13912345678" in alert["body"] and not alert["public"]
    to_staff = db.session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o-staff")).all()
    assert len(to_staff) == len(failed) and to_staff[0].payload["template"] == "staff_alert"


def test_reasons_in_chinese():
    assert delivery.reason_text("45015: response out of time limit") == "职工超过48小时未与公众号互动，客服消息发不出"
    assert delivery.reason_text("99999: odd") == "微信拒绝发送（错误码 99999）"
    assert delivery.reason_text("未配置模板：request_update") == "未配置模板：request_update"
    assert HelpRequest.worker_unread.default.arg == 0

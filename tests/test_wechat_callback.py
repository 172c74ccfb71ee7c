"""The WeChat callback, driven like WeChat's server does (DESIGN §6, issue: Foundation §5)."""
import time

import pytest
from sqlalchemy import func, select

from handlers.wechat import registry
from models.wechat import InboundMessage
from models.worker import Worker
from service.extensions import db
from service.wechat.inbound import sign
from tests.factories import make_federation, make_upper


# --- GET: URL check -------------------------------------------------------------------------
def test_url_check_echoes_echostr(client, app):
    args = {"timestamp": "1700000000", "nonce": "abc", "echostr": "hello-123"}
    args["signature"] = sign(app.config["WECHAT_TOKEN"], args["timestamp"], args["nonce"])
    response = client.get("/wechat", query_string=args)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "hello-123"


@pytest.mark.parametrize("signature", ["", "0" * 40, "not-hex"])
def test_url_check_refuses_a_wrong_signature(client, signature):
    response = client.get("/wechat", query_string={"timestamp": "1", "nonce": "n", "echostr": "x", "signature": signature})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "wechat_rejected"


# --- POST: both modes -------------------------------------------------------------------------
@pytest.mark.parametrize("encrypt", [False, True], ids=["plaintext", "safe-mode"])
def test_plain_subscribe_gets_a_welcome_with_the_menu(wechat, encrypt):
    response = wechat.send_event("o-new-1", "subscribe", encrypt=encrypt)
    assert response.status_code == 200
    assert response.reply["MsgType"] == "text"
    assert response.reply["ToUserName"] == "o-new-1"
    assert "欢迎关注" in response.reply["Content"] and "【我要入会】" in response.reply["Content"]
    if encrypt:
        assert "<Encrypt>" in response.get_data(as_text=True)
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-new-1"))
    assert worker.subscribed is True


@pytest.mark.parametrize("encrypt", [False, True], ids=["plaintext", "safe-mode"])
@pytest.mark.parametrize("new_follower", [True, False], ids=["subscribe", "SCAN"])
def test_scan_welcomes_with_the_federation_and_a_join_link(wechat, encrypt, new_follower):
    county = make_upper()
    federation = make_federation("石家庄市长安区快递行业工会联合会", parent=county)
    started = time.perf_counter()
    response = wechat.scan("o-scan-1", federation.scene, new_follower=new_follower, encrypt=encrypt)
    elapsed = time.perf_counter() - started
    content = response.reply["Content"]
    assert "石家庄市长安区快递行业工会联合会" in content
    assert f"http://gonglian.test/h5/join.html?fed={federation.id}" in content
    assert elapsed < 1.0
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-scan-1"))
    assert worker.last_scene == federation.scene


def test_scan_of_an_unknown_scene_gets_the_plain_welcome(wechat):
    response = wechat.scan("o-scan-2", "fed:999999")
    assert "欢迎关注工联" in response.reply["Content"]


@pytest.mark.parametrize(
    "how, value, page",
    [("text", "入会", "join.html"), ("text", "求助", "help.html"), ("text", "竞赛", "contests.html"),
     ("text", "我的", "me.html"), ("text", "会员卡", "me.html"), ("text", "我要入会", "join.html"),
     ("text", "欠薪", "help.html?type=wage_arrears"), ("text", "工伤", "help.html?type=work_injury"),
     ("text", "人工客服", "help.html"), ("text", "我要入会！", "join.html"),
     ("text", "老板拖欠工资三个月了", "help.html?type=wage_arrears"), ("click", "JOIN", "join.html"), ("click", "HELP", "help.html"),
     ("click", "CONTESTS", "contests.html"), ("click", "ME", "me.html")],
)
def test_menu_clicks_and_keywords_answer_with_their_page(wechat, how, value, page):
    if how == "text":
        response = wechat.send_text("o-menu", value)
    else:
        response = wechat.send_event("o-menu", "CLICK", value)
    assert f"http://gonglian.test/h5/{page}" in response.reply["Content"]


def test_join_after_a_scan_links_to_that_federation(wechat):
    federation = make_federation()
    wechat.scan("o-join", federation.scene)
    response = wechat.send_text("o-join", "入会")
    assert f"join.html?fed={federation.id}" in response.reply["Content"]


def test_unsubscribe_is_recorded_and_gets_no_reply(wechat):
    wechat.send_event("o-leaving", "subscribe")
    response = wechat.send_event("o-leaving", "unsubscribe")
    assert response.status_code == 200 and response.reply is None
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-leaving"))
    assert worker.subscribed is False and worker.unsubscribed_at is not None


@pytest.mark.parametrize("xml_kind", ["unknown-text", "voice"])  # images: evidence (test_help_requests_chat_images.py)
def test_anything_else_gets_the_help_text(wechat, xml_kind):
    peer = wechat.peer
    xml = {
        "unknown-text": peer.text("o-other", "你好，请问怎么办理？"),
        "voice": peer.xml("o-other", "voice", MediaId="m", Format="amr", MsgId=42),
    }[xml_kind]
    response = wechat.post(xml)
    assert "没有正在办理的诉求" in response.reply["Content"] and "/h5/help.html" in response.reply["Content"]


def test_user_text_with_cdata_terminator_stays_valid_xml(wechat, monkeypatch):
    evil = "a]]><evil>b</evil><![CDATA["
    monkeypatch.setitem(registry._by_keyword, registry.normalise(evil), lambda message: "你说：" + message.content)
    response = wechat.send_text("o-xml", evil)
    assert response.reply["Content"] == "你说：" + evil


def test_news_reply_carries_exactly_one_article():
    from types import SimpleNamespace

    import xmltodict

    from service.wechat.inbound import news_reply

    xml = news_reply(SimpleNamespace(source="o", target="gh"), "标题]]>", "描述", "http://x/a")
    doc = xmltodict.parse(xml)["xml"]
    assert doc["ArticleCount"] == "1"
    assert doc["Articles"]["item"]["Title"] == "标题]]>"


# --- refusals -----------------------------------------------------------------------------------
def test_wrong_signature_is_403(wechat, client):
    delivery = wechat.peer.deliver(wechat.peer.text("o", "入会"))
    delivery.args["signature"] = "f" * 40
    response = client.post("/wechat", query_string=delivery.args, data=delivery.body)
    assert response.status_code == 403


@pytest.mark.parametrize("skew", [-301, 301, 3600])
def test_stale_or_future_timestamp_is_403(wechat, skew):
    response = wechat.post(wechat.peer.text("o", "入会"), timestamp=int(time.time()) + skew)
    assert response.status_code == 403


def test_timestamp_inside_the_window_is_accepted(wechat):
    response = wechat.post(wechat.peer.text("o", "入会"), timestamp=int(time.time()) - 200)
    assert response.status_code == 200


def _safe_mode_with(app, wechat, **changes):
    from service.devtools.wechat_peer import WeChatPeer

    peer = WeChatPeer(**{"token": app.config["WECHAT_TOKEN"], "appid": app.config["WECHAT_APPID"],
                         "aes_key": app.config["WECHAT_AES_KEY"], **changes})
    delivery = peer.deliver(peer.text("o-safe", "入会"), encrypt=True)
    return wechat.client.post("/wechat", query_string=delivery.args, data=delivery.body)


def test_safe_mode_with_a_wrong_aes_key_is_403(app, wechat):
    from service.devtools.wechat_peer import new_aes_key

    assert _safe_mode_with(app, wechat, aes_key=new_aes_key()).status_code == 403


def test_safe_mode_with_a_wrong_appid_is_403(app, wechat):
    assert _safe_mode_with(app, wechat, appid="wxsomeoneelse0001").status_code == 403


def test_safe_mode_with_a_bad_msg_signature_is_403(wechat, client):
    delivery = wechat.peer.deliver(wechat.peer.text("o", "入会"), encrypt=True)
    delivery.args["msg_signature"] = "0" * 40
    assert client.post("/wechat", query_string=delivery.args, data=delivery.body).status_code == 403


def test_safe_mode_with_garbage_ciphertext_is_403(app, wechat, client):
    import base64

    garbage = base64.b64encode(b"x" * 45).decode()  # not a multiple of the block size
    body = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>"
    ts, nonce = str(int(time.time())), "n1"
    token = app.config["WECHAT_TOKEN"]
    args = {"timestamp": ts, "nonce": nonce, "signature": sign(token, ts, nonce), "encrypt_type": "aes",
            "msg_signature": sign(token, ts, nonce, garbage)}
    assert client.post("/wechat", query_string=args, data=body).status_code == 403


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"""
XXE = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""


@pytest.mark.parametrize(
    "body",
    [
        "<xml><ToUserName>gh</ToUserName><FromUserName>o",  # truncated
        "not xml at all",
        "",
        "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime></xml>",
        "<other><MsgType>text</MsgType></other>",
        BILLION_LAUGHS,
        XXE,
    ],
    ids=["truncated", "not-xml", "empty", "no-msgtype", "wrong-root", "billion-laughs", "xxe"],
)
@pytest.mark.parametrize("encrypt", [False, True], ids=["plaintext", "safe-mode"])
def test_hostile_or_malformed_xml_is_400_without_a_trace(wechat, body, encrypt):
    response = wechat.post(body, encrypt=encrypt)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "/etc/passwd" not in text
    assert response.get_json()["error"]["code"] == "wechat_rejected"


def test_body_over_64_kib_is_400(wechat):
    response = wechat.send_text("o-big", "长" * 30000)  # 90 KB in UTF-8
    assert response.status_code == 400


def test_non_utf8_body_is_400(wechat, client):
    delivery = wechat.peer.deliver("x")
    response = client.post("/wechat", query_string=delivery.args, data=b"<xml>\xff\xfe</xml>")
    assert response.status_code == 400


# --- retries --------------------------------------------------------------------------------------
def test_a_retried_message_is_answered_the_same_and_processed_once(wechat, monkeypatch):
    from models.outbox import OutboxMessage
    from service.wechat.outbox import queue_message

    def count_and_queue(message):  # a side effect in the database, like every real handler's
        queue_message(message.source, "收到")
        queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        return f"第{queued}次"

    monkeypatch.setitem(registry._by_keyword, "计数", count_and_queue)
    xml = wechat.peer.text("o-retry", "计数", msg_id=123456789)
    replies = [wechat.post(xml).reply["Content"] for _ in range(3)]
    assert replies == ["第1次", "第1次", "第1次"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.key.not_like("s:%"))) == 1  # claims, not seals


def test_same_msgid_from_two_users_is_two_messages(wechat, monkeypatch):
    calls = []
    monkeypatch.setitem(registry._by_keyword, "计数", lambda m: calls.append(m.source) or "好")
    wechat.post(wechat.peer.text("o-a", "计数", msg_id=777))
    wechat.post(wechat.peer.text("o-b", "计数", msg_id=777))
    assert calls == ["o-a", "o-b"]


def test_a_retried_event_is_deduplicated_by_sender_time_and_event(wechat):
    claims = select(func.count()).select_from(InboundMessage).where(InboundMessage.key.not_like("s:%"))  # not seals
    xml = wechat.peer.event("o-retry-ev", "unsubscribe", create_time=1700000123)
    first, second = wechat.post(xml), wechat.post(xml)
    assert first.status_code == second.status_code == 200
    assert db.session.scalar(claims) == 1
    # the same second but another event is a different delivery
    wechat.post(wechat.peer.location_report("o-retry-ev", 39.9, 116.4, create_time=1700000123))
    assert db.session.scalar(claims) == 2


def test_a_retried_scan_takes_no_claim_and_changes_nothing(wechat):
    """A follow is idempotent: the retry runs it again, with the same reply and the same row."""
    federation = make_federation()
    xml = wechat.peer.scan("o-retry-scan", federation.scene, new_follower=True, create_time=1700000123)
    first = wechat.post(xml)
    followed = db.session.scalar(select(Worker).where(Worker.openid == "o-retry-scan"))
    row = (followed.subscribed, followed.subscribed_at, followed.last_scene)
    second = wechat.post(xml)
    assert first.reply["Content"] == second.reply["Content"] and federation.name in first.reply["Content"]
    db.session.expire_all()
    again = db.session.scalar(select(Worker).where(Worker.openid == "o-retry-scan"))
    assert (again.subscribed, again.subscribed_at, again.last_scene) == row == (True, row[1], federation.scene)
    assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.key.not_like("s:%"))) == 0


def test_a_handler_that_raises_gets_a_polite_reply_and_no_500(wechat, monkeypatch):
    def boom(message):
        raise RuntimeError("database on fire")

    monkeypatch.setitem(registry._by_keyword, "爆炸", boom)
    response = wechat.send_text("o-boom", "爆炸")
    assert response.status_code == 200
    assert "系统暂时繁忙" in response.reply["Content"]
    # the retry gets the same polite answer without running the handler again
    assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.key.not_like("s:%"))) == 1  # claims, not seals


def test_every_inbound_message_opens_the_customer_service_window(wechat):
    wechat.send_text("o-window", "你好")
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-window"))
    assert worker.last_message_at is not None

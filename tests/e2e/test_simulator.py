"""The phone simulator in headless Chromium against the app served over real HTTP: scan a
federation's QR code, get its welcome, tap 入会, see what the service sends later through the
WeChat API, and go through WeChat's OAuth inside the phone. Screenshots: artifacts/screenshots/."""
import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from models.worker import Worker
from service.wechat import deliverer, outbox
from service.extensions import db
from tests.factories import make_federation, make_upper

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
NAME = "石家庄市长安区快递行业工会联合会"


@pytest.fixture
def phone(app, live_server, browser):
    app.config["PUBLIC_BASE_URL"] = live_server.url  # links in messages open on this server (restored after)
    page = browser.new_page(viewport={"width": 1100, "height": 860}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert errors == []


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_scan_join_and_messages_from_the_service(app, live_server, phone):
    federation = make_federation(NAME, parent=make_upper())
    phone.goto(f"{live_server.url}/simulator/")
    phone.wait_for_selector("body[data-ready='1']", timeout=20000)
    assert phone.inner_text("#account-name") == "工联"
    assert [b.inner_text() for b in phone.query_selector_all("#menu-buttons > button")] == ["入会", "求助", "我的"]
    openid = phone.input_value("#user-select")

    # scan the federation's QR code: a new follower gets the welcome naming the federation
    phone.click(f"button[data-scene='{federation.scene}']")
    welcome = phone.wait_for_selector(f".msg.them .bubble:has-text('{NAME}')", timeout=10000)
    assert "欢迎关注" in welcome.inner_text()
    assert phone.inner_text("#follow-state") == "已关注"
    shot(phone, "01-scan-welcome")

    # tap 入会 → 申请入会: the reply links to the join page of that federation
    phone.click("#menu-buttons button:has-text('入会')")
    phone.click("#submenu button:has-text('申请入会')")
    join = phone.wait_for_selector(".msg.them .bubble a:has-text('在线申请入会')", timeout=10000)
    assert join.get_attribute("href") == f"{live_server.url}/h5/join.html?fed={federation.id}"
    shot(phone, "02-menu-join")

    # the link opens inside the phone's browser view
    join.click()
    phone.wait_for_selector("#browser:not([hidden])")
    # the view shows before its frame has navigated (about:blank): wait for the page, not the view
    phone.frame("phone-browser").wait_for_url(f"{live_server.url}/h5/join.html**", timeout=10000)
    assert phone.frame("phone-browser").url.startswith(f"{live_server.url}/h5/join.html")
    phone.click("#browser-close")

    # 入会 → 技能竞赛, from the submenu
    phone.click("#menu-buttons button:has-text('入会')")
    phone.click("#submenu button:has-text('技能竞赛')")
    phone.wait_for_selector(".msg.them .bubble a:has-text('查看竞赛并报名')", timeout=10000)

    # what the service sends later through the WeChat API shows up by polling
    outbox.queue_message(openid, "您的求助已受理，工作人员将在3个工作日内联系您。",
                         url=f"{live_server.url}/h5/request.html?id=1")
    db.session.commit()
    assert deliverer.deliver_due() == 1
    phone.wait_for_selector(".bubble:has-text('客服消息'):has-text('您的求助已受理')", timeout=10000)
    worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    worker.last_event_at = worker.last_event_at - timedelta(minutes=5)  # outside the window now
    db.session.commit()
    outbox.queue_message(openid, "入会申请已通过", url=f"{live_server.url}/h5/card.html",
                         template="application_result", fields={"申请结果": "已通过", "会员编号": "HB2024000123"})
    db.session.commit()
    assert deliverer.deliver_due() == 1
    card = phone.wait_for_selector(".tpl:has-text('入会申请结果通知')", timeout=10000)
    assert "HB2024000123" in card.inner_text() and "详情" in card.inner_text()
    assert [k.inner_text() for k in card.query_selector_all(".tpl-key")] == ["申请结果", "会员编号"]
    shot(phone, "03-api-messages")


def test_text_image_and_oauth_inside_the_phone(app, live_server, phone):
    phone.goto(f"{live_server.url}/simulator/")
    phone.wait_for_selector("body[data-ready='1']", timeout=20000)
    openid = phone.input_value("#user-select")
    phone.click("#follow")
    phone.wait_for_selector(".msg.them .bubble:has-text('欢迎关注工联')", timeout=10000)

    phone.click("#to-input")
    phone.fill("#text", "求助")
    phone.press("#text", "Enter")
    phone.wait_for_selector(".msg.me .bubble:has-text('求助')", timeout=10000)
    phone.wait_for_selector(".msg.them .bubble a:has-text('我要求助')", timeout=10000)

    # safe mode: the server encrypts the delivery and decrypts the reply, as WeChat does
    phone.check("#safe-mode")
    phone.fill("#text", "入会")
    phone.press("#text", "Enter")
    phone.wait_for_selector(".msg.me .bubble:has-text('安全模式·已加密')", timeout=10000)
    phone.wait_for_selector(".msg.them .bubble a:has-text('在线申请入会')", timeout=10000)
    phone.uncheck("#safe-mode")

    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), "#c8161d").save(buffer, format="PNG")
    replies = len(phone.query_selector_all(".msg.them"))
    phone.set_input_files("#image-file", files=[{"name": "evidence.png", "mimeType": "image/png",
                                                 "buffer": buffer.getvalue()}])
    phone.wait_for_selector(".msg.me .bubble.image img", timeout=10000)
    phone.wait_for_function(f"document.querySelectorAll('.msg.them').length > {replies}", timeout=10000)
    shot(phone, "04-text-and-image")

    # an H5 page's OAuth goes through the stand-in and comes back with a code for this user
    phone.click("#oauth-check")
    frame = phone.frame("phone-browser")
    frame.wait_for_selector("#openid", timeout=10000)
    assert frame.inner_text("#openid") == openid
    assert "code=" in frame.url
    shot(phone, "05-oauth-in-phone")

    # new user: a fresh openid, an empty chat, not following
    phone.click("#browser-close")
    phone.click("#new-user")
    phone.wait_for_function("document.querySelectorAll('#chat .msg').length === 0")
    assert phone.input_value("#user-select") != openid
    assert phone.inner_text("#follow-state") == "未关注"

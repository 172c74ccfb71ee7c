"""Joining, end to end through the phone simulator in headless Chromium: a new WeChat user scans a
federation's QR code, taps the join link in the welcome, the join page opens inside the phone
through the real OAuth flow (/h5/auth/start → the stand-in's authorize page → /h5/auth/callback),
the form is filled with one mistake, fixed and sent; staff approve over the HTTP API; the outbox
delivers the notification into the chat and its link opens the member card inside the phone.
Screenshots: artifacts/screenshots/e2e-join-*.png."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.membership import Application, Membership
from models.base import utcnow
from service.devtools import demo
from service.wechat import deliverer
from service.devtools import standin
from service.extensions import db
from service import clock
from tests.e2e.phone import StaffApi, text_of
from tests.factories import make_resident_id, make_staff

pytestmark = pytest.mark.e2e
COURIER = "石家庄市长安区快递行业工会联合会"
OAUTH = ["/h5/auth/start", "/sim/wechat/connect/oauth2/authorize", "/h5/auth/callback"]


def test_join_through_the_phone(app, simulator):
    federations = {node.name: node for node in demo.seed_demo()}
    db.session.commit()
    courier = federations[COURIER]
    make_staff(courier, username="kd-reviewer", display_name="李审核")
    good_id = make_resident_id("19910512", "235")
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")  # one wrong check character

    phone = simulator("e2e-join")
    openid = phone.new_user()

    # --- scan the federation's QR code: the welcome names it and links to its join page ----------
    phone.scan(courier.scene)
    welcome = phone.reply(COURIER)
    assert "欢迎关注" in welcome.inner_text()
    assert phone.page.inner_text("#follow-state") == "已关注"
    phone.shot("01-scan-welcome")

    # --- tap the link: the join page opens inside the phone, after WeChat's OAuth ----------------
    href = phone.tap_link(f"点此申请加入{COURIER}")
    assert href == f"{phone.base}/h5/join.html?fed={courier.id}"
    phone.wait_in_browser("#join-form:not([hidden])")
    assert phone.oauth_hops() == OAUTH
    # back on the page that asked (a redirect keeps the authorize URL's #wechat_redirect, as browsers do)
    assert phone.frame.url.split("#")[0] == href
    assert COURIER in phone.frame.inner_text("#target")
    assert phone.page.inner_text("#browser-title") == "申请入会 · 工联"
    phone.shot("02-join-form")

    # --- fill the form with one mistake ------------------------------------------------------------
    form = phone.frame
    form.fill("input[name=name]", "王小明")
    form.fill("input[name=id_number]", bad_id)
    form.fill("input[name=phone]", "13912345678")
    form.click("label:has(input[name=employment_form][value=platform])")
    form.fill("input[name=employer]", "某某快递石家庄长安网点")
    form.select_option(".region-picker select[data-level='0']", "130000")
    form.wait_for_selector(".region-picker select[data-level='1'] option[value='130100']", state="attached")
    form.select_option(".region-picker select[data-level='1']", "130100")
    form.wait_for_selector(".region-picker select[data-level='2'] option[value='130102']", state="attached")
    form.select_option(".region-picker select[data-level='2']", "130102")
    form.fill("#industry-q", "快递")
    form.click(".picker-result[data-code='G6020']")
    form.click("label:has(input[name=declaration])")
    form.click("label:has(input[name=constitution])")
    form.click("label:has(input[name=privacy_consent])")
    form.click("#submit")
    error = form.locator("[data-error-for=id_number]")
    error.wait_for(state="visible")
    assert "校验位" in error.inner_text()
    phone.page.wait_for_timeout(600)  # the smooth scroll to the field settles; the toast is still up
    box, toast = form.locator(".weui-cell_warn").bounding_box(), form.locator(".weui-toast").bounding_box()
    assert box["y"] + box["height"] <= toast["y"] or toast["y"] + toast["height"] <= box["y"]  # not covered
    assert phone.page.evaluate("window.scrollY") == 0  # the page scrolled itself, not the simulator around it
    phone.shot("03-form-mistake")

    # --- fix it and submit --------------------------------------------------------------------------
    form.fill("input[name=id_number]", good_id)
    form.click("#submit")
    form.wait_for_selector("#state:not([hidden]) .weui-msg__title")
    assert form.inner_text("#state .weui-msg__title") == "申请已提交"
    assert COURIER in form.inner_text("#state")
    form.wait_for_selector(".weui-toast", state="detached")
    phone.shot("04-submitted")
    application = db.session.scalar(select(Application).where(Application.status == "pending"))
    assert application.worker.openid == openid and application.federation_id == courier.id

    # --- staff of that federation approve over the HTTP API --------------------------------------------
    phone.close_browser()
    staff = StaffApi(phone.base, "kd-reviewer")
    pending = staff.get("/api/applications", view="pending")
    assert [item["id"] for item in pending["items"]] == [application.id]
    staff.post(f"/api/applications/{application.id}/approve")
    membership = db.session.scalar(select(Membership).where(Membership.worker_id == application.worker_id))
    assert membership.status == "active" and membership.member_no

    # --- days later (outside WeChat's 48-hour window): the outbox sends a template message ------------
    worker, user = application.worker, standin.get_user(openid)
    worker.last_event_at = user.last_event_at = utcnow() - timedelta(days=3)
    db.session.commit()
    assert deliverer.deliver_due() == 2  # 申请已受理 (queued at the submit), then the approval
    phone.page.locator(".tpl", has_text="申请已受理").wait_for(timeout=10000)
    notice = phone.page.locator(".tpl", has_text="入会申请结果通知").filter(has_text="已通过")
    notice.wait_for(timeout=10000)
    rows = dict(zip(notice.locator(".tpl-key").all_inner_texts(), notice.locator(".tpl-value").all_inner_texts()))
    assert rows == {"申请结果": "已通过", "受理单位": COURIER, "会员编号": membership.member_no,
                    "入会日期": clock.date_text(membership.joined_at)}
    phone.shot("05-approved-message")

    # --- its link opens the member card inside the phone ---------------------------------------------
    since = len(phone.visits)
    notice.locator(".tpl-more:text-is('详情')").click()
    phone.wait_in_browser(".member-card")
    assert phone.visits[since] == f"{phone.base}/h5/card.html"
    phone.wait_in_browser(".member-card")
    assert phone.oauth_hops(since) == []  # the session from the join page still knows the worker
    card = text_of(phone.frame.locator(".member-card"))
    assert membership.member_no in card and COURIER in card and "王小明" in card
    assert good_id not in card
    phone.frame.wait_for_function(
        "document.querySelector('#qr-img') && document.querySelector('#qr-img').naturalWidth > 0")
    phone.shot("06-member-card")



def test_the_simulator_moves_to_the_host_its_links_use(simulator):
    """Opened as localhost while links point at 127.0.0.1 (PUBLIC_BASE_URL), the phone's pages were
    a third-party frame: the stand-in's OAuth found no simulated user (its cookie is on the other
    host) and the session cookie was not sent. The simulator now moves to PUBLIC_BASE_URL's host."""
    phone = simulator("e2e-join-host")
    elsewhere = phone.base.replace("127.0.0.1", "localhost")
    phone.page.goto(f"{elsewhere}/simulator/")
    phone.page.wait_for_selector("body[data-ready='1']", timeout=20000)
    assert phone.page.url == f"{phone.base}/simulator/"
    phone.page.click("#follow")
    phone.reply("欢迎关注工联")
    phone.menu("入会", "申请入会")
    assert phone.tap_link("在线申请入会") == f"{phone.base}/h5/join.html"
    phone.wait_in_browser("#join-form:not([hidden])")
    assert phone.oauth_hops() == OAUTH

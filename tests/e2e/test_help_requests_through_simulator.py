"""The help-request loop end to end, through the phone simulator, in a real headless Chromium.

A worker scans the courier federation's QR code in the phone simulator and taps 求助; the help
page opens inside the phone and learns who they are through WeChat's OAuth as played by the
stand-in; they file a mediation request (type-specific fields, region picker, industry search),
read the routing preview and submit; they send a photo in the chat, which the
fetch-attachments job downloads through the stand-in's media API. A caseworker logs in to the
console, finds it unassigned in the inbox, claims it, replies and resolves it with a mediation
agreement. The outbox delivers through the stand-in; the worker reads the reply and the outcome
in the chat, opens the request page inside the phone and rates the handling.
Screenshots: artifacts/screenshots/e2e-request-*.png.
"""
import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from models.base import utcnow
from models.federation import Federation
from models.outbox import OutboxMessage
from models.request import Attachment, HelpRequest
from models.simulator import SimOAuthCode, SimUser
from models.worker import Worker
from service.help_requests import attachments
from service.devtools import demo
from service.wechat import deliverer
from service.extensions import db

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
COURIER = "石家庄市长安区快递行业工会联合会"
WAIT = 15000


@pytest.fixture
def site(app, live_server):
    """The live server as production runs it: links to itself, CSRF on."""
    saved = app.config["PUBLIC_BASE_URL"], app.config["WTF_CSRF_ENABLED"]
    app.config["PUBLIC_BASE_URL"] = live_server.url
    app.config["WTF_CSRF_ENABLED"] = True
    yield live_server.url
    app.config["PUBLIC_BASE_URL"], app.config["WTF_CSRF_ENABLED"] = saved


@pytest.fixture
def demo_world():
    demo.seed_demo()
    accounts = demo.seed_staff()
    db.session.commit()
    courier = db.session.scalar(select(Federation).where(Federation.name == COURIER))
    caseworker = next(account for account, _ in accounts if account.username == "kd-case")
    return {"courier": courier, "caseworker": caseworker}


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"e2e-request-{name}.png"))


def photo() -> bytes:
    """A small 'pay slip' picture."""
    image = Image.new("RGB", (360, 240), (250, 248, 240))
    for y in range(30, 220, 28):
        for x in range(24, 336):
            image.putpixel((x, y), (80, 80, 80))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def them_count(phone) -> int:
    return phone.locator("#chat .msg.them").count()


def wait_for_more(phone, before: int):
    phone.wait_for_function(f"document.querySelectorAll('#chat .msg.them').length > {before}", timeout=WAIT)


def deliver_all() -> int:
    """What the worker process's outbox job does; every message must get through."""
    delivered = deliverer.deliver_due()
    db.session.rollback()
    stuck = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status != "delivered")).all()
    assert stuck == [], [(m.status, m.last_error) for m in stuck]
    return delivered


def inbox_counts(console, site) -> dict:
    console.goto(f"{site}/console/my-federation.html")
    console.wait_for_selector("#counts dd", timeout=WAIT)
    labels = [dt.inner_text() for dt in console.query_selector_all("#counts dt")]
    return dict(zip(labels, [dd.inner_text() for dd in console.query_selector_all("#counts dd")]))


def age_windows(openid: str, hours: int) -> None:
    """Let `hours` pass for WeChat's customer-service window, on both sides: what our service
    knows of the worker and what the stand-in enforces."""
    back = timedelta(hours=hours)
    worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    user = db.session.get(SimUser, openid)
    for row, names in ((worker, ("last_message_at", "last_event_at")), (user, ("last_wrote_at", "last_event_at"))):
        for name in names:
            if getattr(row, name) is not None:
                setattr(row, name, getattr(row, name) - back)
    db.session.commit()


def test_help_request_loop_through_the_phone_simulator(app, site, browser, demo_world):
    courier = demo_world["courier"]
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    phone = context.new_page()
    errors = []
    phone.on("pageerror", lambda error: errors.append(f"phone: {error}"))
    visited = []
    phone.on("request", lambda request: visited.append(request.url)
             if request.resource_type == "document" and request.frame.name == "phone-browser" else None)

    # --- the worker scans the courier federation's poster and taps 求助 ------------------------
    phone.goto(f"{site}/simulator/")
    phone.wait_for_selector("body[data-ready='1']", timeout=20000)
    openid = phone.input_value("#user-select")
    phone.click(f"button[data-scene='{courier.scene}']")
    phone.wait_for_selector(f".msg.them .bubble:has-text('{COURIER}')", timeout=WAIT)
    phone.click("#menu-buttons button:has-text('求助')")
    phone.click("#submenu button:has-text('我要求助')")
    help_link = phone.wait_for_selector(".msg.them .bubble a:has-text('我要求助')", timeout=WAIT)
    assert help_link.get_attribute("href") == f"{site}/h5/help.html"
    shot(phone, "01-chat-help-link")

    # --- the help page opens inside the phone, through WeChat's OAuth (the stand-in) ---------
    help_link.click()
    phone.wait_for_selector("#browser:not([hidden])")
    frame = phone.frame("phone-browser")
    frame.wait_for_selector("#region-2 option[value='130100']", state="attached", timeout=WAIT)
    assert frame.url.split("#")[0] == f"{site}/h5/help.html"  # the stand-in's 302 keeps #wechat_redirect
    assert any(url.startswith(f"{site}/h5/auth/start") for url in visited), visited
    assert any("/sim/wechat/connect/oauth2/authorize" in url for url in visited), visited
    assert any(url.startswith(f"{site}/h5/auth/callback?") and "code=" in url for url in visited), visited
    db.session.rollback()
    codes = db.session.scalars(select(SimOAuthCode)).all()
    assert [(c.openid, c.used_at is not None) for c in codes] == [(openid, True)]
    db.session.rollback()

    # --- a mediation request: type-specific fields, region picker, industry search ----------
    frame.click("label[for=type-mediation]")
    frame.wait_for_selector("#employer_address", state="visible")
    assert frame.locator("#months").is_hidden()  # wage arrears' fields are not asked
    frame.fill("#employer_name", "石家庄速达快递服务有限公司")
    frame.select_option("#region-2", "130100")
    frame.wait_for_selector("#region-3 option[value='130102']", state="attached", timeout=WAIT)
    frame.select_option("#region-3", "130102")
    frame.fill("#industry-q", "快递")
    frame.click("#industry-results button[data-code='G6020']", timeout=WAIT)
    assert "快递服务" in frame.inner_text("#industry-chosen")  # by name; the code is what is submitted
    frame.fill("#facts", "2026年起公司以业绩不达标为由扣发两个月工资，并口头通知解除劳动合同，未支付经济补偿。")
    frame.fill("#wants", "支付拖欠工资和解除劳动合同的经济补偿")
    frame.fill("#amount", "23600")
    frame.fill("#learned_on", (utcnow() - timedelta(days=30)).date().isoformat())
    frame.fill("#employer_address", "石家庄市长安区中山东路100号")
    frame.fill("#legal_representative", "刘某")
    frame.fill("#name", "王小二")
    frame.fill("#phone", "13912345678")
    frame.check("#consent")
    frame.locator("#employer_address").scroll_into_view_if_needed()
    shot(phone, "02-help-form")

    # --- the routing preview before submitting ------------------------------------------------
    frame.click("#next")
    frame.wait_for_selector("#confirm:not([hidden])", timeout=WAIT)
    preview = frame.inner_text("#preview-text")
    assert f"此诉求将由{COURIER}受理" in preview, preview
    shot(phone, "03-routing-preview")
    frame.click("#submit")
    frame.wait_for_selector("#done:not([hidden])", timeout=WAIT)
    done = frame.inner_text("#done-text")
    assert "QZ" in done and COURIER in done
    shot(phone, "04-submitted")

    db.session.rollback()
    request = db.session.scalar(select(HelpRequest))
    assert request.type == "mediation" and request.federation_id == courier.id and request.status == "new"
    assert request.worker.openid == openid
    assert request.details["employer_address"] == "石家庄市长安区中山东路100号"
    assert request.details["legal_representative"] == "刘某"
    number, request_id = request.number, request.id
    db.session.rollback()

    # the confirmation reaches the chat
    before = them_count(phone)
    assert deliver_all() == 1
    phone.click("#browser-close")
    wait_for_more(phone, before)
    confirmation = phone.locator("#chat .msg.them").last.inner_text()
    assert number in confirmation and "已收到您的求助" in confirmation

    # --- a photo sent in the chat is attached to the request -----------------------------------
    picture = photo()
    before = them_count(phone)
    phone.click("#to-input")
    phone.set_input_files("#image-file", files=[{"name": "工资条.png", "mimeType": "image/png", "buffer": picture}])
    phone.wait_for_selector(".msg.me .bubble.image img", timeout=WAIT)
    wait_for_more(phone, before)
    answer = phone.locator("#chat .msg.them").last.inner_text()
    assert f"已作为证据附到您的诉求 {number}" in answer, answer
    shot(phone, "05-chat-image")

    db.session.rollback()
    pending = db.session.scalars(select(Attachment)).all()
    assert [(a.request_id, a.source, a.status) for a in pending] == [(request_id, "chat", "pending")]
    db.session.rollback()
    assert attachments.fetch_job() == 1  # the fetch-attachments job, through the stand-in's media API
    db.session.commit()  # … and the job runner's commit
    stored = db.session.scalar(select(Attachment))
    assert stored.status == "stored" and stored.content_type == "image/png" and stored.data == picture
    db.session.rollback()

    # --- the caseworker: the inbox, claim, a public reply ------------------------------------------
    console = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    console.on("pageerror", lambda error: errors.append(f"console: {error}"))
    console.goto(f"{site}/console/inbox.html")
    console.wait_for_url("**/console/login.html**")
    console.fill("#username", "kd-case")
    console.fill("#password", demo.DEMO_PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_url("**/console/inbox.html**")
    console.wait_for_selector(f"#rows tr:has-text('{number}')", timeout=WAIT)
    assert console.locator("#tabs button.active").inner_text().split()[0] == "未分派"
    assert console.locator("#rows tr").count() == 1
    row = console.locator(f"#rows tr:has-text('{number}')").inner_text()
    assert "未分派" in row and "王小二" in row and "劳动争议调解" in row and "待受理" in row
    console.screenshot(path=str(SHOTS / "e2e-request-06-console-inbox.png"), full_page=True)

    # the own-federation page counts the inbox; a count opens the inbox filtered to it
    assert inbox_counts(console, site) == {"待受理": "1", "办理中": "0", "待职工补充": "0", "已超期": "0"}
    console.click("#counts a >> nth=0")
    console.wait_for_selector(f"#rows tr:has-text('{number}')", timeout=WAIT)
    assert console.locator("#tabs button.active").inner_text() == "全部"
    assert console.input_value("#filters [name=status]") == "new"

    console.click(f"#rows a:has-text('{number}')")
    console.wait_for_selector("#detail:not([hidden])", timeout=WAIT)
    facts = console.inner_text("#facts")
    assert "石家庄市长安区中山东路100号" in facts and "刘某" in facts
    console.wait_for_selector("#attachments img", timeout=WAIT)  # the chat photo, downloaded
    console.click("#actions button[data-act=claim]")
    console.wait_for_selector("#facts >> text=张丽", timeout=WAIT)
    reply = "您好，工会已受理您的调解申请。请于本周五上午9点到长安区职工服务中心参加调解，携带劳动合同和工资条。"
    console.fill("#message", reply)
    console.click("button[data-act=reply]")
    console.wait_for_selector("#timeline >> text=本周五上午9点", timeout=WAIT)

    # the inbox views and counts have it where it now belongs
    assert inbox_counts(console, site) == {"待受理": "0", "办理中": "1", "待职工补充": "0", "已超期": "0"}
    console.goto(f"{site}/console/inbox.html")
    console.wait_for_selector("#empty:not([hidden])", timeout=WAIT)  # nothing unassigned any more
    console.click("#tabs button[data-view=mine]")
    console.wait_for_selector(f"#rows tr:has-text('{number}')", timeout=WAIT)
    assert console.locator("#rows tr").count() == 1 and "办理中" in console.inner_text("#rows")

    # --- inside the 48-hour window (the worker sent a photo): customer-service messages ----------
    before = them_count(phone)
    assert deliver_all() == 2  # accepted, the reply
    phone.wait_for_function(f"document.querySelectorAll('#chat .msg.them').length >= {before + 2}", timeout=WAIT)
    reply_bubble = phone.locator("#chat .msg.them .bubble:has-text('本周五上午9点')")
    assert "客服消息" in reply_bubble.inner_text()
    assert reply_bubble.locator("a").get_attribute("href") == f"{site}/h5/request.html?id={request_id}"
    db.session.rollback()
    assert {m.channel for m in db.session.scalars(select(OutboxMessage))} == {"custom"}
    db.session.rollback()
    shot(phone, "07-chat-reply")

    # --- two days later the mediation ends in an agreement: outside the window, a template card ----
    age_windows(openid, hours=49)
    console.goto(f"{site}/console/request.html?id={request_id}")
    console.wait_for_selector("#detail:not([hidden])", timeout=WAIT)
    console.click("#actions button[data-act=resolve]")
    console.select_option(".modal [name=result]", "agreement")
    console.fill(".modal [name=amount]", "18000")
    pay_by = (utcnow() + timedelta(days=14)).date().isoformat()
    console.fill(".modal [name=pay_by]", pay_by)
    console.fill(".modal [name=summary]", "双方同意一次性支付工资及经济补偿共18000元。")
    console.click("#m-ok")
    console.wait_for_selector("#outcome-card:not([hidden])", timeout=WAIT)
    assert "18000.00元" in console.inner_text("#outcome")
    assert console.locator("#actions button[data-act=reopen]").count() == 0  # a caseworker may not reopen
    console.evaluate("document.querySelectorAll('.flash').forEach(el => el.remove()); window.scrollTo(0, 0)")
    console.screenshot(path=str(SHOTS / "e2e-request-08-console-detail.png"), full_page=True)

    before = them_count(phone)
    assert deliver_all() == 1
    card = phone.wait_for_selector(".tpl:has-text('诉求办理进度通知')", timeout=WAIT)
    assert [k.inner_text() for k in card.query_selector_all(".tpl-key")] == [
        "诉求编号", "诉求类型", "办理状态", "受理单位", "更新时间"]
    assert number in card.inner_text() and "已办结（达成调解协议）" in card.inner_text()
    db.session.rollback()
    last = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert last.channel == "template" and last.payload["url"] == f"{site}/h5/request.html?id={request_id}"
    db.session.rollback()
    phone.evaluate("document.getElementById('chat').scrollTop = 1e6")
    shot(phone, "09-chat-template-card")

    # --- the request page inside the phone: the reply, the outcome, a rating ------------------------
    card.query_selector(".tpl-more").click()
    phone.wait_for_selector("#browser:not([hidden])")
    frame = phone.frame("phone-browser")
    frame.wait_for_selector("#timeline li", timeout=WAIT)
    assert frame.url.split("#")[0] == f"{site}/h5/request.html?id={request_id}"
    page_text = frame.inner_text("body")
    assert "本周五上午9点" in page_text and "已达成调解协议" in page_text and "18000.00元" in page_text
    assert "已收到" in frame.inner_text("#attachments")
    shot(phone, "10-request-page")
    frame.locator("#timeline").scroll_into_view_if_needed()
    shot(phone, "11-request-timeline")
    frame.locator("#rate-form").scroll_into_view_if_needed()
    frame.click("#stars button[data-n='5']")
    frame.fill("#rate-comment", "调解很及时，谢谢工会！")
    shot(phone, "12-rating")
    frame.click("#rate-form button[type=submit]")
    frame.wait_for_selector("#rate-form", state="hidden", timeout=WAIT)
    assert "★★★★★" in frame.inner_text("#summary")
    frame.wait_for_selector(".weui-toast", state="detached", timeout=WAIT)
    frame.locator("#summary div:has-text('您的评价')").scroll_into_view_if_needed()
    shot(phone, "13-rated")

    # --- 我的: the worker's requests page lists it ---------------------------------------------------
    phone.click("#browser-close")
    phone.click("#to-menu")
    phone.click("#menu-buttons button:has-text('我的')")
    mine = phone.wait_for_selector(".msg.them .bubble a:has-text('打开我的')", timeout=WAIT)
    assert mine.get_attribute("href") == f"{site}/h5/me.html"
    mine.click()
    frame = phone.frame("phone-browser")
    frame.wait_for_selector(f"#requests .weui-cell_access:has-text('{number}')", timeout=WAIT)
    assert frame.locator("#requests .weui-cell_access").count() == 1
    assert "已办结" in frame.inner_text("#requests") and COURIER in frame.inner_text("#requests")
    assert frame.get_attribute("#my-data", "href") == "/h5/my-data.html"
    shot(phone, "14-me")

    db.session.rollback()
    request = db.session.get(HelpRequest, request_id)
    assert request.status == "resolved" and request.rating == 5 and request.rating_comment == "调解很及时，谢谢工会！"
    assert request.outcome["amount"] == "18000.00" and request.outcome["pay_by"] == pay_by
    db.session.rollback()
    assert errors == []
    context.close()


def test_switching_the_phones_user_switches_who_the_pages_see(app, site, browser, demo_world):
    """Every simulated user is a phone of its own: after 新用户 the H5 pages must learn the new
    openid through OAuth, not keep the previous user's session (the iframe shares its cookies)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    phone = context.new_page()
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(f"{site}/simulator/")
    phone.wait_for_selector("body[data-ready='1']", timeout=20000)

    def open_mine() -> None:
        phone.click("#follow")
        phone.wait_for_selector(".msg.them .bubble:has-text('欢迎关注工联')", timeout=WAIT)
        phone.click("#menu-buttons button:has-text('我的')")
        phone.wait_for_selector(".msg.them .bubble a:has-text('打开我的')", timeout=WAIT).click()
        phone.frame("phone-browser").wait_for_selector("#requests .empty, #requests .weui-cell_access", timeout=WAIT)

    first = phone.input_value("#user-select")
    open_mine()
    phone.click("#new-user")
    phone.wait_for_function(f"document.querySelector('#user-select').value !== '{first}'")
    second = phone.input_value("#user-select")
    open_mine()
    db.session.rollback()
    redeemed = [c.openid for c in db.session.scalars(select(SimOAuthCode).where(SimOAuthCode.used_at.is_not(None)))]
    db.session.rollback()
    assert sorted(redeemed) == sorted([first, second])
    assert errors == []
    context.close()

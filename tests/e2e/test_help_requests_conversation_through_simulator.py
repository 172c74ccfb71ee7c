"""The conversation between a worker and a caseworker, through the phone simulator and the console
in a real headless Chromium (issue 12).

The done-loop: a worker asks for help with unpaid wages; the caseworker claims it (认领 goes away)
and asks for proof; the worker answers in the chat with text and a photo; the caseworker sees
both in the timeline without reloading, resolves with the amount recovered; the worker reads the
outcome and rates it, and the caseworker sees the rating arrive. Then the breaks one by one: a
reply that cannot be delivered, the pending applicant's card, the read-only view after 上报.
Screenshots: artifacts/screenshots/e2e-conversation-*.png.
"""
import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from models.base import utcnow
from models.federation import Federation
from models.outbox import OutboxMessage
from models.request import HelpRequest
from models.worker import Worker
from service.devtools import demo
from service.extensions import db
from service.help_requests import attachments, delivery
from service.help_requests import worker as help_requests
from service.wechat import deliverer
from tests.e2e.conftest import SHOTS, console_page
from tests.factories import help_payload, join_form, make_resident_id

pytestmark = pytest.mark.e2e

COURIER = "石家庄市长安区快递行业工会联合会"
ROUTING = f"由{COURIER}受理（负责长安区快递行业）"
WAIT = 15000


@pytest.fixture
def world(app, simulator):
    demo.seed_demo()
    demo.seed_staff()
    db.session.commit()
    courier = db.session.scalar(select(Federation).where(Federation.name == COURIER))
    return {"courier": courier, "simulator": simulator}



def console_shot(page, name):
    page.evaluate("document.querySelectorAll('.flash').forEach(el => el.remove())")
    page.screenshot(path=str(SHOTS / f"e2e-conversation-{name}.png"), full_page=True)


def deliver() -> int:
    sent = deliverer.deliver_due()
    db.session.rollback()
    return sent


def payslip() -> bytes:
    image = Image.new("RGB", (360, 240), (250, 248, 240))
    for y in range(30, 220, 28):
        for x in range(24, 336):
            image.putpixel((x, y), (60, 60, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def worker_with_request(world, prefix: str, **fields):
    """A phone that scanned the courier poster, and a wage-arrears request of its worker."""
    phone = world["simulator"](prefix)
    openid = phone.page.input_value("#user-select")
    phone.scan(world["courier"].scene)
    phone.reply(COURIER)
    worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    request = help_requests.submit(worker, help_payload("wage_arrears", **fields))
    db.session.commit()
    return phone, openid, request.id, request.number


def open_and_claim(console, site, request_id):
    console.goto(f"{site}/console/request.html?id={request_id}")
    console.wait_for_selector("#detail:not([hidden])", timeout=WAIT)
    console.click("#actions button[data-act=claim]")
    console.wait_for_selector("#actions:not(:has(button[data-act=claim]))", timeout=WAIT)


def say(phone, text: str):
    """Type a message in the chat and wait for the account's answer."""
    before = phone.page.locator("#chat .msg.them").count()
    if phone.page.is_visible("#to-input"):
        phone.page.click("#to-input")
    phone.page.fill("#text", text)
    phone.page.click("#send")
    phone.page.wait_for_function(f"document.querySelectorAll('#chat .msg.them').length > {before}", timeout=WAIT)
    return phone.page.locator("#chat .msg.them").last.inner_text()


def test_the_done_loop_worker_asks_caseworker_asks_for_proof_worker_answers_in_chat(app, live_server, browser, world):
    site = live_server.url
    phone = world["simulator"]("e2e-conversation")

    # --- the worker scans the courier federation's poster and taps 求助 → 欠薪 -------------------
    phone.scan(world["courier"].scene)
    phone.reply(COURIER)
    phone.menu("求助", "欠薪")
    assert phone.tap_link("我要反映欠薪") == f"{site}/h5/help.html?type=wage_arrears"
    frame = phone.frame
    frame.wait_for_selector("#region-2 option[value='130100']", state="attached", timeout=WAIT)
    assert frame.is_checked("#type-wage_arrears") and frame.is_visible("#months")
    frame.fill("#employer_name", "石家庄速达快递服务有限公司")
    frame.select_option("#region-2", "130100")
    frame.wait_for_selector("#region-3 option[value='130102']", state="attached", timeout=WAIT)
    frame.select_option("#region-3", "130102")
    frame.fill("#industry-q", "快递")
    frame.click("#industry-results button[data-code='G6020']", timeout=WAIT)
    frame.fill("#facts", "站点从九月起拖欠我两个月工资共8600元，站长一直说总部没打款，至今未发。")
    frame.fill("#wants", "支付拖欠的两个月工资")
    frame.fill("#amount", "8600")
    frame.fill("#learned_on", (utcnow() - timedelta(days=40)).date().isoformat())
    frame.fill("#months", "2")
    frame.fill("#workers_affected", "1")
    frame.fill("#name", "李师傅")
    frame.fill("#phone", "13912340000")
    frame.check("#consent")
    frame.click("#next")
    frame.wait_for_selector("#confirm:not([hidden])", timeout=WAIT)
    assert frame.inner_text("#preview-text").endswith(f"此诉求将{ROUTING}")
    phone.shot("01-routing-sentence")
    frame.click("#submit")
    frame.wait_for_selector("#done:not([hidden])", timeout=WAIT)
    db.session.rollback()
    request = db.session.scalar(select(HelpRequest))
    number, request_id = request.number, request.id
    db.session.rollback()
    phone.close_browser()
    assert deliver() == 1
    phone.reply("已收到您的求助")

    # --- the caseworker claims it: 认领 goes away; asks for proof ----------------------------------
    console = console_page(browser, site)
    console.goto(f"{site}/console/request.html?id={request_id}")
    console.wait_for_selector("#detail:not([hidden])", timeout=WAIT)
    assert console.inner_text("#routing").startswith(ROUTING)
    facts = console.inner_text("#facts")
    assert "河北省石家庄市长安区" in facts and "快递服务" in facts  # names, not codes
    assert console.get_attribute("#actions button[data-act=claim]", "class") == "primary"
    assert "primary" not in console.get_attribute("#actions button[data-act=resolve]", "class")
    console.click("#actions button[data-act=claim]")
    console.wait_for_selector("#facts >> text=张丽", timeout=WAIT)
    assert console.locator("#actions button[data-act=claim]").count() == 0
    assert console.get_attribute("#actions button[data-act=resolve]", "class") == "primary"
    console.select_option("#canned", label="请补充工资条")  # a demo canned reply
    assert console.input_value("#message").startswith("请您把工资条")
    console.click("button[data-act=ask-info]")
    console.wait_for_selector("#timeline >> text=请您把工资条", timeout=WAIT)
    console_shot(console, "02-claimed-asked-for-proof")
    assert deliver() == 2  # accepted, the question
    phone.reply("请补充材料：请您把工资条")

    # --- the worker answers in the chat: text, then a photo --------------------------------------
    answer = say(phone, "好的，我晚上把工资条拍给你们")
    assert f"已转给您的欠薪诉求 {number}的办理人" in answer, answer
    phone.page.set_input_files("#image-file", files=[{"name": "工资条.png", "mimeType": "image/png",
                                                      "buffer": payslip()}])
    phone.reply(f"已作为证据附到您的诉求 {number}")
    phone.shot("03-worker-answers-in-chat")

    # --- the caseworker sees both without reloading ----------------------------------------------
    console.wait_for_selector("#timeline li.from-worker >> text=我晚上把工资条拍给你们", timeout=WAIT)
    assert "职工（微信对话）" in console.inner_text("#timeline li[data-kind=worker_message]")
    assert attachments.fetch_pending() == 1  # the fetch job downloads the photo through the stand-in
    db.session.commit()
    console.wait_for_selector("#attachments img", timeout=WAIT)
    reply_delivery = console.inner_text("#timeline li[data-kind=info_requested] .delivery")
    assert reply_delivery == "已送达（客服消息）", reply_delivery
    console_shot(console, "04-console-sees-text-and-photo")

    # --- resolved with the amount recovered -------------------------------------------------------
    console.click("#actions button[data-act=resolve]")
    console.select_option(".modal [name=result]", "resolved")
    console.fill(".modal [name=amount_recovered]", "8600")
    console.fill(".modal [name=workers_covered]", "1")
    console.fill(".modal [name=summary]", "经工会协调，站点已于今日补发两个月工资。")
    console.click("#m-ok")
    console.wait_for_selector("#outcome-card:not([hidden])", timeout=WAIT)
    assert "已追回工资8600.00元（涉及1名职工）" in console.inner_text("#outcome")
    console_shot(console, "05-resolved-with-amount")
    db.session.rollback()
    outcome = db.session.get(HelpRequest, request_id).outcome
    assert outcome["amount_recovered"] == "8600.00" and outcome["workers_covered"] == 1
    db.session.rollback()

    # --- the worker sees the outcome and rates it --------------------------------------------------
    assert deliver() == 1
    phone.reply("已追回工资8600.00元")
    phone.tap_link("点击查看")
    phone.wait_in_browser("#timeline li")
    page_text = phone.frame.inner_text("body")
    assert "已追回工资8600.00元（涉及1名职工）" in page_text and ROUTING in page_text
    phone.frame.wait_for_selector("#thumbs img", timeout=WAIT)  # their own photo, as a thumbnail
    assert phone.frame.evaluate("document.querySelector('#thumbs img').naturalWidth") == 360
    phone.shot("06-worker-sees-outcome")
    phone.frame.locator("#rate-form").scroll_into_view_if_needed()
    phone.frame.click("#stars button[data-n='4']")
    phone.frame.fill("#rate-comment", "处理得快，谢谢！")
    phone.frame.click("#rate-form button[type=submit]")
    phone.frame.wait_for_selector("#rate-form", state="hidden", timeout=WAIT)
    assert not phone.frame.is_hidden("#reopen-form")  # not satisfied? 15 days to ask
    phone.shot("07-worker-rated")
    console.wait_for_selector("#timeline >> text=职工评价 4 星：处理得快，谢谢！", timeout=WAIT)
    console_shot(console, "08-console-sees-rating")
    console.emulate_media(media="print")  # the printable case file
    assert console.is_visible("#print-head") and not console.is_visible("#message")
    assert "申请人（职工）：李师傅" in console.inner_text("#print-head")
    console_shot(console, "14-printable-case-file")
    console.emulate_media(media="screen")
    worker_lines = phone.frame.inner_text("#timeline")
    assert "我 · " in worker_lines and ROUTING in worker_lines
    assert console.errors == []


def test_a_reply_that_cannot_be_delivered_is_shown_to_staff_with_the_phone(app, live_server, browser, world):
    site = live_server.url
    phone, openid, request_id, _ = worker_with_request(world, "e2e-conversation-undelivered", name="赵师傅",
                                                        phone="13700001111")
    deliver()
    phone.page.click("#unfollow")  # the worker unfollows the account
    phone.page.wait_for_function("document.querySelector('#follow-state').textContent === '未关注'", timeout=WAIT)

    console = console_page(browser, site)
    open_and_claim(console, site, request_id)
    console.fill("#message", "请明天上午来工会服务站面谈。")
    console.click("button[data-act=reply]")
    waiting = console.wait_for_selector("#timeline li[data-kind=reply] .delivery", timeout=WAIT)
    assert waiting.inner_text() == "等待发送"
    deliver()
    db.session.rollback()
    assert {m.status for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.openid == openid,
                                                                              OutboxMessage.status != "delivered"))} \
        == {"undeliverable"}
    db.session.rollback()
    assert delivery.delivery_alerts_job() >= 1
    db.session.commit()
    console.wait_for_selector("#timeline li[data-kind=reply] .delivery[data-state=failed]", timeout=WAIT)
    assert console.inner_text("#timeline li[data-kind=reply] .delivery") == "未送达：职工已取消关注公众号，微信不再转发消息"
    console.wait_for_selector("#undelivered", timeout=WAIT)
    assert "13700001111" in console.inner_text("#undelivered")
    assert "请电话联系职工（13700001111）" in console.inner_text("#timeline li[data-kind=delivery_failed]")
    console_shot(console, "09-undelivered-reply")
    assert console.errors == []


def test_the_pending_applicant_sees_the_decision_date_on_the_card_page_and_in_me(app, live_server, browser, world):
    phone = world["simulator"]("e2e-conversation-pending")
    phone.scan(world["courier"].scene)
    phone.reply(COURIER)
    phone.menu("入会", "申请入会")
    phone.tap_link("在线申请入会")
    phone.wait_in_browser("#join-form:not([hidden])")
    form = join_form(name="孙小梅", id_number=make_resident_id("19950412", "246"), phone="13600002222")
    created = phone.frame.evaluate("""async form => {
        const { api } = await import('/h5/lib/api.js');
        return await api('/api/join/applications', { method: 'POST', body: form });
    }""", form)
    due_on = created["due_on"]
    phone.close_browser()
    assert deliver() == 1
    assert f"将于{due_on}前作出决定" in phone.reply("申请已受理").inner_text()

    phone.menu("入会", "会员卡")
    phone.tap_link("我的会员卡")
    phone.wait_in_browser("#card-state")
    assert phone.frame.inner_text("#card-state") == "入会申请审核中"
    assert phone.frame.inner_text("#decision-date") == f"将于{due_on}前作出决定"
    phone.shot("10-pending-card-page")
    phone.close_browser()
    phone.menu("我的")
    phone.tap_link("打开我的")
    phone.wait_in_browser("#membership #decision-date")
    assert phone.frame.inner_text("#membership #decision-date") == f"将于{due_on}前作出决定"
    phone.shot("11-me-page-pending")


def test_after_escalation_the_caseworker_keeps_a_read_only_view(app, live_server, browser, world):
    site = live_server.url
    phone, _, request_id, number = worker_with_request(world, "e2e-conversation-escalated", name="钱师傅")
    console = console_page(browser, site)
    open_and_claim(console, site, request_id)
    console.click("#actions button[data-act=escalate]")
    assert "上报" in console.inner_text(".modal h3")
    console.fill(".modal [name=reason]", "涉及站点多名快递员，需区总工会协调")
    console.click("#m-ok")
    console.wait_for_selector("#moved-out", timeout=WAIT)
    assert console.inner_text("#moved-out") == "已转出：现由石家庄市长安区总工会办理（只读）"
    assert "待上级受理" in console.inner_text("#tags")
    assert console.locator("#actions button").count() == 0 and console.is_hidden("#reply-card")
    console_shot(console, "12-read-only-after-escalation")
    console.goto(f"{site}/console/inbox.html?view=involved")
    console.wait_for_selector(f"#rows tr:has-text('{number}')", timeout=WAIT)
    assert "待上级受理" in console.inner_text(f"#rows tr:has-text('{number}')")
    console.wait_for_selector("#tabs button[data-view=involved] .badge", timeout=WAIT)
    console_shot(console, "13-involved-view")
    assert deliver() >= 1
    assert "原因：涉及站点多名快递员，需区总工会协调" in phone.reply("已上报").inner_text()
    assert console.errors == []

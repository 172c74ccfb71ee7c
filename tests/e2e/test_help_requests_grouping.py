"""Duplicates and group cases through the phone simulator and the console in a real headless
Chromium (issue 12, "Casework that behaves").

Three couriers ask for help about unpaid wages at the same depot: the first through the help form
in the simulator, the other two the same way the service takes them (one writes the employer with
a space). The caseworker sees the employer's other open cases beside each request, merges one
into the first (本件并入), gathers the last into it as a group case (群体性欠薪), and one public
reply reaches all three phones. Screenshots: artifacts/screenshots/e2e-grouping-*.png.
"""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.base import utcnow
from models.federation import Federation
from models.outbox import OutboxMessage
from models.request import HelpRequest
from models.worker import Worker
from service.devtools import demo
from service.extensions import db
from service.help_requests import worker as help_requests
from service.wechat import deliverer
from tests.e2e.conftest import SHOTS, console_page
from tests.factories import help_payload

pytestmark = pytest.mark.e2e

COURIER = "石家庄市长安区快递行业工会联合会"
EMPLOYER = "石家庄速达快递服务有限公司"
REPLY = "三位师傅好：我们已约站点负责人本周五上午9点到长安区职工服务站一起协商补发工资，请带上工资条。"
WAIT = 15000


@pytest.fixture
def world(app, simulator):
    demo.seed_demo()
    demo.seed_staff()
    db.session.commit()
    courier = db.session.scalar(select(Federation).where(Federation.name == COURIER))
    return {"courier": courier, "simulator": simulator}


def deliver() -> int:
    sent = deliverer.deliver_due()
    db.session.rollback()
    return sent


def scanned_phone(world, prefix):
    phone = world["simulator"](prefix)
    openid = phone.page.input_value("#user-select")
    phone.scan(world["courier"].scene)
    phone.reply(COURIER)
    return phone, openid


def file_through_the_form(phone, site):
    """The first courier fills in 我要求助 → 欠薪 in the phone's browser (the shared pickers)."""
    phone.menu("求助", "欠薪")
    assert phone.tap_link("我要反映欠薪") == f"{site}/h5/help.html?type=wage_arrears"
    frame = phone.frame
    frame.wait_for_selector("#region-2 option[value='130100']", state="attached", timeout=WAIT)
    frame.fill("#employer_name", EMPLOYER)
    frame.select_option("#region-2", "130100")
    frame.wait_for_selector("#region-3 option[value='130102']", state="attached", timeout=WAIT)
    frame.select_option("#region-3", "130102")
    frame.fill("#industry-q", "快递")
    frame.click("#industry-results [data-code='G6020']", timeout=WAIT)
    assert "快递服务" in frame.inner_text("#industry-chosen") and not frame.is_visible("#industry-q")
    frame.fill("#facts", "速达快递长安站从九月起拖欠我两个月工资共8600元，站长说总部没打款。")
    frame.fill("#wants", "支付拖欠的两个月工资")
    frame.fill("#amount", "8600")
    frame.fill("#learned_on", (utcnow() - timedelta(days=40)).date().isoformat())
    frame.fill("#months", "2")
    frame.fill("#workers_affected", "3")
    frame.fill("#name", "李师傅")
    frame.fill("#phone", "13912340001")
    frame.check("#consent")
    frame.evaluate("document.querySelector('#employer_name').closest('.weui-cells').scrollIntoView()")
    phone.shot("01-help-form-pickers")
    frame.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    frame.click("#next")
    frame.wait_for_selector("#confirm:not([hidden])", timeout=WAIT)
    frame.click("#submit")
    frame.wait_for_selector("#done:not([hidden])", timeout=WAIT)
    phone.close_browser()


def say(phone, text: str) -> str:
    """Type a message in the chat; the account's answer."""
    before = phone.page.locator("#chat .msg.them").count()
    if phone.page.is_visible("#to-input"):
        phone.page.click("#to-input")
    phone.page.fill("#text", text)
    phone.page.click("#send")
    phone.page.wait_for_function(f"document.querySelectorAll('#chat .msg.them').length > {before}", timeout=WAIT)
    return phone.page.locator("#chat .msg.them").last.inner_text()


def file_as_submitted(openid, name, phone_number, employer):
    worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    request = help_requests.submit(worker, help_payload("wage_arrears", employer_name=employer, name=name,
                                                        phone=phone_number))
    db.session.commit()
    return request.id, request.number



def open_request(console, site, request_id):
    console.goto(f"{site}/console/request.html?id={request_id}")
    console.wait_for_selector("#detail:not([hidden])", timeout=WAIT)


def console_shot(page, name):
    page.evaluate("document.querySelectorAll('.flash').forEach(el => el.remove())")
    page.screenshot(path=str(SHOTS / f"e2e-grouping-{name}.png"), full_page=True)


def test_duplicates_and_a_group_case_one_reply_reaches_every_worker(app, live_server, browser, world):
    site = live_server.url

    # --- three couriers of the same depot ask for help ------------------------------------------
    li, _ = scanned_phone(world, "e2e-grouping-li")
    file_through_the_form(li, site)
    db.session.rollback()
    first = db.session.scalar(select(HelpRequest))
    first_id, first_no = first.id, first.number
    wang, wang_openid = scanned_phone(world, "e2e-grouping-wang")
    wang_id, wang_no = file_as_submitted(wang_openid, "王师傅", "13912340002", EMPLOYER)
    zhao, zhao_openid = scanned_phone(world, "e2e-grouping-zhao")
    zhao_id, zhao_no = file_as_submitted(zhao_openid, "赵师傅", "13912340003", "石家庄 速达快递服务有限公司")
    deliver()
    for phone in (li, wang, zhao):
        phone.reply("已收到您的求助")
    # each writes in the chat (it joins their case, and WeChat's 48-hour window opens)
    for phone, words in ((li, "站长说月底前发，到现在也没发"), (wang, "我也是速达长安站的，两个月没发工资"),
                         (zhao, "同一个站点，我被欠了一个半月")):
        assert "已转给" in say(phone, words)

    # --- the caseworker opens 王师傅's request: the depot's other open cases are beside it ---------
    console = console_page(browser, site)
    open_request(console, site, wang_id)
    card = console.locator("#group-card")
    assert card.is_visible()
    assert console.inner_text("#same-employer-tag") == "同一用人单位另有 2 件在办"
    others = console.inner_text("#others")
    assert first_no in others and zhao_no in others and "李师傅" in others and "赵师傅" in others
    assert "同一职工" not in others
    console_shot(console, "02-console-same-employer")

    # --- 王师傅's request goes into 李师傅's (本件并入): asked first, then closed and linked -------
    console.click(f"#others [data-merge-into='{first_id}']")
    dialog = console.locator(".modal")
    assert f"将本件 {wang_no}（王师傅）并入 {first_no}（李师傅）" in dialog.inner_text()
    console_shot(console, "03-console-merge-dialog")
    console.click("#m-ok")
    console.wait_for_selector("#merged-into", timeout=WAIT)
    assert console.inner_text("#merged-into") == f"已并入 {first_no}"
    assert "已结案" in console.inner_text("#tags")
    assert console.locator("#group-card").is_hidden()

    # --- on 李师傅's request: 王师傅 is in its group; 赵师傅 is gathered in as a group case -------
    console.click("#merged-into")
    console.wait_for_selector(f"#title:has-text('{first_no}')", timeout=WAIT)
    console.wait_for_selector("#group-members", timeout=WAIT)
    assert "王师傅" in console.inner_text("#group-members")
    assert console.inner_text("#group-label") == "群体性欠薪（2人）"
    assert zhao_no in console.inner_text("#others")
    console.click("#gather")
    dialog = console.locator(".modal")
    assert "合并为群体性欠薪案件" in dialog.inner_text()
    assert console.is_checked(f".modal [name=gather][value='{zhao_id}']")
    console_shot(console, "04-console-gather-dialog")
    console.click("#m-ok")
    console.wait_for_selector("#group-label:has-text('3人')", timeout=WAIT)
    members = console.inner_text("#group-members")
    assert "王师傅" in members and "赵师傅" in members and "共 3 名职工" in console.inner_text("#group")
    assert console.locator("#others").count() == 0  # nothing else of the depot is open
    deliver()
    wang.reply(f"已与诉求 {first_no} 合并办理")
    zhao.reply(f"已与诉求 {first_no} 合并办理")

    # --- one public reply on the group case reaches all three phones ----------------------------
    console.click("#actions button[data-act=claim]")
    console.wait_for_selector("#actions:not(:has(button[data-act=claim]))", timeout=WAIT)
    console.fill("#message", REPLY)
    console.click("button[data-act=reply]")
    console.wait_for_selector(f"#timeline >> text={REPLY[:12]}", timeout=WAIT)
    console_shot(console, "05-console-group-case-replied")
    assert deliver() >= 3
    sent = [m for m in db.session.scalars(select(OutboxMessage)) if REPLY in (m.payload.get("text") or "")]
    assert {m.openid for m in sent} == {li.page.input_value("#user-select"), wang_openid, zhao_openid}
    assert {m.status for m in sent} == {"delivered"}
    for phone in (li, wang, zhao):  # in each chat, as a customer-service message
        assert "客服消息" in phone.reply(REPLY[:20], timeout=WAIT).inner_text()
    told = wang.reply(REPLY[:20]).inner_text()
    assert f"诉求 {first_no}（合并办理）" in told  # the merged worker is told which case it is
    wang.shot("06-merged-worker-gets-the-reply")
    li.shot("07-first-worker-gets-the-reply")
    zhao.shot("08-gathered-worker-gets-the-reply")
    assert console.errors == []

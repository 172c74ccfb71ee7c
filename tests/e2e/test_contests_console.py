"""Contests in a real headless Chromium: a worker signs up and cancels on the H5 pages (a second
worker waits and is promoted); staff use the console roster, check-in and results.
Screenshots go to artifacts/screenshots/contest-*.png."""
import io
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from models.base import utcnow
from service.contests import signups
from service.extensions import db
from tests.factories import (later_today, make_contest, make_federation, make_member, make_staff, make_upper,
                             make_worker)

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
QUESTIONS = [
    {"key": "years", "label": "从事快递工作年限", "kind": "single", "options": ["1年以下", "1至3年", "3至5年", "5年以上"],
     "required": True},
    {"key": "skills", "label": "擅长项目", "kind": "multiple", "options": ["快件收寄", "分拣", "包装", "派送"],
     "required": False},
    {"key": "company", "label": "所在快递企业及网点", "kind": "text", "options": [], "required": True},
]


@pytest.fixture
def server(app):
    app.config["WTF_CSRF_ENABLED"] = True  # the pages send the token like in production
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    app.config["WTF_CSRF_ENABLED"] = False


def phone(browser, app, base, openid):
    """A phone whose openid the H5 OAuth flow has already learned (a signed session cookie)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    cookie = app.session_interface.get_signing_serializer(app).dumps({"openid": openid})
    context.add_cookies([{"name": "session", "value": cookie, "url": base}])
    return context.new_page()


def scan_member_card(browser, app, base, openid) -> str:
    """What a scanner reads off the QR code on the member's own card page (the verify link)."""
    import zxingcpp
    from PIL import Image

    card = phone(browser, app, base, openid)
    card.goto(f"{base}/h5/card.html")
    card.wait_for_function("document.querySelector('#qr-img') && document.querySelector('#qr-img').naturalWidth > 0")
    image = Image.open(io.BytesIO(card.locator("#qr-img").screenshot()))
    found = zxingcpp.read_barcodes(image)
    card.context.close()
    assert found, "no QR code on the card page"
    return found[0].text


def shot(page, name, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    if full_page:
        page.evaluate("window.scrollTo(0, 0)")  # a sticky header would show up mid-page otherwise
    page.screenshot(path=str(SHOTS / f"contest-{name}.png"), full_page=full_page)


def test_worker_signs_up_waits_and_is_promoted(browser, app, server):
    county = make_upper()
    courier = make_federation("石家庄市长安区快递行业工会联合会", parent=county)
    contest = make_contest(courier, capacity=2, questions=QUESTIONS, eligibility={"age_min": 18, "age_max": 55},
                           description="竞赛分理论知识和实操技能两部分。", scoring_note="理论知识30% + 实操技能70%",
                           exclusions="近三年获市级一等奖者不参加。", cancel_cutoff_at=utcnow() + timedelta(days=5))
    members_only = make_contest(courier, title="快递行业工会会员趣味运动会", members_only=True)
    signups.sign_up(contest.id, make_worker(birth_date=date(1985, 7, 1)), name="王一", phone="13900000001",
                    answers={"years": "5年以上", "company": "中通长安网点"})
    make_member(courier, openid="o-e2e-a", birth_date=date(1992, 5, 1))
    make_worker("o-e2e-b", name=None, phone=None)
    contest_id, members_only_id = contest.id, members_only.id
    db.session.commit()

    a = phone(browser, app, server, "o-e2e-a")
    a.goto(f"{server}/h5/contests.html")
    a.wait_for_selector(".weui-media-box")
    assert "剩余名额 1 / 2" in a.inner_text("#list")
    shot(a, "h5-list")
    a.click(f"a[href='/h5/contest.html?id={contest_id}']")
    a.wait_for_selector("#signup")
    a.fill("#name", "张三")
    a.fill("#phone", "13912345678")
    shot(a, "h5-form")
    a.click("#signup button[type=submit]")
    a.wait_for_selector(".field-error:not([hidden])")
    assert "此项为必填" in a.inner_text("[data-error-for='answers.years']")
    shot(a, "h5-form-errors")
    a.click("label[for=q-years-1]")
    a.click("label[for=q-skills-2]")
    a.fill("#q-company", "顺丰速运长安网点")
    a.click("#signup button[type=submit]")
    a.wait_for_selector(".status-card__state_confirmed")
    assert "报名成功" in a.inner_text(".status-card")
    a.wait_for_selector(".weui-toast", state="detached")
    shot(a, "h5-confirmed")

    b = phone(browser, app, server, "o-e2e-b")
    b.goto(f"{server}/h5/contest.html?id={contest_id}")
    b.wait_for_selector("#signup")
    assert "报名候补" in b.inner_text("#signup button[type=submit]")
    b.fill("#name", "李四")
    b.fill("#phone", "13800001111")
    b.fill("#birth_date", "1990-03-15")
    b.click("label[for=q-years-0]")
    b.fill("#q-company", "韵达长安网点")
    b.click("#signup button[type=submit]")
    b.wait_for_selector(".status-card__state_waitlisted")
    assert "候补第 1 位" in b.inner_text(".status-card")
    b.wait_for_selector(".weui-toast", state="detached")
    shot(b, "h5-waitlisted")

    a.click("#cancel")
    a.wait_for_selector(".weui-dialog")
    shot(a, "h5-cancel-dialog", full_page=False)
    a.click("[data-yes]")
    a.wait_for_selector(".status-card__state_cancelled")

    b.goto(f"{server}/h5/contests.html?tab=mine")
    b.wait_for_selector(".contest-mine")
    assert "已报名" in b.inner_text(".contest-mine")
    shot(b, "h5-mine-promoted")

    b.goto(f"{server}/h5/contest.html?id={members_only_id}")
    b.wait_for_selector(".notice_warn")
    assert "仅限工会会员报名" in b.inner_text(".notice_warn")
    shot(b, "h5-not-eligible")
    db.session.rollback()
    from models.contest import Signup
    statuses = {s.name: s.status for s in db.session.query(Signup).all()}
    assert statuses == {"王一": "confirmed", "张三": "cancelled", "李四": "confirmed"}
    db.session.rollback()


@pytest.fixture
def fake_wechat(monkeypatch):
    """Keeps this console test off the WeChat API (tests/test_devtools_simulator.py makes a contest QR
    code through the stand-in and scans it)."""
    import sys
    import types

    import service.wechat

    module = types.ModuleType("service.wechat.client")
    module.create_qrcode = lambda scene, permanent=True, expire_seconds=None: (
        "ticket-e2e", f"http://weixin.qq.com/q/02e2e{scene.replace(':', '')}")
    monkeypatch.setitem(sys.modules, "service.wechat.client", module)
    monkeypatch.setattr(service.wechat, "client", module)


def test_staff_roster_check_in_and_results(browser, app, server, fake_wechat):
    county = make_upper()
    courier = make_federation("石家庄市长安区快递行业工会联合会", parent=county)
    chair = make_staff(courier, role="chair", username="chair-e2e", display_name="刘主席")
    now = utcnow()
    today = make_contest(courier, capacity=3, questions=QUESTIONS, title="快递员职业技能竞赛（决赛）",
                         starts_at=now + timedelta(hours=1), registration_opens_at=now - timedelta(days=3),
                         registration_closes_at=now + timedelta(minutes=30), scoring_note="理论知识30% + 实操技能70%")
    names = ["赵六", "钱七", "孙八", "周九"]
    members = [make_member(courier, birth_date=date(1990, 1, 1), member_no=f"M2026000{i}") for i in range(4)]
    for member, name in zip(members, names):
        signups.sign_up(today.id, member.worker, name=name, phone=f"1391111000{names.index(name)}",
                        answers={"years": "1至3年", "company": "申通长安网点"})
    today.status = "closed"
    # Check-in opens on the contest's day in China time, and a freed place goes to the waitlist only
    # before the start: it starts later today in China (an hour from now is already tomorrow
    # there from 23:00, 15:00 UTC, and check-in would be refused)
    today.starts_at = later_today(now)
    today.registration_closes_at = min(today.registration_closes_at, today.starts_at)
    contest_id, username = today.id, chair.username
    card_openid = members[1].worker.openid
    db.session.commit()
    token = scan_member_card(browser, app, server, card_openid)

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{server}/console/contests.html")
    page.wait_for_selector("#login-form")
    page.fill("#username", username)
    page.fill("#password", "password123")
    page.click("button[type=submit]")
    page.wait_for_selector("table a")
    shot(page, "console-list")

    page.click("text=新建竞赛")
    page.wait_for_selector("#editor")
    page.fill("[name=title]", "外卖送餐员技能竞赛")
    page.fill("#industry-q", "外卖")  # the trade is searched and shown by name, submitted as its code
    page.wait_for_selector("#industry-picker .picker-result[data-code='H6242']")
    shot(page, "console-editor-industry-search", full_page=False)
    page.click("#industry-picker .picker-result[data-code='H6242']")
    assert "外卖送餐服务" in page.inner_text("#industry-picker .chosen")
    page.select_option("[name=who]", "coverage")  # eligibility by area and trade: the same pickers
    page.wait_for_selector("#cover-region select[data-level='1'] option[value='130100']", state="attached")
    page.select_option("#cover-region select[data-level='1']", "130100")
    page.fill("#cover-industry", "快递")
    page.click("#cover-industry-picker .picker-result[data-code='G6020']")
    shot(page, "console-editor-pickers", full_page=False)
    page.click("#add-question")
    page.fill(".question:nth-child(1) [data-q=label]", "是否持有健康证")
    page.select_option(".question:nth-child(1) [data-q=kind]", "single")
    page.fill(".question:nth-child(1) [data-q=options]", "是\n否")
    page.check(".question:nth-child(1) [data-q=required]")
    page.click("button[type=submit]")
    page.wait_for_selector(".field-msg")
    shot(page, "console-editor-errors")

    page.goto(f"{server}/console/contests.html#c={contest_id}&tab=overview")
    page.click("#qr")
    page.wait_for_selector("img.qr")
    page.wait_for_function("document.querySelector('img.qr').complete")
    shot(page, "console-overview")

    page.goto(f"{server}/console/contests.html#c={contest_id}&tab=roster")
    page.wait_for_selector("#roster tbody tr")
    assert "候补1" in page.inner_text("#roster")
    shot(page, "console-roster")
    page.click("#roster tr:has-text('赵六') [data-do=remove]")
    page.fill("#ask-reason", "本人电话告知无法参赛")
    page.click(".modal button[type=submit]")
    page.wait_for_selector("#roster tr:has-text('周九') .tag.green")

    page.goto(f"{server}/console/contests.html#c={contest_id}&tab=checkin")
    page.wait_for_selector("#token")
    page.fill("#token", token)
    page.press("#token", "Enter")
    page.wait_for_selector(".checkin-result .ok")
    assert "钱七" in page.inner_text(".checkin-result")
    page.fill("#q", "孙八")
    page.press("#q", "Enter")
    page.click("[data-checkin]")
    page.wait_for_selector(".found-row:has-text('已签到')")
    page.fill("#token", token)
    page.press("#token", "Enter")
    page.wait_for_selector(".checkin-result:has-text('此前已签到')")
    shot(page, "console-checkin")

    db.session.rollback()
    from models.contest import Contest
    db.session.get(Contest, contest_id).starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    page.goto(f"{server}/console/contests.html#c={contest_id}&tab=results")
    page.wait_for_selector("#save")
    rows = page.locator("tbody tr[data-id]")
    for i, (score, rank, award) in enumerate([("95.5", "1", "一等奖"), ("88", "2", "二等奖"), ("76", "3", "三等奖")]):
        rows.nth(i).locator("[data-r=score]").fill(score)
        rows.nth(i).locator("[data-r=rank]").fill(rank)
        rows.nth(i).locator("[data-r=award]").fill(award)
    page.click("#save")
    page.wait_for_selector(".flash:has-text('成绩已保存')")
    page.click("[data-action=finish]")
    page.wait_for_selector("h1:has-text('已结束')")
    page.wait_for_selector("#publish")
    page.click("#publish")
    page.wait_for_selector("text=成绩已于")
    shot(page, "console-results")
    db.session.rollback()
    from models.outbox import OutboxMessage
    results = db.session.query(OutboxMessage).filter(OutboxMessage.dedup_key.like(f"contest:{contest_id}:result:%")).count()
    assert results == 3
    db.session.rollback()
    context.close()

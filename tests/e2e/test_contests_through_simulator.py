"""Skill contests, end to end through the phone simulator in headless Chromium: a worker follows
the account, taps 更多 → 竞赛, the contest list opens inside the phone through the real OAuth flow,
they open a published contest, answer its questions and sign up; the outbox delivers the
confirmation into the chat. A second WeChat user on the same simulator finds the only place
taken and sees their waitlist position. Screenshots: artifacts/screenshots/e2e-contest-*.png."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.base import utcnow
from models.contest import Signup
from models.worker import Worker
from service.wechat import deliverer
from service.devtools import standin
from service.extensions import db
from tests.factories import make_contest, make_federation, make_upper

pytestmark = pytest.mark.e2e
COURIER = "石家庄市长安区快递行业工会联合会"
OAUTH = ["/h5/auth/start", "/sim/wechat/connect/oauth2/authorize", "/h5/auth/callback"]
QUESTIONS = [
    {"key": "years", "label": "从事快递工作年限", "kind": "single", "options": ["1年以下", "1至3年", "3至5年", "5年以上"],
     "required": True},
    {"key": "skills", "label": "擅长项目", "kind": "multiple", "options": ["快件收寄", "分拣", "包装", "派送"],
     "required": False},
    {"key": "company", "label": "所在快递企业及网点", "kind": "text", "options": [], "required": True},
]
TITLE = "长安区快递员职业技能竞赛"


def open_contests(phone) -> None:
    """Follow, then 入会 → 技能竞赛, and tap the link in the reply: the list opens inside the phone."""
    phone.page.click("#follow")
    phone.reply("欢迎关注工联")
    phone.menu("入会", "技能竞赛")
    phone.page.wait_for_selector(".note:has-text('点击了菜单「技能竞赛」')")
    since = len(phone.visits)
    href = phone.tap_link("查看竞赛并报名")
    assert href == f"{phone.base}/h5/contests.html"
    phone.wait_in_browser("#list .weui-media-box")
    assert phone.oauth_hops(since) == OAUTH


def sign_up(phone, name: str, mobile: str, birth: str) -> None:
    form = phone.frame
    form.fill("#name", name)
    form.fill("#phone", mobile)
    form.fill("#birth_date", birth)
    form.click("label[for=q-years-2]")
    form.click("label[for=q-skills-1]")
    form.click("label[for=q-skills-3]")
    form.fill("#q-company", "中通快递长安网点")


def chat_notice(phone, contest_title: str, before: int):
    """The first message from the service after the `before`-th one that names the contest: a
    customer-service text inside WeChat's window, a template card outside it."""
    phone.page.wait_for_function(
        "([n, title]) => [...document.querySelectorAll('#chat .msg.them')].slice(n)"
        ".some(m => m.innerText.includes(title))", arg=[before, contest_title], timeout=10000)
    return phone.page.locator("#chat .msg.them").nth(before)


def test_contest_sign_up_and_waitlist_through_the_phone(app, simulator):
    courier = make_federation(COURIER, parent=make_upper())
    contest = make_contest(courier, title=TITLE, capacity=1, questions=QUESTIONS,
                           eligibility={"age_min": 18, "age_max": 55}, venue="长安区职工服务中心",
                           description="理论知识与实操技能两部分，实操包括快件收寄、分拣和派送。",
                           cancel_cutoff_at=utcnow() + timedelta(days=5))
    other = make_contest(courier, title="快递行业工会会员趣味运动会", capacity=50)
    contest_id, other_id = contest.id, other.id

    # --- first worker: 更多 → 竞赛, the list through OAuth --------------------------------------------
    phone = simulator("e2e-contest")
    first = phone.new_user()
    open_contests(phone)
    listed = phone.frame.inner_text("#list")
    assert TITLE in listed and "快递行业工会会员趣味运动会" in listed and "剩余名额 1 / 1" in listed
    phone.shot("01-list")

    # --- open the contest, answer its questions, sign up -----------------------------------------------
    phone.frame.click(f"a[href='/h5/contest.html?id={contest_id}']")
    phone.wait_in_browser("#signup")
    assert phone.page.inner_text("#browser-title") == TITLE
    assert [t.strip() for t in phone.frame.locator(".choice-title").all_inner_texts()] == [
        "从事快递工作年限", "擅长项目（可多选）", "所在快递企业及网点"]
    sign_up(phone, "赵师傅", "13911112222", "1988-04-16")
    phone.shot("02-form")
    messages = phone.page.locator("#chat .msg.them").count()
    phone.frame.click("#signup button[type=submit]")
    phone.wait_in_browser(".status-card__state_confirmed")
    assert "报名成功" in phone.frame.inner_text(".status-card")
    phone.frame.wait_for_selector(".weui-toast", state="detached")
    phone.shot("03-confirmed")
    signup = db.session.scalar(select(Signup).where(Signup.contest_id == contest_id))
    assert signup.worker.openid == first and signup.status == "confirmed"
    assert signup.answers == {"years": "3至5年", "skills": ["分拣", "派送"], "company": "中通快递长安网点"}

    # --- the outbox delivers the confirmation into the chat -------------------------------------------
    phone.close_browser()
    assert deliverer.deliver_due() == 1
    notice = chat_notice(phone, TITLE, messages)
    assert "成功报名" in notice.inner_text() or "报名成功" in notice.inner_text()
    phone.shot("04-confirmation-in-chat")

    # --- a second WeChat user on this simulator: the only place is taken -------------------------------
    second = phone.new_user()
    assert second != first
    open_contests(phone)  # a new user is asked who they are again (OAuth), not taken for the first
    assert "名额已满" in phone.frame.inner_text("#list") or "剩余名额 0 / 1" in phone.frame.inner_text("#list")
    phone.frame.click(f"a[href='/h5/contest.html?id={contest_id}']")
    phone.wait_in_browser("#signup")
    assert "报名候补" in phone.frame.inner_text("#signup button[type=submit]")
    sign_up(phone, "钱师傅", "13933334444", "1992-09-03")
    messages = phone.page.locator("#chat .msg.them").count()
    phone.frame.click("#signup button[type=submit]")
    phone.wait_in_browser(".status-card__state_waitlisted")
    assert "候补第 1 位" in phone.frame.inner_text(".status-card")
    phone.frame.wait_for_selector(".weui-toast", state="detached")
    phone.shot("05-waitlisted")

    phone.close_browser()
    assert deliverer.deliver_due() == 1
    notice = chat_notice(phone, TITLE, messages)
    assert "候补" in notice.inner_text()
    phone.shot("06-waitlist-in-chat")

    db.session.expire_all()
    rows = {s.worker.openid: (s.status, s.seq) for s in db.session.scalars(select(Signup))}
    assert rows == {first: ("confirmed", 1), second: ("waitlisted", 2)}
    assert db.session.scalar(select(Signup).where(Signup.contest_id == other_id)) is None

    # --- back to the first user: their own sign-up, under 我的报名 --------------------------------------
    phone.use(first)
    phone.menu("入会", "技能竞赛")
    phone.tap_link("查看竞赛并报名")
    phone.wait_in_browser("#list .weui-media-box")
    phone.frame.click("[data-tab=mine]")
    phone.wait_in_browser(".contest-mine")
    assert "已报名" in phone.frame.inner_text("#list")
    phone.shot("07-mine")

    # --- days later the first cancels; the second, outside WeChat's window, gets a template card ---------
    waiting = db.session.scalar(select(Worker).where(Worker.openid == second))
    waiting.last_event_at = standin.get_user(second).last_event_at = utcnow() - timedelta(days=3)
    db.session.commit()
    phone.frame.click(f"a[href='/h5/contest.html?id={contest_id}']")
    phone.wait_in_browser("#cancel")
    phone.frame.click("#cancel")
    phone.frame.click("[data-yes]")
    phone.wait_in_browser(".status-card__state_cancelled")
    assert deliverer.deliver_due() == 2  # the cancellation to the first, the promotion to the second
    phone.close_browser()
    phone.use(second)
    card = phone.page.locator(".tpl", has_text="竞赛报名通知")
    card.wait_for(timeout=10000)
    rows = dict(zip(card.locator(".tpl-key").all_inner_texts(), card.locator(".tpl-value").all_inner_texts()))
    assert rows["竞赛名称"] == TITLE and rows["报名状态"] == "候补转正" and rows["备注"] == "长安区职工服务中心"
    assert list(rows) == ["竞赛名称", "比赛时间", "报名状态", "备注"]
    phone.shot("08-promoted-template")
    card.locator(".tpl-more").click()
    phone.wait_in_browser(".status-card__state_confirmed")
    phone.shot("09-promoted-page")

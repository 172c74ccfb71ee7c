"""Service positions end to end in headless Chromium: a courier in 长安区 taps 求助 → 附近驿站
in the phone simulator, picks their place and gets the three nearest stations with what is
open now; the link opens the station's page inside the phone. The federation's chair then
registers a new station in the console (coordinates pasted, checked against the region) and it
is first in the courier's next answer, sent as a location message (＋ → 位置).
A contest held at a station and a mediation meeting at another link to the station's page from
the worker's contest page, request page and WeChat notice.
Screenshots: artifacts/screenshots/e2e-positions-*.png and e2e-venue-*.png."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.base import utcnow
from models.position import Position
from models.staff import Staff
from models.worker import Worker
from service.devtools import demo
from service.devtools.simulator import PLACES
from service.extensions import db
from service.help_requests import casework
from service.wechat import deliverer
from tests.e2e.conftest import SHOTS
from tests.e2e.phone import text_of
from tests.factories import make_request

pytestmark = pytest.mark.e2e
NEW_STATION = "中山东路快递网点户外劳动者服务站"


def pick_place(phone, label: str) -> None:
    phone.page.wait_for_selector("#location-picker:not([hidden])")
    phone.page.click(f"#location-places button:has-text('{label}')")
    phone.page.click("#location-send")


def names_in(text: str) -> list[str]:
    return re.findall(r"\d\. (.+?)（[\d.]+(?:米|公里)）", text)


def nearest_reply(phone, before: int):
    phone.page.wait_for_function(
        "n => [...document.querySelectorAll('#chat .msg.them')].slice(n).some(m => m.innerText.includes('离您最近的服务阵地'))",
        arg=before, timeout=10000)
    return phone.page.locator(".msg.them", has_text="离您最近的服务阵地").last


def test_a_courier_finds_the_nearest_stations_and_a_new_one_appears(app, simulator, browser, live_server, shot):
    demo.seed_demo()
    demo.seed_staff()
    db.session.commit()
    place = PLACES[0]  # 石家庄市长安区中山东路（快递网点）

    phone = simulator("e2e-positions")
    phone.new_user()
    phone.page.click("#follow")
    phone.reply("欢迎关注工联")
    before = phone.page.locator("#chat .msg.them").count()
    phone.menu("求助", "附近驿站")
    pick_place(phone, place["label"])
    phone.page.wait_for_selector(".note:has-text('点击了菜单「附近驿站」并选择了位置')")
    reply = nearest_reply(phone, before)
    # WeChat sent the location_select event and then the place as a location message: one answer
    phone.page.wait_for_function("document.querySelector('#typing').hidden")
    assert phone.page.locator(".msg.them", has_text="离您最近的服务阵地").count() == 1
    text = text_of(reply)
    assert names_in(text) == ["长安区快递小哥爱心驿站（中山东路）", "长安区职工服务中心", "长安区职工法律援助工作站"], text
    assert re.findall(r"（(\d+米)）", text) == ["290米", "720米", "960米"]
    assert len(re.findall(r"(开放中，|未开放，)", text)) == 3  # each says whether it is open now (or when it opens)
    assert "饮水、充电、微波炉、卫生间、休息座椅" in text
    assert phone.page.locator(".bubble.location", has_text=place["label"]).count() == 1
    phone.shot("01-nearest-reply")

    first = reply.locator("a:has-text('详情和导航')").first  # the nearest station's link
    href = first.get_attribute("href")
    first.click()
    phone.page.wait_for_selector("#browser:not([hidden])")
    assert "/h5/position.html?id=" in href and "lat=38.042010" in href
    phone.wait_in_browser("#name")
    frame = phone.frame
    assert frame.inner_text("#name") == "长安区快递小哥爱心驿站（中山东路）"
    assert frame.get_attribute("#navigate", "href").startswith("https://uri.amap.com/navigation?to=114.535720%2C38.043910")
    assert frame.get_attribute("#geo", "href").startswith("geo:38.043910,114.535720")
    assert "周一至周日 08:00-20:00" in frame.inner_text(".weui-form-preview")
    assert "距您" in frame.inner_text(".pos-head")
    phone.shot("02-position-page")
    frame.click("text=查看其他服务阵地")
    frame.wait_for_selector("#list .weui-media-box")
    assert frame.locator("#list .weui-media-box").count() == 6  # every open position within 50 km (和平东路 is suspended)
    frame.click("#facility-bar button:has-text('微波炉')")
    frame.wait_for_function("document.querySelectorAll('#list .weui-media-box').length === 3")
    phone.shot("03-list-microwave")
    phone.close_browser()

    # --- the chair registers a new station in the console --------------------------------------
    console = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    errors = []
    console.on("pageerror", lambda error: errors.append(str(error)))
    console.goto(f"{live_server.url}/console/login.html?next=/console/positions.html")
    console.fill("#username", "kd-chair")
    console.fill("#password", demo.DEMO_PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_selector("body[data-ready='1']")
    assert console.locator("#rows tr").count() == 4  # the courier federation's own four
    console.click("#new")
    form = console.locator("#position-form")
    form.wait_for()
    console.wait_for_selector("#position-form[data-ready='1']")
    assert console.locator("#region select[data-level='2'] option:checked").inner_text() == "长安区"  # preselected
    form.locator("[name=name]").fill(NEW_STATION)
    form.locator("[name=address]").fill("石家庄市长安区中山东路 200 号快递网点门口")
    console.fill("#paste", "118.18,39.63")  # 唐山: the check says no before saving
    console.wait_for_selector("#coords-check.bad")
    assert "不在河北省石家庄市长安区范围内" in console.inner_text("#coords-check")
    console.fill("#paste", "114.53801,38.04203")  # longitude first, as a map copies it
    console.wait_for_selector("#coords-check.ok")
    form.locator("fieldset").first.screenshot(path=str(SHOTS / "e2e-positions-04a-console-region-picker.png"))
    assert console.input_value("[name=latitude]") == "38.04203"
    form.locator("#day-1").fill("07:00-22:00")
    for day in range(2, 8):
        form.locator(f"#day-{day}").fill("07:00-22:00")
    for label in ("饮水", "充电", "微波炉"):
        form.locator(".checks label", has_text=label).click()
    console.click("#position-form button[type=submit]")
    console.wait_for_selector(".flash:has-text('已登记')")
    shot(console, "e2e-positions-04-console-registered", full_page=False)
    assert errors == []
    db.session.rollback()
    created = db.session.scalar(select(Position).where(Position.name == NEW_STATION))
    assert created is not None and created.facilities == ["water", "charging", "microwave"]

    # --- the courier sends their location again (＋ → 位置): the new station comes first --------
    phone.page.click("#to-input")
    before = phone.page.locator("#chat .msg.them").count()
    phone.page.click("#pick-location")
    pick_place(phone, place["label"])
    reply = nearest_reply(phone, before)
    assert names_in(text_of(reply))[0] == NEW_STATION
    phone.shot("05-new-station-first")


STATION = "长安区快递小哥爱心驿站（中山东路）"
MEETING_STATION = "长安区户外劳动者服务站（建设北大街）"
CONTEST = "长安区快递员技能竞赛（驿站赛场）"


def china_input(delta: timedelta) -> str:
    """A <input type=datetime-local> value in China time, `delta` from now."""
    return (utcnow() + timedelta(hours=8) + delta).strftime("%Y-%m-%dT%H:%M")


def console_as(browser, live_server, username: str, path: str):
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/console/login.html?next={path}")
    page.fill("#username", username)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    return page, errors


def by_name(name: str) -> Position:
    return db.session.scalar(select(Position).where(Position.name == name))


def test_a_contest_venue_and_a_meeting_place_link_to_the_position_page(app, simulator, browser, live_server, shot):
    demo.seed_demo()
    demo.seed_staff()
    db.session.commit()
    station, meeting_station = by_name(STATION), by_name(MEETING_STATION)

    # --- the chair creates a contest held at a station of the federation's own ---------------------
    console, errors = console_as(browser, live_server, "kd-chair", "/console/contests.html%23new")
    console.wait_for_selector("#editor")
    options = console.locator("#venue_position_id option").all_inner_texts()
    assert any(o.startswith(STATION) for o in options)
    assert not any(o.startswith("长安区职工服务中心") for o in options)  # the district union's: not in scope
    assert not any(o.startswith("和平东路党群共享驿站") for o in options)  # suspended: cannot be picked
    console.fill("[name=title]", CONTEST)
    console.fill("[name=starts_at]", china_input(timedelta(days=20)))
    console.fill("[name=registration_opens_at]", china_input(timedelta(hours=-1)))
    console.fill("[name=registration_closes_at]", china_input(timedelta(days=14)))
    console.select_option("#venue_position_id", str(station.id))
    console.fill("#venue", "二楼培训室")
    console.select_option("[name=who]", "open")
    shot(console, "e2e-venue-01-console-editor", full_page=False)
    console.click("#editor button[type=submit]")
    console.wait_for_selector("#contest-venue")
    venue = console.inner_text("#contest-venue")
    assert STATION in venue and "二楼培训室" in venue and "职工端页面" in venue
    console.once("dialog", lambda dialog: dialog.accept())
    console.click("[data-action=publish]")
    console.wait_for_selector("h1 .tag:has-text('报名中')")
    shot(console, "e2e-venue-02-console-contest", full_page=False)
    db.session.rollback()
    from models.contest import Contest

    contest = db.session.scalar(select(Contest).where(Contest.title == CONTEST))
    assert contest.venue_position_id == station.id and contest.status == "published"

    # --- a worker opens it in the phone and follows the venue link to the station's page -------------
    phone = simulator("e2e-venue")
    openid = phone.new_user()
    phone.page.click("#follow")
    phone.reply("欢迎关注工联")
    phone.menu("入会", "技能竞赛")
    phone.tap_link("查看竞赛并报名")
    phone.wait_in_browser("#list .weui-media-box")
    assert f"{STATION} 二楼培训室" in phone.frame.inner_text(f"a[href='/h5/contest.html?id={contest.id}']")
    phone.frame.click(f"a[href='/h5/contest.html?id={contest.id}']")
    phone.wait_in_browser(".venue-link")
    place = phone.frame.inner_text(".weui-form-preview")
    assert f"{STATION} 二楼培训室" in place and "石家庄市长安区中山东路 180 号邮政营业厅东侧" in place
    phone.shot("01-contest-venue")
    assert phone.frame.get_attribute(".venue-link", "href").endswith(f"/h5/position.html?id={station.id}")
    phone.frame.click(".venue-link")
    phone.wait_in_browser("#name")
    assert phone.frame.inner_text("#name") == STATION
    phone.shot("02-venue-position-page")
    phone.close_browser()

    # --- a caseworker sets the meeting place of the worker's mediation; the worker is told ---------
    worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    mediation = make_request(worker, type="mediation")
    caseworker = db.session.scalar(select(Staff).where(Staff.username == "kd-case"))
    casework.claim(caseworker, mediation.id)
    db.session.commit()
    desk, desk_errors = console_as(browser, live_server, "kd-case", f"/console/request.html?id={mediation.id}")
    desk.wait_for_selector("#meeting-form")
    desk.select_option("#meeting-position", str(meeting_station.id))
    desk.fill("#meeting-note", "12月8日（周二）下午3点，一楼会议室")
    desk.click("#meeting-form button[type=submit]")
    desk.wait_for_selector(".flash:has-text('调解地点已保存')")
    desk.wait_for_selector(f"#meeting-now:has-text('{MEETING_STATION}')")
    assert "调解地点：" + MEETING_STATION in desk.inner_text("#timeline")
    shot(desk, "e2e-venue-03-console-meeting", full_page=False)
    assert errors == [] and desk_errors == []

    before = phone.page.locator("#chat .msg.them").count()
    assert deliverer.deliver_due() >= 1
    notice = phone.reply("调解地点：")
    assert MEETING_STATION in notice.inner_text() and "一楼会议室" in notice.inner_text()
    assert phone.page.locator("#chat .msg.them").count() > before
    phone.shot("03-meeting-notice")
    href = phone.tap_link("查看地点和导航")
    assert href.endswith(f"/h5/position.html?id={meeting_station.id}")
    phone.wait_in_browser("#name")
    assert phone.frame.inner_text("#name") == MEETING_STATION
    phone.close_browser()
    phone.tap_link("点击查看")
    phone.wait_in_browser("#meeting:not([hidden])")
    meeting = phone.frame.inner_text("#meeting")
    assert MEETING_STATION in meeting and "12月8日（周二）下午3点，一楼会议室" in meeting
    phone.shot("04-request-meeting")
    phone.frame.click(".meeting-link")
    phone.wait_in_browser("#name")
    assert phone.frame.inner_text("#name") == MEETING_STATION


def test_the_boards_reminder_opens_the_form_for_that_federation(app, browser, live_server, shot):
    demo.seed_demo()
    demo.seed_staff()
    db.session.commit()
    from models.federation import Federation

    name = "石家庄市裕华区道路运输行业工会联合会"
    federation = db.session.scalar(select(Federation).where(Federation.name == name))
    page, errors = console_as(browser, live_server, "sjz-admin", "/console/governance.html")
    row = page.locator("tr.gov-row", has_text=name)
    row.wait_for()
    reminder = row.locator("li.gov-check", has_text="尚未登记服务阵地")
    assert reminder.locator("a").get_attribute("href") == f"/console/positions.html#new={federation.id}"
    reminder.locator("a", has_text="去处理").click()
    page.wait_for_selector("#position-form")
    page.wait_for_function("document.querySelectorAll('#region select').length >= 2")
    assert page.input_value("#position-form [name=federation_id]") == str(federation.id)
    assert page.input_value("#region select >> nth=2") == federation.region_code  # 裕华区 (the county select after 河北省 and 石家庄市), not the default 长安区
    shot(page, "e2e-venue-05-board-to-new-position", full_page=False)
    assert errors == []

"""Service positions end to end in headless Chromium: a courier in 长安区 taps 求助 → 附近驿站
in the phone simulator, picks their place and gets the three nearest stations with what is
open now; the link opens the station's page inside the phone. The federation's chair then
registers a new station in the console (coordinates pasted, checked against the region) and it
is first in the courier's next answer, sent as a location message (＋ → 位置).
Screenshots: artifacts/screenshots/e2e-positions-*.png."""
import re

import pytest
from sqlalchemy import select

from models.position import Position
from service.devtools import demo
from service.devtools.simulator import PLACES
from service.extensions import db
from tests.e2e.conftest import SHOTS
from tests.e2e.phone import text_of

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

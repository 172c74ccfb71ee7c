"""Locations in the chat, through the `wechat` fixture (signed, optionally encrypted, as WeChat
posts them, by service/devtools/wechat_peer.py): the location message answers with the three
nearest open positions; a location_select tap — WeChat's event, then the same place as a location
message — is answered once; the LOCATION report only updates the worker's last known area."""
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from models.position import Position

from models.worker import Worker
from service.extensions import db
from service.wechat.menu import MENU
from tests.factories import make_federation, make_position

CHANGAN = (38.0420, 114.5380)


@pytest.fixture
def stations(app, monkeypatch):
    # 16:00 China time on a Tuesday, whenever the test runs
    monkeypatch.setattr("service.positions.answers.utcnow", lambda: datetime(2026, 12, 1, 8, 0))
    federation = make_federation("石家庄市长安区快递行业工会联合会")
    daytime = {"weekly": {str(d): ["00:00-00:30"] for d in range(1, 8)}}  # closed nearly all day
    return {
        "a": make_position(federation, name="甲驿站", latitude=38.0425, longitude=114.5385,
                           facilities=["water", "microwave"]),
        "b": make_position(federation, name="乙驿站", latitude=38.0450, longitude=114.5400, hours=daytime),
        "c": make_position(federation, name="丙驿站", latitude=38.0500, longitude=114.5500),
        "d": make_position(federation, name="丁驿站", latitude=38.0600, longitude=114.5600),
        "closed": make_position(federation, name="关闭的驿站", latitude=38.0421, longitude=114.5381, status="closed"),
        "far": make_position(federation, name="唐山驿站", latitude=39.63, longitude=118.18, region="130202"),
    }


def _reply_text(response) -> str:
    assert response.status_code == 200
    assert response.reply["MsgType"] == "text"
    return response.reply["Content"]


def _names(text: str) -> list[str]:
    return re.findall(r"^\d\. (\S+?)（", text, flags=re.M)


@pytest.mark.parametrize("encrypt", [False, True])
def test_a_location_message_gets_the_three_nearest_open_positions(wechat, stations, encrypt):
    text = _reply_text(wechat.post(wechat.peer.location("o-loc-1", *CHANGAN, label="石家庄市长安区中山东路"),
                                   encrypt=encrypt))
    assert _names(text) == ["甲驿站", "乙驿站", "丙驿站"]
    assert "关闭的驿站" not in text and "丁驿站" not in text
    assert "（70米）" in text  # 甲 is about 70 m away
    assert "饮水、微波炉" in text
    assert "开放中，全天候开放" in text
    assert "未开放，明天 00:00 开放" in text  # 乙 opens at midnight
    assert f'<a href="http://gonglian.test/h5/position.html?id={stations["a"].id}&lat=38.042000&lng=114.538000">' \
        in text
    assert "positions.html?lat=38.042000&lng=114.538000" in text
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-loc-1"))
    assert (worker.last_latitude, worker.last_longitude, worker.last_area_code) == (*CHANGAN, "130102")


def tap_location_select(wechat, openid: str, point=CHANGAN, encrypt: bool = False, **kw):
    """What WeChat sends for one tap of 附近驿站: the event, then the place as a location message."""
    event = wechat.post(wechat.peer.location_select(openid, "NEARBY_POSITIONS", *point, label="长安区中山东路",
                                                    **kw), encrypt=encrypt)
    message = wechat.post(wechat.peer.location(openid, *point, label="长安区中山东路"), encrypt=encrypt)
    return event, message


@pytest.mark.parametrize("encrypt", [False, True])
def test_a_location_select_tap_is_answered_once(wechat, stations, encrypt):
    keys = [b.get("key") for top in MENU["button"] for b in top.get("sub_button") or [top]]
    assert "NEARBY_POSITIONS" in keys
    assert len(MENU["button"]) <= 3 and all(len(top.get("sub_button") or []) <= 5 for top in MENU["button"])
    event, message = tap_location_select(wechat, "o-loc-2", encrypt=encrypt)
    assert event.status_code == 200 and event.reply is None and event.get_data(as_text=True) == "success"
    assert _names(_reply_text(message)) == ["甲驿站", "乙驿站", "丙驿站"]
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-loc-2"))
    assert (worker.last_latitude, worker.last_longitude, worker.last_area_code) == (*CHANGAN, "130102")


def test_the_event_alone_does_nothing_but_say_success(wechat, stations):
    # the event is answered at once by a pure handler; the location message after it does the work
    from handlers.wechat.registry import find_handler, is_pure
    from service.wechat.inbound import parse

    xml = wechat.peer.location_select("o-loc-11", "NEARBY_POSITIONS", *CHANGAN)
    assert is_pure(find_handler(parse(xml)))
    response = wechat.post(xml)
    assert response.status_code == 200 and response.reply is None
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-loc-11"))  # the contact note only
    assert worker is None or worker.last_latitude is None


def test_a_retried_location_message_gets_the_same_single_answer(wechat, stations):
    xml = wechat.peer.location("o-loc-12", *CHANGAN)
    first, again = _reply_text(wechat.post(xml)), _reply_text(wechat.post(xml))  # WeChat's retry: same MsgId
    assert first == again and _names(first) == ["甲驿站", "乙驿站", "丙驿站"]


def test_a_location_report_updates_the_area_without_a_reply(wechat, stations):
    response = wechat.post(wechat.peer.location_report("o-loc-3", 38.0028, 114.5230))
    assert response.status_code == 200 and response.reply is None
    assert response.get_data(as_text=True) == "success"
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-loc-3"))
    assert worker.last_area_code == "130108"  # 裕华区
    assert worker.last_located_at is not None


def test_nothing_near(wechat, stations):
    text = _reply_text(wechat.post(wechat.peer.location("o-loc-4", 36.60, 114.48)))  # 邯郸: 130 km away
    assert "50公里内暂时没有开放的服务阵地" in text and "positions.html" in text


@pytest.mark.parametrize("lat, lng", [("nan", "114.5"), ("1e400", "114.5"), ("91", "114"), ("abc", "114"),
                                      ("", ""), ("38]]>", "114")])
def test_a_broken_location_is_answered_politely(wechat, stations, lat, lng):
    text = _reply_text(wechat.post(wechat.peer.location("o-loc-5", lat, lng)))
    assert "没能识别您发送的位置" in text
    report = wechat.post(wechat.peer.location_report("o-loc-5", lat, lng))
    assert report.status_code == 200 and report.reply is None


def test_a_location_select_without_its_location_info(wechat, stations):
    response = wechat.post(wechat.peer.event("o-loc-6", "location_select", "NEARBY_POSITIONS"))
    assert response.status_code == 200 and response.reply is None


def test_the_keyword_explains_how(wechat, stations):
    text = _reply_text(wechat.send_text("o-loc-7", "驿站"))
    assert "发送您的位置" in text and "positions.html" in text


def test_a_new_station_appears_in_the_next_answer(wechat, stations, app):
    federation = stations["a"].federation
    make_position(federation, name="新驿站", latitude=38.0421, longitude=114.5380)
    assert _names(_reply_text(wechat.post(wechat.peer.location("o-loc-8", *CHANGAN))))[0] == "新驿站"


def test_the_demo_courier_in_changan_gets_three_answers(feds, wechat):
    from service.devtools.demo_positions import POSITIONS, seed_demo_positions
    from service.devtools.simulator import PLACES

    assert len(seed_demo_positions()) == len(POSITIONS)  # idempotent: nothing new on a second run
    assert db.session.scalar(select(func.count(Position.id))) == len(POSITIONS)
    place = PLACES[0]
    text = _reply_text(wechat.post(wechat.peer.location("o-demo", place["latitude"], place["longitude"])))
    assert len(_names(text)) == 3 and "长安区快递小哥爱心驿站" in text


def test_the_cli(runner, stations):
    from service.positions.cli import positions_cli

    listed = runner.invoke(positions_cli, ["list", "--region", "130102"])
    assert listed.exit_code == 0 and "甲驿站" in listed.output and "唐山驿站" not in listed.output
    nearest = runner.invoke(positions_cli, ["nearest", "38.042", "114.538"])
    assert nearest.exit_code == 0 and nearest.output.splitlines()[0].endswith("甲驿站")
    reply = runner.invoke(positions_cli, ["nearest", "38.042", "114.538", "--reply"])
    assert "离您最近的服务阵地" in reply.output
    assert runner.invoke(positions_cli, ["nearest", "nan", "114"]).exit_code != 0


def test_the_reply_stays_short_with_long_names(wechat, stations):
    federation = stations["a"].federation
    for n in range(3):
        make_position(federation, name=f"{n}" + "长" * 99, latitude=38.0420 + n * 1e-5, longitude=114.5380,
                      facilities=["water", "charging", "microwave", "toilet", "rest", "first_aid", "wifi"])
    text = _reply_text(wechat.post(wechat.peer.location("o-loc-9", *CHANGAN)))
    assert len(text.encode()) < 2048 and text.count("…") == 3


def test_a_location_report_in_the_same_second_as_a_menu_tap_is_no_duplicate(wechat, stations):
    # WeChat may report the location every 5 seconds; events are de-duplicated by sender, time and event
    at = 1_790_000_000
    assert wechat.post(wechat.peer.location_report("o-loc-10", *CHANGAN, create_time=at)).reply is None
    event, message = tap_location_select(wechat, "o-loc-10", create_time=at)
    assert event.reply is None and _names(_reply_text(message)) == ["甲驿站", "乙驿站", "丙驿站"]

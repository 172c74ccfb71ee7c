"""The phone simulator sends locations: the user's location message and a location_select
menu tap go signed (and, in safe mode, encrypted) to /wechat over real HTTP, and the
conversation shows the place sent and the nearest positions answered. A tap is what WeChat
sends: the location_select event, then the same place as a location message — one answer."""
import requests

from service.devtools import simulator
from tests.factories import make_federation, make_position


def push(live_server, expect=200, **body):
    response = requests.post(f"{live_server.url}/sim/phone/push", json=body, timeout=15)
    assert response.status_code == expect, response.text
    return response.json()


def test_sending_a_location_and_tapping_location_select(live_server):
    federation = make_federation("石家庄市长安区快递行业工会联合会")
    make_position(federation, name="甲驿站", latitude=38.0425, longitude=114.5385)
    make_position(federation, name="乙驿站", latitude=38.0450, longitude=114.5400)
    place = simulator.PLACES[0]
    sent = push(live_server, openid="o-sim-loc", action="location", location=place, safe=True)
    assert sent["status"] == 200 and sent["encrypted"] is True
    assert "1. 甲驿站" in sent["reply"]["Content"] and "2. 乙驿站" in sent["reply"]["Content"]
    tapped = push(live_server, openid="o-sim-loc", action="location_select", key="NEARBY_POSITIONS",
                  location={"latitude": 38.0426, "longitude": 114.5386, "label": "地图选点"})
    assert (tapped["event"]["status"], tapped["event"]["reply"]) == (200, None)  # the event: "success"
    assert "1. 甲驿站" in tapped["reply"]["Content"]  # the location message after it: the answer
    feed = requests.get(f"{live_server.url}/sim/phone/messages", params={"openid": "o-sim-loc"}, timeout=5).json()
    kinds = [(m["source"], m["kind"]) for m in feed["messages"]]
    assert kinds == [("user", "location"), ("reply", "text")] * 2
    assert feed["messages"][0]["payload"]["location"]["label"] == place["label"]
    assert feed["messages"][2]["payload"]["key"] == "NEARBY_POSITIONS"
    config = requests.get(f"{live_server.url}/sim/phone/config", timeout=5).json()
    assert config["places"][0]["label"] == place["label"]


def test_a_bad_location_is_refused_before_it_is_sent(live_server):
    for location in (None, {"latitude": "north", "longitude": 114}, {"latitude": 91, "longitude": 114},
                     [38, 114]):
        error = push(live_server, expect=422, openid="o-sim-bad", action="location", location=location)
        assert "location" in error["error"]["fields"]
    huge = requests.post(f"{live_server.url}/sim/phone/push", timeout=15, headers={"Content-Type": "application/json"},
                         data='{"openid": "o-sim-bad", "action": "location", "location": {"latitude": 1e400, '
                              '"longitude": 114}}')
    assert huge.status_code == 422 and "location" in huge.json()["error"]["fields"]
    no_key = push(live_server, expect=422, openid="o-sim-bad", action="location_select",
                  location=simulator.PLACES[0])
    assert "key" in no_key["error"]["fields"]

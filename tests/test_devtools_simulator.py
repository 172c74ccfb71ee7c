"""The phone simulator's support API and the CLI that plays WeChat's server, over real HTTP:
a push goes signed (and encrypted) to our own /wechat exactly as WeChat would send it."""
import io
import json

import requests
from PIL import Image
from sqlalchemy import select

from models.simulator import SimUser
from models.worker import Worker
from service.wechat import deliverer, outbox
from service.extensions import db
from tests.factories import make_federation, make_upper


def push(live_server, **body):
    response = requests.post(f"{live_server.url}/sim/phone/push", json=body, timeout=15)
    assert response.status_code == 200, response.text
    return response.json()


def feed(live_server, openid, after=0, source=None):
    params = {"openid": openid, "after": after, **({"source": source} if source else {})}
    return requests.get(f"{live_server.url}/sim/phone/messages", params=params, timeout=5).json()


def federation_qrs(live_server):
    response = requests.get(f"{live_server.url}/sim/phone/federations", timeout=15)
    assert response.status_code == 200, response.text
    return response.json()


def test_federations_get_their_qr_codes_once(live_server):
    county = make_upper()
    for industry in ("G6020", "E", "O8010"):  # several: no write may be held across an API call
        make_federation(parent=county, industry=industry)
    first = federation_qrs(live_server)
    again = federation_qrs(live_server)
    assert len(first) == 3 and [q["ticket"] for q in first] == [q["ticket"] for q in again]
    assert first[0]["scene"].startswith("fed:")
    assert requests.get(first[0]["image_url"], timeout=5).content.startswith(b"\x89PNG")


def test_scan_follow_then_scan_again_then_menu(live_server):
    make_federation("石家庄市长安区快递行业工会联合会", parent=make_upper())
    [qr] = federation_qrs(live_server)
    first = push(live_server, openid="o-phone-1", action="scan", ticket=qr["ticket"])
    assert first["status"] == 200 and "石家庄市长安区快递行业工会联合会" in first["reply"]["Content"]
    db.session.rollback()
    assert db.session.get(SimUser, "o-phone-1").following is True
    assert db.session.scalar(select(Worker).where(Worker.openid == "o-phone-1")).last_scene == qr["scene"]
    second = push(live_server, openid="o-phone-1", action="scan", ticket=qr["ticket"])  # a follower: SCAN
    assert "石家庄市长安区快递行业工会联合会" in second["reply"]["Content"]
    join = push(live_server, openid="o-phone-1", action="click", key="JOIN")  # same second: still its own event
    assert "/h5/join.html?fed=" in join["reply"]["Content"]
    body = feed(live_server, "o-phone-1")
    events = [m["payload"].get("event") for m in body["messages"] if m["source"] == "user"]
    assert events == ["subscribe", "SCAN", "CLICK"]
    assert [m["source"] for m in body["messages"]] == ["user", "reply"] * 3
    assert feed(live_server, "o-phone-1", after=body["cursor"])["messages"] == []


def test_text_in_safe_mode_is_encrypted_both_ways(live_server):
    result = push(live_server, openid="o-phone-2", action="text", content="求助", safe=True)
    assert result["encrypted"] is True and "help.html" in result["reply"]["Content"]


def test_an_image_is_stored_as_media_and_pushed(live_server):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    response = requests.post(f"{live_server.url}/sim/phone/upload", data={"openid": "o-phone-3"},
                             files={"file": ("evidence.png", buffer.getvalue(), "image/png")}, timeout=15)
    assert response.status_code == 200 and response.json()["status"] == 200
    [user_message, _reply] = feed(live_server, "o-phone-3")["messages"]
    assert user_message["kind"] == "image"
    image = requests.get(f"{live_server.url}/sim/phone/media/{user_message['payload']['media_id']}", timeout=5)
    assert image.content == buffer.getvalue()
    refused = requests.post(f"{live_server.url}/sim/phone/upload", data={"openid": "o-phone-3"},
                            files={"file": ("a.txt", b"hello", "text/plain")}, timeout=5)
    assert refused.status_code == 422 and "图片" in refused.json()["error"]["fields"]["file"]


def test_messages_the_service_sends_show_up_in_the_feed(live_server):
    push(live_server, openid="o-phone-4", action="subscribe")
    push(live_server, openid="o-phone-4", action="text", content="你好")
    outbox.queue_message("o-phone-4", "您的求助已受理", url="http://gonglian.test/h5/request.html?id=9")
    db.session.commit()
    assert deliverer.deliver_due() == 1
    sent = feed(live_server, "o-phone-4", source="api")["messages"]
    assert [m["source"] for m in sent] == ["custom"]
    assert '<a href="http://gonglian.test/h5/request.html?id=9">' in sent[0]["payload"]["content"]


def test_bad_input_gets_the_error_shape(live_server):
    bad = requests.post(f"{live_server.url}/sim/phone/push", json={"openid": "坏 id", "action": "text"}, timeout=5)
    assert bad.status_code == 422 and "openid" in bad.json()["error"]["fields"]
    unknown = requests.post(f"{live_server.url}/sim/phone/push",
                            json={"openid": "o-x", "action": "scan", "ticket": "nope"}, timeout=5)
    assert unknown.status_code == 404


def test_standin_and_phone_work_with_csrf_on(app, live_server):
    """`make run` has CSRF on: WeChat's API (token-authenticated) and the simulator page send no
    CSRF token, so neither may be refused for the lack of one."""
    make_federation("石家庄市长安区快递行业工会联合会", parent=make_upper())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        [qr] = federation_qrs(live_server)  # stable_token and qrcode/create are POSTs to the stand-in
        scanned = push(live_server, openid="o-phone-csrf", action="scan", ticket=qr["ticket"])
        assert "石家庄市长安区快递行业工会联合会" in scanned["reply"]["Content"]
        image = io.BytesIO()
        Image.new("RGB", (8, 8), "#333").save(image, format="PNG")
        upload = requests.post(f"{live_server.url}/sim/phone/upload", data={"openid": "o-phone-csrf"},
                               files={"file": ("a.png", image.getvalue(), "image/png")}, timeout=15)
        assert upload.status_code == 200, upload.text
        outbox.queue_message("o-phone-csrf", "您好")
        db.session.commit()
        assert deliverer.deliver_due() == 1  # message/custom/send
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_oauth_check_page_goes_through_the_standin(live_server):
    session = requests.Session()
    session.cookies.set("sim_openid", "o-phone-web")
    page = session.get(f"{live_server.url}/sim/phone/oauth-check", timeout=10)
    assert page.status_code == 200 and "o-phone-web" in page.text and "code=" in page.url


def test_sync_menu_cli(runner, live_server):
    result = runner.invoke(args=["wechat", "sync-menu"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["result"]["errcode"] == 0
    menu = requests.get(f"{live_server.url}/sim/phone/config", timeout=5).json()["menu"]
    keys = [b.get("key") for top in menu["button"] for b in (top.get("sub_button") or [top])]
    assert keys == ["JOIN", "CARD", "CONTESTS", "HELP", "WAGE", "INJURY", "HUMAN", "NEARBY_POSITIONS", "ME"]


def test_wechat_send_cli_plays_wechats_server(runner, live_server):
    result = runner.invoke(args=["wechat", "send", "--url", live_server.url, "--openid", "o-cli-1", "--text", "入会"])
    assert result.exit_code == 0, result.output
    assert "join.html" in result.output
    safe = runner.invoke(args=["wechat", "send", "--url", live_server.url, "--openid", "o-cli-1",
                               "--click", "HELP", "--safe"])
    assert safe.exit_code == 0 and "help.html" in safe.output
    down = runner.invoke(args=["wechat", "send", "--url", "http://127.0.0.1:9", "--openid", "o", "--text", "x"])
    assert down.exit_code != 0 and "cannot reach" in down.output


def test_switching_users_makes_the_h5_pages_ask_oauth_again_and_keeps_a_staff_login(client):
    """The simulator is one browser for many users: on a switch it drops the openid the H5 pages
    learned (they then ask WeChat's OAuth, answered for the new user); a staff login stays."""
    with client.session_transaction() as session:
        session.update({"openid": "o-first", "_user_id": "7"})
    assert client.get("/api/join/context").status_code == 200
    assert client.post("/sim/phone/user", json={"openid": "o-second"}).status_code == 200
    with client.session_transaction() as session:
        assert "openid" not in session and session["_user_id"] == "7"
    answer = client.get("/api/join/context")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "oauth_required"


def test_a_contest_poster_qr_made_through_the_standin_is_answered_when_scanned(app, client, live_server):
    """The console's contest QR code comes from the WeChat API (here the stand-in); scanning it
    in the phone gets the contest's title and a sign-up link."""
    from tests.conftest import login
    from tests.factories import make_contest, make_staff

    app.config["PUBLIC_BASE_URL"] = live_server.url  # restored by live_server
    courier = make_federation("石家庄市长安区快递行业工会联合会", parent=make_upper())
    contest = make_contest(courier, title="快递员职业技能竞赛")
    login(client, make_staff(courier, role="chair"))
    made = client.post(f"/api/staff/contests/{contest.id}/qrcode")
    assert made.status_code == 200, made.get_json()
    db.session.expire_all()
    assert contest.qr_url.startswith(f"{live_server.api_base}/q/") and contest.qr_expires_at
    answer = push(live_server, openid="o-poster", action="scan", ticket=contest.qr_ticket)
    assert "快递员职业技能竞赛" in answer["reply"]["Content"]
    assert f'{live_server.url}/h5/contest.html?id={contest.id}' in answer["reply"]["Content"]


def test_choosing_another_user_makes_the_pages_forget_the_previous_openid(client):
    from tests.conftest import as_worker

    as_worker(client, "o-phone-a")
    assert client.post("/sim/phone/user", json={"openid": "o-phone-a"}).status_code == 200
    with client.session_transaction() as session:
        assert session["openid"] == "o-phone-a"  # the same user: nothing to forget
    assert client.post("/sim/phone/user", json={"openid": "o-phone-b"}).status_code == 200
    with client.session_transaction() as session:
        assert "openid" not in session  # the pages learn o-phone-b through OAuth
    assert client.post("/sim/phone/user", json={"openid": "坏"}).status_code == 422

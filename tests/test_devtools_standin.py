"""The WeChat stand-in's own behaviour: tokens, the customer-service window, QR codes, OAuth,
faults — what the adapter and the outbox are tested against, so it must itself be right."""
import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from models.base import utcnow
from models.simulator import SimOAuthCode
from service.devtools import standin
from service.app import create_app
from service.extensions import db
from tests.factories import sim_user

BASE = "/sim/wechat"


def stable(client, force=False):
    return client.post(f"{BASE}/cgi-bin/stable_token", json={
        "grant_type": "client_credential", "appid": "wxtestappid000001", "secret": "test-app-secret",
        "force_refresh": force}).get_json()


def custom(client, token, openid, text="你好"):
    return client.post(f"{BASE}/cgi-bin/message/custom/send", query_string={"access_token": token},
                       json={"touser": openid, "msgtype": "text", "text": {"content": text}}).get_json()


def test_stable_token_is_the_same_until_forced(client):
    first = stable(client)
    assert first["expires_in"] > 7000 and first["access_token"]
    assert stable(client)["access_token"] == first["access_token"]
    assert stable(client, force=True)["access_token"] != first["access_token"]


def test_classic_token_is_new_each_time_and_checks_credentials(client):
    args = {"grant_type": "client_credential", "appid": "wxtestappid000001", "secret": "test-app-secret"}
    one = client.get(f"{BASE}/cgi-bin/token", query_string=args).get_json()["access_token"]
    two = client.get(f"{BASE}/cgi-bin/token", query_string=args).get_json()["access_token"]
    assert one != two
    assert standin.check_token(one) == 0  # the old one lives on for about 5 minutes
    assert client.get(f"{BASE}/cgi-bin/token", query_string={**args, "secret": "x"}).get_json()["errcode"] == 40125
    assert client.get(f"{BASE}/cgi-bin/token", query_string={**args, "appid": "wx"}).get_json()["errcode"] == 40013


def test_tokens_expire(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_SIM_TOKEN_TTL", 1)
    sim_user("o-exp")
    token = stable(client)["access_token"]
    assert custom(client, token, "o-exp")["errcode"] == 0
    time.sleep(1.1)
    assert custom(client, token, "o-exp")["errcode"] == 42001
    assert custom(client, "made-up", "o-exp")["errcode"] == 40001
    assert client.post(f"{BASE}/cgi-bin/message/custom/send", json={}).get_json()["errcode"] == 41001


@pytest.mark.parametrize("wrote_ago, event_ago, errcode", [
    (timedelta(hours=47), None, 0),
    (timedelta(hours=49), None, 45015),
    (None, timedelta(seconds=30), 0),
    (None, timedelta(seconds=61), 45015),
    (None, None, 45015),
])
def test_the_customer_service_window(client, wrote_ago, event_ago, errcode):
    sim_user("o-win", wrote_ago=wrote_ago, event_ago=event_ago)
    assert custom(client, stable(client)["access_token"], "o-win")["errcode"] == errcode


def test_quota_after_an_event_is_three_and_after_a_message_five(client):
    token = stable(client)["access_token"]
    sim_user("o-click", wrote_ago=None, event_ago=timedelta(seconds=5))
    assert [custom(client, token, "o-click")["errcode"] for _ in range(4)] == [0, 0, 0, 45047]
    sim_user("o-wrote", wrote_ago=timedelta(seconds=5))
    assert [custom(client, token, "o-wrote")["errcode"] for _ in range(6)] == [0] * 5 + [45047]


def test_unfollowed_and_unknown_users(client):
    token = stable(client)["access_token"]
    sim_user("o-gone", following=False)
    assert custom(client, token, "o-gone")["errcode"] == 43004
    assert custom(client, token, "o-never-seen")["errcode"] == 40003


def test_qr_ticket_maps_to_its_scene(client):
    token = stable(client)["access_token"]
    body = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "fed:5"}}}
    made = client.post(f"{BASE}/cgi-bin/qrcode/create", query_string={"access_token": token}, json=body).get_json()
    assert "expire_seconds" not in made and made["url"].endswith(made["ticket"])
    assert standin.qrcode_for(made["ticket"]).scene == "fed:5"
    image = client.get(f"{BASE}/cgi-bin/showqrcode", query_string={"ticket": made["ticket"]})
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert client.get(f"{BASE}/cgi-bin/showqrcode", query_string={"ticket": "nope"}).status_code == 404
    long_scene = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "x" * 65}}}
    refused = client.post(f"{BASE}/cgi-bin/qrcode/create", query_string={"access_token": token}, json=long_scene)
    assert refused.get_json()["errcode"] == 47003


def test_oauth_code_is_single_use_and_lives_five_minutes(client):
    client.set_cookie("sim_openid", "o-web")
    response = client.get(f"{BASE}/connect/oauth2/authorize", query_string={
        "appid": "wxtestappid000001", "redirect_uri": "http://gonglian.test/h5/me.html", "response_type": "code",
        "scope": "snsapi_base", "state": "xyz"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("http://gonglian.test/h5/me.html?code=")
    code = response.headers["Location"].split("code=")[1].split("&")[0]
    args = {"appid": "wxtestappid000001", "secret": "test-app-secret", "grant_type": "authorization_code"}
    first = client.get(f"{BASE}/sns/oauth2/access_token", query_string={**args, "code": code}).get_json()
    assert first["openid"] == "o-web"
    again = client.get(f"{BASE}/sns/oauth2/access_token", query_string={**args, "code": code}).get_json()
    assert again["errcode"] == 40163
    old = standin.issue_oauth_code("o-web")
    db.session.execute(update(SimOAuthCode).where(SimOAuthCode.code == old)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(f"{BASE}/sns/oauth2/access_token", query_string={**args, "code": old}).get_json()["errcode"] == 40029


def test_authorize_without_a_chosen_user_explains_in_chinese(client):
    response = client.get(f"{BASE}/connect/oauth2/authorize", query_string={
        "appid": "wxtestappid000001", "redirect_uri": "http://gonglian.test/", "response_type": "code"})
    assert response.status_code == 400 and "手机模拟器" in response.get_data(as_text=True)


def test_faults_are_consumed_then_reset(client):
    sim_user("o-fault")
    token = stable(client)["access_token"]
    client.post(f"{BASE}/_control/faults", json={"endpoint": "message/custom/send", "errcode": -1, "times": 2})
    client.post(f"{BASE}/_control/faults", json={"endpoint": "message/custom/send", "http_status": 502})
    assert custom(client, token, "o-fault")["errcode"] == -1
    assert custom(client, token, "o-fault")["errcode"] == -1
    assert client.post(f"{BASE}/cgi-bin/message/custom/send", query_string={"access_token": token},
                       json={"touser": "o-fault", "msgtype": "text", "text": {"content": "x"}}).status_code == 502
    assert custom(client, token, "o-fault")["errcode"] == 0
    client.post(f"{BASE}/_control/faults", json={"endpoint": "message/custom/send", "errcode": -1, "times": 9})
    client.post(f"{BASE}/_control/reset", json={})
    assert custom(client, token, "o-fault")["errcode"] == 0
    assert client.post(f"{BASE}/_control/faults", json={"endpoint": "x"}).status_code == 400


def test_the_standin_is_not_mounted_without_the_flag(app):
    production = create_app({"WECHAT_SIMULATOR": False, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    rules = [rule.rule for rule in production.url_map.iter_rules()]
    assert not any(rule.startswith("/sim/") for rule in rules)
    assert production.test_client().get("/simulator/").status_code == 404


def test_a_template_message_shows_its_template_labels(app, client):
    """WeChat shows each data key under the label the template gives it (keys it does not know as
    themselves), in the order sent; the phone simulator draws these rows."""
    sim_user("o-tpl-labels")
    token = stable(client)["access_token"]
    body = {"touser": "o-tpl-labels", "template_id": app.config["WECHAT_TEMPLATES"]["application_result"],
            "url": "http://gonglian.test/h5/card.html",
            "data": {"result": {"value": "已通过"}, "member_no": {"value": "GL202600000001"},
                     "extra": {"value": "x"}}}
    answer = client.post(f"{BASE}/cgi-bin/message/template/send", query_string={"access_token": token},
                         data=json.dumps(body), content_type="application/json")  # keeps the key order
    assert answer.get_json()["errcode"] == 0
    [message] = standin.messages_since("o-tpl-labels")
    assert message.payload["title"] == "入会申请结果通知"
    assert message.payload["rows"] == [["申请结果", "已通过"], ["会员编号", "GL202600000001"], ["extra", "x"]]


def test_the_standin_and_the_phone_need_no_csrf_token(app, client):
    """WeChat's API and WeChat's client send no CSRF token: with CSRF on (production, make run),
    the stand-in and /sim/phone still answer."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert stable(client)["access_token"]
        pushed = client.post("/sim/phone/push", json={"openid": "o-csrf", "action": "subscribe"})
        assert pushed.status_code == 200, pushed.get_json()
        assert client.post("/api/auth/login", json={"username": "x", "password": "y"}).status_code == 400  # still on
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

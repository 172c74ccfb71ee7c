"""The outbound adapter against the stand-in served over real HTTP (no mocked requests)."""
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from models.simulator import SimCall, SimMessage
from service.devtools import standin
from service.wechat import client as wechat_client
from service.extensions import db
from service.wechat.client import (
    Delivered, OAuthCodeInvalid, RetryLater, Undeliverable, WeChatApi, WeChatError,
)
from service.wechat.token import DatabaseTokenStore, RedisTokenStore
from tests.factories import sim_user

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def calls(endpoint: str, errcode: int | None = None) -> int:
    query = select(func.count()).select_from(SimCall).where(SimCall.endpoint == endpoint)
    if errcode is not None:
        query = query.where(SimCall.errcode == errcode)
    db.session.rollback()
    return db.session.scalar(query)


def fault(live_server, **body):
    response = requests.post(f"{live_server.api_base}/_control/faults", json=body, timeout=5)
    assert response.status_code == 201, response.text


@pytest.fixture
def redis_prefix(app):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"{app.config['REDIS_PREFIX']}{os.urandom(3).hex()}:"
    yield prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture(params=["database", "redis"])
def store_kind(request, app, redis_prefix):
    """Run the test with the database token store and with the Redis one."""
    saved = app.config["REDIS_URL"], app.config["REDIS_PREFIX"]
    if request.param == "redis":
        app.config["REDIS_URL"], app.config["REDIS_PREFIX"] = REDIS_URL, redis_prefix
    yield request.param
    app.config["REDIS_URL"], app.config["REDIS_PREFIX"] = saved


@pytest.fixture
def wechat(live_server, store_kind):
    return wechat_client.api()


# --- tokens -----------------------------------------------------------------------------------
def test_the_token_is_fetched_once_and_shared(live_server, store_kind, wechat):
    sim_user("o-tok-1")
    assert wechat.send_text("o-tok-1", "一") == Delivered()
    other = wechat_client.api()  # another process would build its own adapter
    assert other.send_text("o-tok-1", "二") == Delivered()
    assert isinstance(wechat.tokens, RedisTokenStore if store_kind == "redis" else DatabaseTokenStore)
    assert calls("stable_token") == 1
    assert calls("message/custom/send", 0) == 2


def test_a_token_that_expires_mid_run_is_refreshed_once(live_server, wechat):
    sim_user("o-tok-2")
    assert wechat.send_text("o-tok-2", "第一条") == Delivered()
    requests.post(f"{live_server.api_base}/_control/expire-tokens", timeout=5)
    assert wechat.send_text("o-tok-2", "第二条") == Delivered()
    assert calls("message/custom/send", 42001) == 1
    assert calls("stable_token") == 2
    assert db.session.scalar(select(func.count()).select_from(SimMessage).where(SimMessage.source == "custom")) == 2


def test_short_lived_tokens_are_renewed_before_use(app, live_server, wechat, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_SIM_TOKEN_TTL", 2)
    sim_user("o-tok-3")
    assert wechat.send_text("o-tok-3", "一") == Delivered()
    time.sleep(2.2)
    assert wechat.send_text("o-tok-3", "二") == Delivered()
    assert calls("stable_token") == 2
    assert calls("message/custom/send", 42001) == 0


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_a_token_refused_every_time_is_retried_exactly_once(live_server, wechat, errcode):
    sim_user("o-tok-4")
    fault(live_server, endpoint="message/custom/send", errcode=errcode, times=50)
    result = wechat.send_text("o-tok-4", "你好")  # wechatpy alone would recurse until RecursionError
    assert isinstance(result, RetryLater)
    assert calls("message/custom/send") == 2


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_two_processes_share_one_refresh(app, live_server, redis_prefix, kind):
    """Two processes ask for the token at the same moment: exactly one asks WeChat."""
    fault(live_server, endpoint="stable_token", delay=1.0, times=5)  # widen the race
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "WECHAT_API_BASE": live_server.api_base, "WECHAT_APPID": app.config["WECHAT_APPID"],
           "WECHAT_SECRET": app.config["WECHAT_SECRET"], "REDIS_PREFIX": redis_prefix, "PYTHONPATH": ROOT}
    env.pop("REDIS_URL", None)
    if kind == "redis":
        env["REDIS_URL"] = REDIS_URL
    start_at = str(time.time() + 2.5)  # both start after their imports, at the same instant
    procs = [subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "token_process.py"), start_at],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), outputs
    tokens = {out.strip().splitlines()[-1] for out, _ in outputs}
    assert len(tokens) == 1
    assert calls("stable_token") == 1


# --- what a send comes back as ------------------------------------------------------------------
@pytest.mark.parametrize("injected, expected", [
    ({"errcode": -1}, RetryLater), ({"http_status": 502}, RetryLater), ({"http_status": 503}, RetryLater),
    ({"delay": 1.5}, RetryLater), ({"errcode": 45009}, RetryLater),
    ({"errcode": 43004}, Undeliverable), ({"errcode": 45015}, Undeliverable), ({"errcode": 45047}, Undeliverable),
])
def test_injected_failures_map_to_their_result(app, live_server, monkeypatch, injected, expected):
    monkeypatch.setitem(app.config, "WECHAT_TIMEOUT", 0.5)
    wechat = wechat_client.api()
    sim_user("o-err")
    wechat.token()  # the token first, so the fault hits the send
    fault(live_server, endpoint="message/custom/send", **injected)
    result = wechat.send_text("o-err", "测试")
    assert isinstance(result, expected), result
    if expected is Undeliverable:
        assert result.errcode == injected["errcode"] and result.reason
    if "delay" in injected:
        assert "超时" in result.reason
        time.sleep(1.2)  # let the slow stand-in finish before the tables are emptied


def test_the_standin_rules_map_to_undeliverable(live_server, wechat):
    sim_user("o-unfollowed", following=False)
    sim_user("o-silent", wrote_ago=timedelta(hours=49))
    sim_user("o-chatty", wrote_ago=timedelta(minutes=5))
    assert wechat.send_text("o-unfollowed", "x") == Undeliverable(43004, "用户未关注公众号")
    assert wechat.send_text("o-silent", "x").errcode == 45015
    assert wechat.send_text("o-nobody", "x").errcode == 40003
    results = [wechat.send_text("o-chatty", f"第{i}条") for i in range(6)]
    assert results[:5] == [Delivered()] * 5
    assert results[5].errcode == 45047


# --- templates, QR codes, menu, media, OAuth ----------------------------------------------------
def test_a_template_resent_with_the_same_client_msg_id_arrives_once(app, live_server, wechat):
    sim_user("o-tpl", wrote_ago=None)
    template_id = app.config["WECHAT_TEMPLATES"]["request_update"]
    data = {"状态": "已受理", "编号": "Q2024-0001"}
    first = wechat.send_template("o-tpl", template_id, data, url="http://gonglian.test/h5/me.html",
                                 client_msg_id="outbox-1")
    second = wechat.send_template("o-tpl", template_id, data, client_msg_id="outbox-1")
    assert isinstance(first, Delivered) and first.msgid and second == first
    rows = db.session.scalars(select(SimMessage).where(SimMessage.openid == "o-tpl")).all()
    assert len(rows) == 1 and rows[0].payload["data"]["状态"] == {"value": "已受理"}
    too_long = wechat.send_template("o-tpl", template_id, {"内容": "长" * 21})
    assert too_long.errcode == 47003
    assert wechat.send_template("o-tpl", "no-such-template", data).errcode == 40037


def test_qrcode_create_and_image(live_server, wechat):
    ticket, url = wechat.create_qrcode("fed:42")
    assert wechat.create_qrcode("fed:42") == (ticket, url)  # permanent: one per scene
    image_url = wechat.qrcode_image_url(ticket)
    assert image_url.startswith(live_server.api_base + "/cgi-bin/showqrcode?ticket=")
    image = requests.get(image_url, timeout=5)
    assert image.headers["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    assert requests.get(url, timeout=5).json()["scene"] == "fed:42"
    temporary, _ = wechat.create_qrcode("contest:7", permanent=False, expire_seconds=600)
    assert temporary != ticket


def test_menu_and_media(live_server, wechat):
    from service.wechat.menu import MENU

    assert wechat.create_menu(MENU)["errcode"] == 0
    assert standin.current_menu() == MENU
    four = {"button": [{"type": "click", "name": n, "key": n} for n in "ABCD"]}
    with pytest.raises(WeChatError) as error:
        wechat.create_menu(four)
    assert error.value.errcode == 40016
    media = standin.store_media(b"\x89PNG fake", "image/png", "o-media")
    db.session.commit()
    assert wechat.download_media(media.media_id) == (b"\x89PNG fake", "image/png")
    with pytest.raises(WeChatError) as error:
        wechat.download_media("missing")
    assert error.value.errcode == 40007


def test_oauth_code_is_single_use(live_server, wechat):
    session = requests.Session()
    session.cookies.set("sim_openid", "o-oauth")
    authorize = wechat.oauth_authorize_url("http://gonglian.test/h5/join.html?fed=3", "abc123")
    assert authorize.startswith(live_server.api_base + "/connect/oauth2/authorize?appid=")
    assert authorize.endswith("#wechat_redirect")
    response = session.get(authorize, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    location = requests.utils.urlparse(response.headers["Location"])
    assert location.netloc == "gonglian.test" and "fed=3" in location.query and "state=abc123" in location.query
    code = dict(p.split("=", 1) for p in location.query.split("&"))["code"]
    assert wechat.fetch_oauth_openid(code) == "o-oauth"
    with pytest.raises(OAuthCodeInvalid) as used:
        wechat.fetch_oauth_openid(code)
    assert used.value.errcode == 40163 and used.value.status == 400
    with pytest.raises(OAuthCodeInvalid) as unknown:
        wechat.fetch_oauth_openid("no-such-code")
    assert unknown.value.errcode == 40029


@pytest.mark.parametrize("base, override, expected", [
    ("https://api.weixin.qq.com", None, "https://open.weixin.qq.com/connect/oauth2/authorize?"),
    ("http://127.0.0.1:8000/sim/wechat", None, "http://127.0.0.1:8000/sim/wechat/connect/oauth2/authorize?"),
    ("https://api.weixin.qq.com", "https://oauth.example.test", "https://oauth.example.test/connect/oauth2/authorize?"),
])
def test_the_authorize_url_host_is_derived_from_the_api_base(base, override, expected):
    api = WeChatApi(appid="wx1", secret="s", api_base=base, timeout=1, token_store=None, oauth_base=override)
    assert api.oauth_authorize_url("https://h5.test/a?b=1", "s1").startswith(expected)
    if base == "https://api.weixin.qq.com":
        assert api.qrcode_image_url("t").startswith("https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=")


def test_a_network_error_is_retry_later(app):
    api = WeChatApi(appid="wx1", secret="s", api_base="http://127.0.0.1:9/sim/wechat", timeout=1,
                    token_store=DatabaseTokenStore("wx1", 1))
    result = api.send_text("o-any", "x")
    assert isinstance(result, RetryLater)
    with pytest.raises(WeChatError) as error:
        api.create_qrcode("fed:1")
    assert error.value.retryable

"""WeChat OAuth for the H5 pages: the state check, the one code exchange, safe redirects.
The two adapter functions are monkeypatched; the real round trip through the stand-in is
tested after the stand-in branch is merged."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from handlers import h5_auth
from service.wechat import client as wechat_client


@pytest.fixture
def oauth(monkeypatch):
    calls = {"authorize": [], "exchange": []}

    def authorize(redirect_uri, state):
        calls["authorize"].append((redirect_uri, state))
        return f"https://wechat.test/connect/oauth2/authorize?redirect_uri={redirect_uri}&state={state}"

    def exchange(code):
        calls["exchange"].append(code)
        if code != "good-code":
            raise RuntimeError("40029 invalid code")
        return "o-from-oauth"

    monkeypatch.setattr(wechat_client, "oauth_authorize_url", authorize)
    monkeypatch.setattr(wechat_client, "fetch_oauth_openid", exchange)
    return calls


def start(client, next_path="/h5/join.html?fed=3"):
    response = client.get("/h5/auth/start", query_string={"next": next_path})
    assert response.status_code == 302
    return response


def test_start_stores_a_random_state_and_redirects_to_wechat(client, oauth):
    response = start(client)
    redirect_uri, state = oauth["authorize"][0]
    assert redirect_uri == "http://gonglian.test/h5/auth/callback"
    assert re.fullmatch(r"[A-Za-z0-9]{1,128}", state)
    assert response.headers["Location"].startswith("https://wechat.test/connect/oauth2/authorize")
    with client.session_transaction() as session:
        assert session[h5_auth.STATE_KEY] == {state: "/h5/join.html?fed=3"}
    start(client)
    assert oauth["authorize"][1][1] != state  # a new state every time


def test_callback_sets_the_openid_and_returns_to_the_page(client, oauth):
    start(client)
    state = oauth["authorize"][0][1]
    response = client.get("/h5/auth/callback", query_string={"code": "good-code", "state": state})
    assert response.status_code == 302 and response.headers["Location"] == "/h5/join.html?fed=3"
    assert oauth["exchange"] == ["good-code"]
    with client.session_transaction() as session:
        assert session["openid"] == "o-from-oauth"
        assert state not in session[h5_auth.STATE_KEY]
    assert client.get("/api/join/context").status_code == 200


def test_a_state_is_good_for_one_callback_only(client, oauth):
    start(client)
    state = oauth["authorize"][0][1]
    client.get("/h5/auth/callback", query_string={"code": "good-code", "state": state})
    replay = client.get("/h5/auth/callback", query_string={"code": "good-code", "state": state})
    assert replay.status_code == 400 and "授权已失效" in replay.get_data(as_text=True)
    assert oauth["exchange"] == ["good-code"]


@pytest.mark.parametrize("state", ["", "forged", "A" * 32])
def test_an_unknown_state_is_refused_without_exchanging_the_code(client, oauth, state):
    start(client)
    response = client.get("/h5/auth/callback", query_string={"code": "good-code", "state": state})
    assert response.status_code == 400
    assert oauth["exchange"] == []
    with client.session_transaction() as session:
        assert "openid" not in session


def test_a_state_from_another_browser_is_refused(app, oauth):
    first, second = app.test_client(), app.test_client()
    start(first)
    state = oauth["authorize"][0][1]
    response = second.get("/h5/auth/callback", query_string={"code": "good-code", "state": state})
    assert response.status_code == 400 and oauth["exchange"] == []


def test_an_invalid_or_used_code_offers_to_start_again(client, oauth):
    start(client)
    state = oauth["authorize"][0][1]
    response = client.get("/h5/auth/callback", query_string={"code": "used-code", "state": state})
    assert response.status_code == 502
    body = response.get_data(as_text=True)
    assert "微信授权失败" in body and "/h5/auth/start?next=/h5/join.html%3Ffed%3D3" in body
    with client.session_transaction() as session:
        assert "openid" not in session


def test_a_missing_code_is_refused(client, oauth):
    start(client)
    response = client.get("/h5/auth/callback", query_string={"state": oauth["authorize"][0][1]})
    assert response.status_code == 400 and oauth["exchange"] == []


@pytest.mark.parametrize("next_path", [
    "https://evil.example/h5/join.html", "//evil.example/h5/", "/\\evil.example", "/console/inbox.html",
    "javascript:alert(1)", "/h5/auth/start?next=/h5/", "/h5/../console/", "", "h5/join.html",
    "/h5/join.html\r\nSet-Cookie: x=1",
])
def test_next_must_be_a_same_site_h5_path(client, oauth, next_path):
    start(client, next_path)
    state = oauth["authorize"][0][1]
    response = client.get("/h5/auth/callback", query_string={"code": "good-code", "state": state})
    assert response.headers["Location"] == h5_auth.DEFAULT_NEXT


@pytest.mark.parametrize("next_path", ["/h5/card.html", "/h5/join.html?fed=3", "/h5/verify.html?t=abc.def"])
def test_h5_paths_are_kept(next_path):
    assert h5_auth.safe_next(next_path) == next_path


def test_only_a_few_pending_states_are_kept(client, oauth):
    for _ in range(h5_auth.MAX_PENDING + 3):
        start(client)
    with client.session_transaction() as session:
        pending = session[h5_auth.STATE_KEY]
    assert len(pending) == h5_auth.MAX_PENDING
    assert oauth["authorize"][-1][1] in pending


def test_the_session_cookie_is_httponly_and_samesite_lax(client, oauth):
    response = start(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_adapter_builds_the_dev_authorize_url_from_the_api_base(app):
    url = wechat_client.oauth_authorize_url("http://gonglian.test/h5/auth/callback", "abc123")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://127.0.0.1:9/sim/wechat/connect/oauth2/authorize"
    query = parse_qs(parts.query)
    assert query["appid"] == ["wxtestappid000001"] and query["scope"] == ["snsapi_base"]
    assert query["state"] == ["abc123"] and query["redirect_uri"] == ["http://gonglian.test/h5/auth/callback"]
    assert url.endswith("#wechat_redirect")


def test_adapter_uses_open_weixin_in_production(app):
    saved = app.config["WECHAT_API_BASE"]
    app.config["WECHAT_API_BASE"] = "https://api.weixin.qq.com"
    try:
        url = wechat_client.oauth_authorize_url("https://gl.example/h5/auth/callback", "s1")
    finally:
        app.config["WECHAT_API_BASE"] = saved
    assert url.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?appid=")


def test_adapter_exchange_raises_when_nothing_answers(app):
    app.config["WECHAT_TIMEOUT"], saved = 0.5, app.config["WECHAT_TIMEOUT"]
    try:
        with pytest.raises(Exception):
            wechat_client.fetch_oauth_openid("any-code")  # port 9: nothing listens
    finally:
        app.config["WECHAT_TIMEOUT"] = saved


@pytest.fixture
def fake_wechat(app):
    """A tiny HTTP server answering sns/oauth2/access_token like WeChat (one use per code)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    codes = {"c-1": "o-real"}
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            query = parse_qs(urlsplit(self.path).query)
            seen.append((urlsplit(self.path).path, query))
            openid = codes.pop(query.get("code", [""])[0], None)
            body = ({"access_token": "AT", "expires_in": 7200, "refresh_token": "RT", "openid": openid,
                     "scope": "snsapi_base"} if openid else {"errcode": 40163, "errmsg": "code been used"})
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = app.config["WECHAT_API_BASE"]
    app.config["WECHAT_API_BASE"] = f"http://127.0.0.1:{server.server_port}/sim/wechat"
    yield seen
    app.config["WECHAT_API_BASE"] = saved
    server.shutdown()
    server.server_close()


def test_adapter_exchanges_a_code_once(app, fake_wechat):
    assert wechat_client.fetch_oauth_openid("c-1") == "o-real"
    path, query = fake_wechat[0]
    assert path == "/sim/wechat/sns/oauth2/access_token"
    assert query["appid"] == ["wxtestappid000001"] and query["secret"] == ["test-app-secret"]
    assert query["grant_type"] == ["authorization_code"]
    with pytest.raises(Exception):
        wechat_client.fetch_oauth_openid("c-1")  # used

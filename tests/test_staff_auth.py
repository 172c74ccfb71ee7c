"""Staff login, throttling, CSRF and the scope rule (a node sees itself and what is beneath it)."""
import pytest

from service.staff import scope
from service.extensions import db
from tests.conftest import login
from tests.factories import make_staff


def test_login_returns_the_staff_and_a_csrf_token(client, tree):
    account = make_staff(tree["courier"], username="zhang")
    body = login(client, account).get("/api/auth/session").get_json()
    assert body["staff"]["username"] == "zhang"
    assert body["staff"]["federation_name"] == "石家庄市长安区快递行业工会联合会"
    assert body["csrf_token"]


def test_wrong_password_is_401_in_chinese(client, tree):
    make_staff(tree["courier"], username="li")
    response = client.post("/api/auth/login", json={"username": "li", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "用户名或密码错误"


def test_unknown_user_is_the_same_401(client):
    response = client.post("/api/auth/login", json={"username": "ghost", "password": "whatever1"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "bad_credentials"


def test_five_failures_from_one_address_throttle_that_address_only(client, tree):
    make_staff(tree["courier"], username="wang")
    guesser = {"REMOTE_ADDR": "10.0.0.66"}
    for _ in range(5):
        client.post("/api/auth/login", json={"username": "wang", "password": "nope-nope"}, environ_base=guesser)
    response = client.post("/api/auth/login", json={"username": "wang", "password": "password123"},
                           environ_base=guesser)
    assert response.status_code == 429
    assert response.get_json() == {"error": {"code": "rate_limited", "message": "登录失败次数过多，请15分钟后再试"}}
    assert int(response.headers["Retry-After"]) > 0
    owner = client.application.test_client()
    assert owner.post("/api/auth/login", json={"username": "wang", "password": "password123"},
                      environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 200


def test_missing_fields_are_422_with_field_messages(client):
    response = client.post("/api/auth/login", json={"username": "x"})
    assert response.status_code == 422
    assert "password" in response.get_json()["error"]["fields"]


def test_csrf_token_is_required_for_changes_when_enabled(app, client, tree):
    account = make_staff(tree["courier"], username="zhao")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        token = client.get("/api/auth/session").get_json()["csrf_token"]
        refused = client.post("/api/auth/login", json={"username": "zhao", "password": "password123"})
        assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
        accepted = client.post("/api/auth/login", json={"username": "zhao", "password": "password123"},
                               headers={"X-CSRF-Token": token})
        assert accepted.status_code == 200, accepted.get_json()
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert account.id


def test_the_wechat_callback_needs_no_csrf_token(app, wechat):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert wechat.send_text("o-csrf", "入会").status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize(
    "home, visible",
    [
        ("city", {"city", "changan", "yuhua", "courier", "trucks"}),
        ("changan", {"changan", "courier"}),
        ("courier", {"courier"}),
        ("trucks", {"trucks"}),
    ],
)
def test_scope_is_the_node_and_everything_beneath_it(tree, home, visible):
    account = make_staff(tree[home])
    assert scope.scope_ids(account) == {tree[name].id for name in visible}
    for name, node in tree.items():
        assert scope.can_see(account, node.id) is (name in visible)


def test_cli_creates_staff(runner, tree):
    result = runner.invoke(args=["staff", "create", "--username", "admin1", "--password", "longpassword",
                                 "--federation", str(tree["city"].id), "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "admin1" in result.output
    short = runner.invoke(args=["staff", "create", "--username", "admin2", "--password", "short",
                                "--federation", str(tree["city"].id)])
    assert short.exit_code != 0 and "密码至少" in short.output
    db.session.rollback()

"""Staff sessions end when they should: logout, a password change or reset, a working day without a
request; login throttling that cannot lock the owner out; admin rights that need the level above."""
import time

import pytest
from werkzeug.security import check_password_hash

from service.staff import accounts as staff_service
from tests.conftest import login
from tests.factories import make_request, make_staff, make_worker


@pytest.fixture
def tree(tree):
    """The shared tree, with coverage so that help requests route to the courier federation."""
    from tests.factories import cover

    cover(tree["courier"], "130102", "G602")
    return tree


def _saved_cookie(client) -> str:
    return client.get_cookie("session").value


def _with_cookie(app, value):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def _can_write_a_note(client, request_id) -> int:
    return client.post(f"/api/inbox/requests/{request_id}/note", json={"body": "备注"}).status_code


def test_logout_ends_every_session_of_the_account_even_a_saved_cookie(app, client, tree):
    request = make_request(make_worker("o-s1"))
    staff = make_staff(tree["courier"], username="sess1")
    login(client, staff)
    saved = _saved_cookie(client)  # what an attacker copied before the logout
    laptop = login(app.test_client(), staff)
    assert _can_write_a_note(_with_cookie(app, saved), request.id) == 200
    assert client.post("/api/auth/logout").status_code == 204
    assert _can_write_a_note(_with_cookie(app, saved), request.id) == 401
    assert _can_write_a_note(laptop, request.id) == 401
    assert login(app.test_client(), staff).get("/api/inbox").status_code == 200  # logging in again works


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, client, tree):
    request = make_request(make_worker("o-s2"))
    staff = make_staff(tree["courier"], username="sess2")
    stolen = _saved_cookie(login(app.test_client(), staff))
    login(client, staff)
    wrong = client.post("/api/auth/password", json={"current_password": "not-it-1", "password": "another-pass"})
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["error"]["fields"]
    assert _can_write_a_note(_with_cookie(app, stolen), request.id) == 200  # a failed change ends nothing
    changed = client.post("/api/auth/password", json={"current_password": "password123", "password": "another-pass"})
    assert changed.status_code == 204, changed.get_json()
    assert _can_write_a_note(client, request.id) == 200
    assert _can_write_a_note(_with_cookie(app, stolen), request.id) == 401
    assert app.test_client().post("/api/auth/login", json={"username": "sess2", "password": "password123"}).status_code == 401


def test_a_password_reset_by_an_admin_ends_the_colleagues_sessions(app, client, tree):
    request = make_request(make_worker("o-s3"))
    colleague = make_staff(tree["courier"], username="sess3")
    stolen = _saved_cookie(login(app.test_client(), colleague))
    login(client, make_staff(tree["changan"], role="admin", username="sess-admin"))
    assert client.post(f"/api/staff/{colleague.id}/password", json={"password": "reset-pass-1"}).status_code == 200
    assert _can_write_a_note(_with_cookie(app, stolen), request.id) == 401


def test_a_session_expires_after_a_working_day_without_a_request(app, client, tree, monkeypatch):
    import itsdangerous.timed as timed

    staff = make_staff(tree["courier"], username="sess4")
    login(client, staff)
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600
    assert "Expires=" in client.post("/api/auth/login", json={"username": "sess4", "password": "password123"}
                                     ).headers["Set-Cookie"]
    now = time.time()
    monkeypatch.setattr(timed.time, "time", lambda: now + 7 * 3600)
    assert client.get("/api/inbox").status_code == 200  # within the day: the request renews the session
    monkeypatch.setattr(timed.time, "time", lambda: now + 14 * 3600)
    assert client.get("/api/inbox").status_code == 200  # 7 h after the last request
    monkeypatch.setattr(timed.time, "time", lambda: now + 23 * 3600)
    assert client.get("/api/inbox").status_code == 401  # 9 h idle


# --- login throttling -----------------------------------------------------------------------------------
def _attempt(client, username, password, address):
    return client.post("/api/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_someone_elses_guessing_never_keeps_the_owner_out(app, client, tree):
    make_staff(tree["courier"], username="target")
    for n in range(40):  # a guesser rotating through many addresses
        _attempt(client, "target", f"guess-{n}", f"10.9.{n // 5}.{n % 5}")
    owner = app.test_client()
    assert _attempt(owner, "target", "password123", "10.0.0.7").status_code == 200
    assert _attempt(owner, "target", "wrong-once", "10.0.0.7").status_code == 401  # a slip of the owner
    assert _attempt(owner, "target", "password123", "10.0.0.7").status_code == 200


def test_one_address_spraying_many_accounts_is_throttled(client, tree):
    for n in range(30):
        assert _attempt(client, f"user{n}", "guess-it", "10.8.0.1").status_code == 401
    refused = _attempt(client, "user99", "guess-it", "10.8.0.1")
    assert refused.status_code == 429 and refused.get_json()["error"]["message"] == "登录失败次数过多，请15分钟后再试"
    assert _attempt(client, "user99", "guess-it", "10.8.0.2").status_code == 401  # another address is not


def test_successful_logins_are_not_counted(app, tree):
    staff = make_staff(tree["courier"], username="busy")
    for _ in range(12):
        assert _attempt(app.test_client(), "busy", "password123", "10.7.0.1").status_code == 200
    assert staff.id


def test_an_unknown_username_costs_one_hash_check_and_answers_like_a_wrong_password(client, tree, monkeypatch):
    make_staff(tree["courier"], username="known")
    checks = []

    def counting(hash_, password):
        checks.append(hash_)
        return check_password_hash(hash_, password)

    monkeypatch.setattr(staff_service, "check_password_hash", counting)
    unknown = _attempt(client, "nobody-here", "whatever1", "10.6.0.1")
    wrong = _attempt(client, "known", "whatever1", "10.6.0.2")
    assert len(checks) == 2 and checks[0] != checks[1]  # one real check each, the unknown one on a dummy hash
    assert (unknown.status_code, unknown.get_json()) == (wrong.status_code, wrong.get_json())
    assert unknown.get_json()["error"] == {"code": "bad_credentials", "message": "用户名或密码错误"}


# --- rights that take the level above ------------------------------------------------------------------
def test_an_admin_cannot_grant_themselves_or_a_peer_the_full_id_view(client, tree):
    admin = make_staff(tree["courier"], role="admin", username="self-granter")
    peer = make_staff(tree["courier"], role="admin", username="peer-admin")
    caseworker = make_staff(tree["courier"], username="own-caseworker")
    login(client, admin)
    for target in (admin, peer, caseworker):
        refused = client.patch(f"/api/staff/{target.id}", json={"may_view_id": True})
        assert refused.status_code == 403, refused.get_json()
        assert "上级工会" in refused.get_json()["error"]["message"]
    created = client.post("/api/staff", json={"username": "sock-puppet", "password": "password123",
                                              "federation_id": tree["courier"].id, "may_view_id": True})
    assert created.status_code == 403
    upper = login(client.application.test_client(), make_staff(tree["changan"], role="admin", username="upper-admin"))
    granted = upper.patch(f"/api/staff/{caseworker.id}", json={"may_view_id": True})
    assert granted.status_code == 200 and granted.get_json()["may_view_id"] is True
    assert client.patch(f"/api/staff/{caseworker.id}", json={"may_view_id": False}).get_json()["may_view_id"] is False


def test_an_admin_cannot_reset_a_peer_admins_password(client, tree):
    admin = make_staff(tree["courier"], role="admin", username="reset-a")
    peer = make_staff(tree["courier"], role="admin", username="reset-b")
    caseworker = make_staff(tree["courier"], username="reset-c")
    login(client, admin)
    assert client.post(f"/api/staff/{peer.id}/password", json={"password": "taken-over1"}).status_code == 403
    assert client.post(f"/api/staff/{admin.id}/password", json={"password": "taken-over1"}).status_code == 409
    assert client.post(f"/api/staff/{caseworker.id}/password", json={"password": "new-pass-12"}).status_code == 200
    upper = login(client.application.test_client(), make_staff(tree["changan"], role="admin", username="reset-up"))
    assert upper.post(f"/api/staff/{peer.id}/password", json={"password": "new-pass-12"}).status_code == 200


# --- worker-facing writes -------------------------------------------------------------------------------
def test_help_requests_are_rate_limited_per_worker(client, tree):
    from tests.conftest import as_worker
    from tests.factories import help_payload

    as_worker(client, "o-flood")
    codes = [client.post("/api/requests", json=help_payload()).status_code for _ in range(11)]
    assert codes == [201] * 10 + [429]
    assert client.post("/api/requests", json=help_payload()).get_json()["error"]["code"] == "rate_limited"
    as_worker(client, "o-someone-else")
    assert client.post("/api/requests", json=help_payload()).status_code == 201


def test_routing_previews_are_rate_limited_per_address(client):
    codes = [client.get("/api/routing/preview", query_string={"region": "130102", "industry": "G6020",
                                                               "type": "wage_arrears"}).status_code
             for _ in range(61)]
    assert codes[:60] == [codes[0]] * 60 and codes[0] != 429 and codes[60] == 429

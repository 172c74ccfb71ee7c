"""Every staff endpoint is scoped and role-checked: a matrix of role × where the caller sits in
the union tree × endpoint. Out of scope or a guessed id → 404 (existence is not revealed);
a role without the right → 403; CSRF is enforced on console changes when enabled."""
import io

import pytest
from PIL import Image
from sqlalchemy import select

from models.request import CannedReply
from service.help_requests import casework
from service.extensions import db
from tests.conftest import as_worker, login
from tests.factories import (cover, help_payload, make_federation, make_request,  # noqa: F401
                             make_staff, make_upper, make_worker)

ALL = ("admin", "chair", "caseworker")
MANAGERS = ("admin", "chair")
ADMIN = ("admin",)


@pytest.fixture
def tree():
    city = make_upper("石家庄市总工会", level="city", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    yuhua = make_upper("石家庄市裕华区总工会", region="130108", parent=city)
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=changan), "130102", "G602")
    trucks = make_federation("石家庄市裕华区货车司机行业工会联合会", region="130108", industry="G543", parent=yuhua)
    return {"city": city, "changan": changan, "yuhua": yuhua, "courier": courier, "trucks": trucks}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="PNG")
    return out.getvalue()


def prepare(tree, status: str):
    """A request in the courier federation in `status`, a colleague there, a canned reply, an image."""
    from service.help_requests import attachments

    colleague = make_staff(tree["courier"], username="colleague")
    request = make_request(make_worker("o-perm"), type="wage_arrears")
    attachment = attachments.add_upload(request.worker, request.id, "a.png", png())
    chair = make_staff(tree["courier"], role="chair", username="setup-chair")
    if status in ("in_progress", "awaiting_worker", "resolved"):
        casework.claim(chair, request.id)
    if status == "awaiting_worker":
        casework.ask_info(chair, request.id, "请补充")
    if status == "resolved":
        casework.resolve(chair, request.id, {"result": "resolved", "summary": "已解决", "amount_recovered": "15000", "workers_covered": 1})
    canned = CannedReply(federation_id=tree["courier"].id, title="模板", body="内容")
    db.session.add(canned)
    db.session.commit()
    return {"request": request.id, "attachment": attachment.id, "colleague": colleague.id, "canned": canned.id,
            "trucks": tree["trucks"].id}


# (name, method, path, body, roles allowed, status the request must be in, success code)
ENDPOINTS = [
    ("detail", "GET", "/api/inbox/requests/{request}", None, ALL, "new", 200),
    ("attachment", "GET", "/api/inbox/requests/{request}/attachments/{attachment}", None, ALL, "new", 200),
    ("claim", "POST", "/api/inbox/requests/{request}/claim", None, ALL, "new", 200),
    ("assign", "POST", "/api/inbox/requests/{request}/assign", {"assignee_id": "{colleague}"}, MANAGERS, "new", 200),
    ("bulk-assign", "POST", "/api/inbox/bulk-assign", {"request_ids": ["{request}"], "assignee_id": "{colleague}"},
     MANAGERS, "new", 200),
    ("reply", "POST", "/api/inbox/requests/{request}/reply", {"body": "您好"}, ALL, "new", 200),
    ("note", "POST", "/api/inbox/requests/{request}/note", {"body": "内部"}, ALL, "new", 200),
    ("ask-info", "POST", "/api/inbox/requests/{request}/ask-info", {"body": "请补充"}, ALL, "in_progress", 200),
    ("resume", "POST", "/api/inbox/requests/{request}/resume", None, ALL, "awaiting_worker", 200),
    ("resolve", "POST", "/api/inbox/requests/{request}/resolve", {"result": "resolved", "summary": "已解决", "amount_recovered": "15000", "workers_covered": 1},
     ALL, "in_progress", 200),
    ("reopen", "POST", "/api/inbox/requests/{request}/reopen", {"reason": "复核"}, MANAGERS, "resolved", 200),
    ("close", "POST", "/api/inbox/requests/{request}/close", None, ALL, "resolved", 200),
    ("transfer", "POST", "/api/inbox/requests/{request}/transfer", {"to_federation_id": "{trucks}", "reason": "属对方"},
     ALL, "new", 200),
    ("escalate", "POST", "/api/inbox/requests/{request}/escalate", {"reason": "需上级协调"}, ALL, "new", 200),
    ("canned-list", "GET", "/api/canned-replies?federation_id={courier}", None, ALL, "new", 200),
    ("canned-update", "PUT", "/api/canned-replies/{canned}", {"title": "模板", "body": "新内容"}, MANAGERS, "new", 200),
    ("canned-delete", "DELETE", "/api/canned-replies/{canned}", None, MANAGERS, "new", 204),
    ("inbox-federation", "GET", "/api/inbox?federation_id={courier}", None, ALL, "new", 200),
    ("staff-update", "PATCH", "/api/staff/{colleague}", {"display_name": "新名字"}, ADMIN, "new", 200),
    ("staff-password", "POST", "/api/staff/{colleague}/password", {"password": "newpassword1"}, ADMIN, "new", 200),
    ("staff-deactivate", "POST", "/api/staff/{colleague}/deactivate", None, ADMIN, "new", 200),
    ("staff-activate", "POST", "/api/staff/{colleague}/activate", None, ADMIN, "new", 200),
]
# where the caller sits: the federation itself, the county union above it, a sibling branch; or
# the federation itself guessing ids that do not exist
PLACES = {"own": "courier", "above": "changan", "sibling": "yuhua", "guessed": "courier"}
GUESS = 100000


def fill(template, ids, guessed: bool):
    if isinstance(template, str):
        for key, value in ids.items():
            if f"{{{key}}}" in template:
                bump = GUESS if guessed and key not in ("courier", "trucks", "colleague") else 0
                if template == f"{{{key}}}":
                    return value + bump
                template = template.replace(f"{{{key}}}", str(value + bump))
        return template
    if isinstance(template, list):
        return [fill(item, ids, guessed) for item in template]
    if isinstance(template, dict):
        return {k: fill(v, ids, guessed) for k, v in template.items()}
    return template


CASES = [(e, role, place) for e in ENDPOINTS for role in ALL for place in PLACES]


@pytest.mark.parametrize("endpoint, role, place", CASES,
                         ids=[f"{e[0]}-{r}-{p}" for e, r, p in CASES])
def test_permission_matrix(client, tree, endpoint, role, place):
    name, method, path, body, roles, status, success = endpoint
    ids = prepare(tree, status) | {"courier": tree["courier"].id}
    guessed = place == "guessed"
    if guessed and name in ("canned-list", "inbox-federation"):
        ids["courier"] += GUESS
    if guessed and name.startswith("staff-"):
        ids["colleague"] += GUESS
    caller = make_staff(tree[PLACES[place]], role=role, username=f"caller-{role}")
    login(client, caller)
    response = client.open(fill(path, ids, guessed), method=method, json=fill(body, ids, guessed))
    if role not in roles:
        expected = 403
    elif place in ("sibling", "guessed"):
        expected = 404
    else:
        expected = success
    assert response.status_code == expected, (response.status_code, response.get_json() if response.is_json else None)
    if expected >= 400:
        assert response.get_json()["error"]["code"] in ("forbidden", "not_found")


@pytest.mark.parametrize("path", ["/api/inbox", "/api/inbox/export.csv", "/api/inbox/assignees", "/api/inbox/federations",
                                  "/api/staff", "/api/my-federation"])
def test_lists_show_only_what_is_in_scope(client, tree, path):
    ids = prepare(tree, "new")
    outsider = make_staff(tree["yuhua"], role="admin", username="outsider")
    login(client, outsider)
    response = client.get(path, buffered=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "快递" not in text and "colleague" not in text
    if path == "/api/inbox/federations":
        assert {n["name"] for n in response.get_json()} == {"石家庄市裕华区总工会", "石家庄市裕华区货车司机行业工会联合会"}
    assert ids["request"]


@pytest.mark.parametrize("path", ["/api/inbox", "/api/inbox/requests/1", "/api/staff", "/api/canned-replies",
                                  "/api/my-federation"])
def test_every_staff_endpoint_needs_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_a_worker_session_is_not_a_staff_session(client, tree):
    ids = prepare(tree, "new")
    as_worker(client, "o-perm")
    assert client.get(f"/api/inbox/requests/{ids['request']}").status_code == 401


def test_csrf_is_enforced_on_console_and_worker_changes(app, client, tree):
    ids = prepare(tree, "new")
    staff = make_staff(tree["courier"], username="csrf-staff")
    login(client, staff)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        token = client.get("/api/auth/session").get_json()["csrf_token"]
        refused = client.post(f"/api/inbox/requests/{ids['request']}/note", json={"body": "无令牌"})
        assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
        wrong = client.post(f"/api/inbox/requests/{ids['request']}/note", json={"body": "错令牌"},
                            headers={"X-CSRF-Token": "forged"})
        assert wrong.status_code == 400
        accepted = client.post(f"/api/inbox/requests/{ids['request']}/note", json={"body": "有令牌"},
                               headers={"X-CSRF-Token": token})
        assert accepted.status_code == 200, accepted.get_json()
        assert client.get("/api/inbox").status_code == 200  # reads need no token
        as_worker(client, "o-perm")
        worker_token = client.get("/api/auth/session").get_json()["csrf_token"]
        assert client.post("/api/requests", json=help_payload()).status_code == 400
        assert client.post("/api/requests", json=help_payload(), headers={"X-CSRF-Token": worker_token}).status_code == 201
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_deactivation_ends_the_session_and_blocks_login(client, tree):
    admin = make_staff(tree["changan"], role="admin", username="boss")
    victim = make_staff(tree["courier"], username="leaver")
    other = client.application.test_client()
    login(other, victim)
    assert other.get("/api/inbox").status_code == 200
    login(client, admin)
    assert client.post(f"/api/staff/{victim.id}/deactivate").get_json()["active"] is False
    assert other.get("/api/inbox").status_code == 401
    refused = other.post("/api/auth/login", json={"username": "leaver", "password": "password123"})
    assert refused.status_code == 401
    assert client.post(f"/api/staff/{admin.id}/deactivate").status_code == 409  # not oneself


def test_reset_password_sets_a_new_password(client, tree):
    admin = make_staff(tree["changan"], role="admin", username="boss2")
    target = make_staff(tree["courier"], username="forgetful").id
    login(client, admin)
    assert client.post(f"/api/staff/{target}/password", json={"password": "short"}).status_code == 422
    assert client.post(f"/api/staff/{target}/password", json={"password": "brand-new-pass"}).status_code == 200
    fresh = client.application.test_client()
    assert fresh.post("/api/auth/login", json={"username": "forgetful", "password": "password123"}).status_code == 401
    assert fresh.post("/api/auth/login", json={"username": "forgetful", "password": "brand-new-pass"}).status_code == 200


def test_admins_create_staff_in_their_scope_only(client, tree):
    admin = make_staff(tree["changan"], role="admin", username="county-admin")
    login(client, admin)
    created = client.post("/api/staff", json={"username": "newbie", "password": "password123", "display_name": "新人",
                                              "federation_id": tree["courier"].id, "role": "caseworker"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["federation_name"] == "石家庄市长安区快递行业工会联合会"
    outside = client.post("/api/staff", json={"username": "spy", "password": "password123",
                                              "federation_id": tree["trucks"].id})
    assert outside.status_code == 404
    above = client.post("/api/staff", json={"username": "up", "password": "password123", "federation_id": tree["city"].id})
    assert above.status_code == 404
    assert client.post("/api/staff", json={"username": "newbie", "password": "password123",
                                           "federation_id": tree["courier"].id}).status_code == 409
    assert client.patch(f"/api/staff/{admin.id}", json={"role": "caseworker"}).status_code == 409
    changed = client.patch(f"/api/staff/{created.get_json()['id']}", json={"role": "chair"})
    assert changed.get_json()["role"] == "chair"
    assert [s["username"] for s in client.get("/api/staff").get_json()] == ["county-admin", "newbie"]


def test_federation_profile_and_poster_link(client, tree):
    staff = make_staff(tree["courier"], username="profile")
    body = login(client, staff).get("/api/my-federation").get_json()
    assert body["name"] == "石家庄市长安区快递行业工会联合会"
    assert body["poster_url"] == f"/api/federations/{tree['courier'].id}/poster.png"
    assert body["coverage"] == [{"region_prefix": "130102", "region_name": "河北省石家庄市长安区", "industry_prefix": "G602"}]
    assert body["parent_name"] == "石家庄市长安区总工会"


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("status", ["new", "in_progress", "awaiting_worker", "resolved"])
def test_the_detail_offers_only_actions_the_role_may_take(client, tree, role, status):
    """A button the console shows must not answer 403 (a caseworker was offered 重新办理)."""
    ids = prepare(tree, status)
    login(client, make_staff(tree["courier"], role=role, username=f"caller-{role}"))
    offered = client.get(f"/api/inbox/requests/{ids['request']}").get_json()["actions"]
    allowed = {name.replace("-", "_"): roles for name, _, _, _, roles, _, _ in ENDPOINTS}
    assert [a for a in offered if a in allowed and role not in allowed[a]] == []


# --- the contest roster's "add a person": a lookup limited to the caller's scope ----------------------
def _people(tree):
    """A member of the trucks federation (yuhua branch), a worker known to the courier federation only
    through a help request, and a worker unknown to anyone."""
    from tests.factories import make_contest, make_member

    outsider = make_member(tree["trucks"], member_no="M000000901")
    helped = make_request(make_worker("o-helped", phone="13700000002"), type="wage_arrears").worker
    stranger = make_worker("o-stranger", phone="13700000003")
    contest = make_contest(tree["courier"], capacity=5)
    return {"contest": contest.id, "outsider_no": outsider.member_no, "outsider_phone": outsider.worker.phone,
            "helped_phone": helped.phone, "stranger_phone": stranger.phone}


# (what is looked up, where the caller sits, the answer expected)
LOOKUPS = [
    ("outsider_no", "own", 404), ("outsider_phone", "own", 404), ("stranger_phone", "own", 404),
    ("helped_phone", "own", 201), ("helped_phone", "above", 201), ("missing_no", "own", 404),
    ("missing_phone", "own", 404),
]


@pytest.mark.parametrize("what, place, expected", LOOKUPS, ids=[f"{w}-{p}" for w, p, _ in LOOKUPS])
def test_the_roster_lookup_finds_only_people_in_scope(client, tree, what, place, expected):
    from models.contest import Signup
    from models.outbox import OutboxMessage

    people = _people(tree)
    caller = make_staff(tree[PLACES[place]], role="admin", username="roster-admin")
    login(client, caller)
    body = {"reason": "电话报名"}
    if what.endswith("_no"):
        body["member_no"] = people.get(what, "M000999999")
    else:
        body["phone"] = people.get(what, "13799999999")
    response = client.post(f"/api/staff/contests/{people['contest']}/signups", json=body)
    assert response.status_code == expected, response.get_json()
    if expected == 404:
        # the same answer whether the person exists elsewhere or not at all: nothing to tell them apart
        assert response.get_json() == {"error": {"code": "not_found", "message": "找不到该职工，请核对会员号或手机号"}}
        assert db.session.scalar(select(Signup.id).where(Signup.contest_id == people["contest"])) is None
        sent = [m.payload for m in db.session.scalars(select(OutboxMessage))]
        assert not any("主办方已为您报名" in str(p) for p in sent)  # nobody enrolled or messaged
    else:
        assert response.get_json()["phone"] == people[what]


def test_guessing_member_numbers_of_the_province_finds_nobody(client, tree):
    """The attack from the audit: sequential member numbers, 20 guesses."""
    from tests.factories import make_contest, make_member

    for n in range(20):
        make_member(tree["trucks"], member_no=f"M{700000 + n:09d}")
    contest = make_contest(tree["courier"], capacity=50)
    login(client, make_staff(tree["courier"], role="chair", username="guesser"))
    answers = {client.post(f"/api/staff/contests/{contest.id}/signups",
                           json={"member_no": f"M{700000 + n:09d}", "reason": "猜"}).status_code for n in range(20)}
    assert answers == {404}

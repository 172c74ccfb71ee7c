"""Memberships after joining: transfer (request, release, accept), retained, withdrawal; the
member card, its QR code and the public check."""
import re
import time

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.membership import Application, Membership
from models.outbox import OutboxMessage
from models.request import Transfer
from service.membership import members as membership_service
from service.membership import review
from service.errors import Conflict, Forbidden, Invalid
from service.extensions import db
from tests.conftest import as_worker, login
from tests.factories import join_form, make_resident_id, make_staff

COURIER = "石家庄市长安区快递行业工会联合会"
TRUCKS = "石家庄市裕华区货车司机行业工会联合会"
TAKEAWAY = "石家庄市外卖送餐行业工会联合会"


@pytest.fixture
def member(client, feds):
    """o-member, an active member of the courier federation."""
    as_worker(client, "o-member").post("/api/join/applications", json=join_form())
    staff = make_staff(feds[COURIER], username="courier")
    application_id = db.session.scalar(select(Application.id))
    membership = review.approve(staff, application_id)
    db.session.commit()
    return membership


def state(membership_id):
    db.session.expire_all()
    return db.session.get(Membership, membership_id)


# --- the state machine --------------------------------------------------------------------
def test_transfer_needs_release_by_the_old_and_acceptance_by_the_new(client, feds, member):
    old_staff = make_staff(feds[COURIER])
    new_staff = make_staff(feds[TAKEAWAY])
    response = as_worker(client, "o-member").post(
        "/api/card/transfer", json={"to_federation_id": feds[TAKEAWAY].id, "reason": "改做外卖骑手"})
    assert response.status_code == 200 and response.get_json()["status"] == "transferring"
    assert response.get_json()["transfer_to"] == TAKEAWAY
    # the new federation sees it as incoming, but cannot accept before the release
    login(client, new_staff)
    incoming = client.get("/api/members?incoming=true").get_json()
    assert [m["id"] for m in incoming["items"]] == [member.id]
    assert client.post(f"/api/members/{member.id}/accept").status_code == 409
    assert client.post(f"/api/members/{member.id}/release").status_code == 403  # not the holder
    assert login(client, old_staff).post(f"/api/members/{member.id}/release").status_code == 200
    assert client.post(f"/api/members/{member.id}/accept").status_code == 409  # the old one cannot accept
    accepted = login(client, new_staff).post(f"/api/members/{member.id}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    moved = state(member.id)
    assert moved.status == "active" and moved.federation_id == feds[TAKEAWAY].id
    assert moved.member_no == member.member_no  # the number stays with the person
    hop = db.session.scalar(select(Transfer).where(Transfer.subject_type == "membership"))
    assert (hop.from_federation_id, hop.to_federation_id) == (feds[COURIER].id, feds[TAKEAWAY].id)
    messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert "转入" in messages[-1].payload["text"]
    assert login(client, old_staff).get(f"/api/members/{member.id}").status_code == 404


def test_staff_may_start_a_transfer_and_either_side_may_decline(client, feds, member):
    old_staff = make_staff(feds[COURIER])
    login(client, old_staff)
    missing = client.post(f"/api/members/{member.id}/transfer", json={"to_federation_id": feds[TRUCKS].id})
    assert missing.status_code == 422
    started = client.post(f"/api/members/{member.id}/transfer",
                          json={"to_federation_id": feds[TRUCKS].id, "reason": "工作地变更"})
    assert started.get_json()["transfer_requested_by"] == f"staff:{old_staff.id}"
    declined = login(client, make_staff(feds[TRUCKS])).post(
        f"/api/members/{member.id}/cancel-transfer", json={"reason": "不在本会覆盖范围"})
    assert declined.status_code == 200 and state(member.id).status == "active"
    assert state(member.id).federation_id == feds[COURIER].id


def test_transfer_rules(feds, member):
    with pytest.raises(Invalid):
        membership_service.request_transfer(member, to_federation_id=feds[COURIER].id, reason="x")
    with pytest.raises(Invalid):
        membership_service.request_transfer(member, to_federation_id=99999, reason="x")
    with pytest.raises(Invalid):
        membership_service.request_transfer(member, to_federation_id=feds[TRUCKS].id, reason="")
    membership_service.request_transfer(member, to_federation_id=feds[TRUCKS].id, reason="搬家")
    with pytest.raises(Conflict):
        membership_service.retain(member, reason="retired")
    with pytest.raises(Conflict):
        membership_service.request_transfer(member, to_federation_id=feds[TAKEAWAY].id, reason="x")
    membership_service.cancel_transfer(member)
    assert member.status == "active"
    with pytest.raises(Conflict):
        membership_service.cancel_transfer(member)
    outsider = make_staff(feds[TRUCKS])
    with pytest.raises(Forbidden):
        membership_service.request_transfer(member, to_federation_id=feds[TAKEAWAY].id, reason="x", staff=outsider)


def test_retained_and_back(client, feds, member):
    as_worker(client, "o-member")
    bad = client.post("/api/card/retain", json={"reason": "holiday"})
    assert bad.status_code == 422
    body = client.post("/api/card/retain", json={"reason": "unemployed"}).get_json()
    assert body["status"] == "retained" and body["status_label"] == "保留会籍" and body["valid"] is True
    assert client.post("/api/card/retain", json={"reason": "retired"}).status_code == 409
    assert client.post("/api/card/reactivate").get_json()["status"] == "active"
    assert client.post("/api/card/reactivate").status_code == 409


def test_withdrawal_by_the_worker(client, feds, member):
    body = as_worker(client, "o-member").post("/api/card/withdraw", json={"reason": ""}).get_json()
    assert body["status"] == "withdrawn" and body["valid"] is False
    withdrawn = state(member.id)
    assert withdrawn.live_key is None and withdrawn.retention_until is not None
    assert client.post("/api/card/withdraw", json={"reason": ""}).status_code == 409
    assert client.get("/api/card/qr.svg").status_code == 404
    # may join again (a new application, a new number on approval)
    assert client.post("/api/join/applications", json=join_form()).status_code == 201


def test_withdrawal_by_staff_needs_a_reason_and_is_audited(client, feds, member):
    staff = make_staff(feds[COURIER])
    login(client, staff)
    assert client.post(f"/api/members/{member.id}/withdraw", json={"reason": ""}).status_code == 422
    assert client.post(f"/api/members/{member.id}/withdraw", json={"reason": "本人书面申请退会"}).status_code == 200
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.withdraw")).actor_staff_id == staff.id
    assert "本人书面申请退会" in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().payload["text"]


@pytest.mark.parametrize("action, payload", [
    ("", None), ("/id-number", None), ("/withdraw", {"reason": "x"}), ("/retain", {"reason": "retired"}),
    ("/transfer", {"to_federation_id": 1, "reason": "x"}), ("/release", {}), ("/accept", {}),
])
def test_other_federations_staff_get_404_on_members(client, feds, member, action, payload):
    login(client, make_staff(feds[TRUCKS], may_view_id=True))
    url = f"/api/members/{member.id}{action}"
    response = client.get(url) if payload is None else client.post(url, json=payload)
    assert response.status_code == 404
    assert state(member.id).status == "active"


def test_member_search(client, feds, member):
    login(client, make_staff(feds[COURIER]))
    for q in (member.member_no, "张", "13812345678"):
        items = client.get("/api/members", query_string={"q": q}).get_json()["items"]
        assert [m["id"] for m in items] == [member.id], q
    row = items[0]
    assert row["phone_masked"] == "138****5678" and row["id_masked"].startswith("13***")
    assert client.get("/api/members", query_string={"q": "李"}).get_json()["total"] == 0


def test_full_member_id_is_audited(client, feds, member):
    viewer = make_staff(feds["石家庄市长安区总工会"], may_view_id=True)
    body = login(client, viewer).get(f"/api/members/{member.id}/id-number").get_json()
    assert body["id_number"] == make_resident_id()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "pii.view_id")).subject_type == "membership"


# --- the card -----------------------------------------------------------------------------
def test_card_shows_masked_id_and_no_full_numbers(client, member):
    body = as_worker(client, "o-member").get("/api/card").get_json()
    assert body["name"] == "张三" and body["federation"] == COURIER
    assert body["member_no"] == member.member_no and body["status_label"] == "正常"
    assert body["id_masked"] == "13**************" + make_resident_id()[-2:]
    assert make_resident_id() not in str(body)


def test_no_card_without_membership(client, feds):
    response = as_worker(client, "o-nobody").get("/api/card")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_a_member"




def test_qr_is_an_svg_and_the_token_verifies(app, client, member):
    response = as_worker(client, "o-member").get("/api/card/qr.svg")
    assert response.status_code == 200 and response.content_type == "image/svg+xml"
    assert response.data.startswith(b"<svg") and response.headers["Cache-Control"] == "no-store"
    from service.membership import card as member_card

    token = member_card.card_token(member)
    body = client.get("/api/verify", query_string={"t": token}).get_json()
    assert body["valid"] is True and body["name"] == "张*" and body["federation"] == COURIER
    assert "id_masked" not in body and make_resident_id()[-4:] not in str(body)
    assert member_card.verify_url(token) == f"http://gonglian.test/h5/verify.html?t={token}"


def test_verify_refuses_tampered_expired_and_withdrawn(app, client, member):
    from service.membership import card as member_card

    token = member_card.card_token(member)
    assert client.get("/api/verify", query_string={"t": token[:-2] + "xx"}).get_json()["reason"] == "bad_token"
    assert client.get("/api/verify").get_json()["reason"] == "missing"
    app.config["CARD_TOKEN_MAX_AGE"], saved = 0, app.config["CARD_TOKEN_MAX_AGE"]
    try:
        time.sleep(1.1)
        expired = client.get("/api/verify", query_string={"t": token}).get_json()
    finally:
        app.config["CARD_TOKEN_MAX_AGE"] = saved
    assert expired["valid"] is False and expired["reason"] == "expired" and "过期" in expired["message"]
    as_worker(client, "o-member").post("/api/card/withdraw", json={"reason": ""})
    gone = client.get("/api/verify", query_string={"t": token}).get_json()
    assert gone["valid"] is False and gone["reason"] == "withdrawn"


def test_a_token_signed_with_another_secret_is_refused(app, client, member):
    from itsdangerous import URLSafeTimedSerializer

    from service.membership.card import SALT

    forged = URLSafeTimedSerializer("not-our-secret", salt=SALT).dumps({"m": member.id})
    assert client.get("/api/verify", query_string={"t": forged}).get_json()["reason"] == "bad_token"


def test_qr_encodes_the_verify_link(member, client, monkeypatch):
    import segno

    from service.membership import card as member_card

    made = []
    original = segno.make_qr
    monkeypatch.setattr(member_card.segno, "make_qr", lambda content, **kw: made.append(content) or original(content, **kw))
    as_worker(client, "o-member").get("/api/card/qr.svg")
    assert re.fullmatch(r"http://gonglian\.test/h5/verify\.html\?t=[\w\-.]+", made[0])


# --- the whole state machine, one table ---------------------------------------------------
MOVES = {
    "request_transfer": lambda m, feds: membership_service.request_transfer(
        m, to_federation_id=feds[TRUCKS].id, reason="换工作"),
    "cancel_transfer": lambda m, feds: membership_service.cancel_transfer(m),
    "retain": lambda m, feds: membership_service.retain(m, reason="retired"),
    "reactivate": lambda m, feds: membership_service.reactivate(m),
    "withdraw": lambda m, feds: membership_service.withdraw(m),
}
ALLOWED = {  # status → {move: status after}
    "active": {"request_transfer": "transferring", "retain": "retained", "withdraw": "withdrawn"},
    "transferring": {"cancel_transfer": "active", "withdraw": "withdrawn"},
    "retained": {"reactivate": "active", "withdraw": "withdrawn"},
    "withdrawn": {},
}
SETUP = {"active": [], "transferring": ["request_transfer"], "retained": ["retain"], "withdrawn": ["withdraw"]}


@pytest.mark.parametrize("start", list(ALLOWED))
@pytest.mark.parametrize("move", list(MOVES))
def test_membership_state_machine(feds, member, start, move):
    for step in SETUP[start]:
        MOVES[step](member, feds)
    assert member.status == start
    if move in ALLOWED[start]:
        MOVES[move](member, feds)
        assert member.status == ALLOWED[start][move]
        assert (member.live_key is None) == (member.status == "withdrawn")
    else:
        with pytest.raises(Conflict):
            MOVES[move](member, feds)
        assert member.status == start

"""Mobiles are encrypted at rest in every table that holds them (workers, applications, help requests,
contest sign-ups): a keyed hash finds them, a mask shows them, and no column holds the number. Search
by phone keeps working everywhere staff search."""
from sqlalchemy import text

from models.membership import Application
from models.worker import Worker
from service.extensions import db
from service.privacy import pii
from tests.conftest import as_worker, login
from tests.factories import help_payload, join_form, make_contest, make_staff

COURIER = "石家庄市长安区快递行业工会联合会"
PHONE = "13812345678"
TABLES = ("workers", "applications", "help_requests", "contest_signups")


def _everything_a_worker_leaves(client, feds):
    as_worker(client, "o-phone")
    assert client.post("/api/join/applications", json=join_form(phone=PHONE)).status_code == 201
    assert client.post("/api/requests", json=help_payload(phone=PHONE)).status_code == 201
    contest = make_contest(feds[COURIER])
    as_worker(client, "o-phone")
    signed = client.post(f"/api/contests/{contest.id}/signup", json={"name": "张三", "phone": PHONE, "answers": {}})
    assert signed.status_code == 201, signed.get_json()
    return contest


def test_no_table_holds_a_mobile_in_clear(client, feds):
    _everything_a_worker_leaves(client, feds)
    for table in TABLES:
        rows = [dict(r._mapping) for r in db.session.execute(text(f"SELECT * FROM {table}"))]
        assert rows, table
        dumped = repr(rows)
        assert PHONE not in dumped and "1234" not in dumped.replace("138****5678", ""), table
        assert "138****5678" in dumped, table  # the masked form, for lists


def test_the_encrypted_mobile_reads_back_and_is_found_by_its_hash(client, feds):
    _everything_a_worker_leaves(client, feds)
    worker = db.session.scalars(db.select(Worker).where(Worker.phone == "+86 138-1234-5678")).one()
    assert worker.phone == PHONE and worker.phone_masked == "138****5678"
    assert worker.phone_hash == pii.phone_hash(PHONE) != pii.id_hash(PHONE)  # its own hash domain
    assert db.session.scalars(db.select(Application).where(Application.phone == PHONE)).one().phone == PHONE
    assert db.session.scalar(db.select(Worker.id).where(Worker.phone == "13900000000")) is None


def test_staff_search_by_phone_still_works(client, feds):
    contest = _everything_a_worker_leaves(client, feds)
    login(client, make_staff(feds[COURIER], role="chair", username="phone-search"))
    assert [r["worker_name"] for r in client.get("/api/inbox", query_string={"q": PHONE}).get_json()["items"]] == ["张三"]
    assert client.get("/api/applications", query_string={"view": "all", "q": PHONE}).get_json()["total"] == 1
    roster = client.get(f"/api/staff/contests/{contest.id}/signups", query_string={"q": PHONE}).get_json()
    assert roster["total"] == 1
    assert client.get("/api/inbox", query_string={"q": "13900000000"}).get_json()["items"] == []
    detail = client.get(f"/api/inbox/requests/{client.get('/api/inbox').get_json()['items'][0]['id']}").get_json()
    assert detail["worker"]["phone"] == PHONE  # the caseworker can call the worker back

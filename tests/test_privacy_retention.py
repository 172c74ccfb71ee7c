"""Personal data: ID numbers encrypted at rest and found by a keyed hash, key rotation,
the retention purge, and no ID or mobile number in any log line."""
import logging
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from models.base import utcnow
from models.membership import Application, Membership
from models.worker import Worker
from service.privacy import pii
from service.privacy import retention as privacy
from service.membership import review
from service.extensions import db
from tests.conftest import as_worker
from tests.factories import join_form, make_resident_id, make_staff

COURIER = "石家庄市长安区快递行业工会联合会"
ID = make_resident_id()


@pytest.fixture
def keys(app):
    """Swap ID_ENCRYPTION_KEYS for the test; restore afterwards."""
    saved = app.config["ID_ENCRYPTION_KEYS"]
    yield lambda *ks: app.config.update(ID_ENCRYPTION_KEYS=",".join(k.decode() if isinstance(k, bytes) else k for k in ks))
    app.config["ID_ENCRYPTION_KEYS"] = saved


def apply(client, openid="o-1", **kw):
    response = as_worker(client, openid).post("/api/join/applications", json=join_form(**kw))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def raw_rows(table):
    with db.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(text(f"SELECT * FROM {table}"))]


# --- encryption ---------------------------------------------------------------------------
def test_no_plaintext_id_in_any_column(client, feds):
    apply(client)
    for table in ("applications", "workers"):
        for row in raw_rows(table):
            assert ID not in " ".join(str(v) for v in row.values()), table
            assert row["id_number_enc"].startswith("gAAAA")  # a Fernet token
            assert row["id_hash"] != __import__("hashlib").sha256(ID.encode()).hexdigest()
    assert pii.decrypt_id(db.session.scalar(select(Application.id_number_enc))) == ID


def test_the_keyed_hash_finds_the_same_id_and_depends_on_the_key(app, client, feds):
    apply(client)
    assert db.session.scalar(select(Application.id).where(Application.id_hash == pii.id_hash(ID)))
    assert pii.id_hash(ID.lower()) == pii.id_hash(ID)
    saved = app.config["ID_HASH_KEY"]
    app.config["ID_HASH_KEY"] = "another-key"
    try:
        assert pii.id_hash(ID) != db.session.scalar(select(Application.id_hash))
    finally:
        app.config["ID_HASH_KEY"] = saved


def test_a_wrong_key_fails_loudly(client, feds, keys):
    keys(Fernet.generate_key())
    apply(client)
    keys(Fernet.generate_key())
    with pytest.raises(pii.IdKeyError, match="cannot be decrypted"):
        pii.decrypt_id(db.session.scalar(select(Application.id_number_enc)))


def test_a_malformed_key_fails_loudly(keys, app):
    keys("not-a-fernet-key")
    with pytest.raises(pii.IdKeyError, match="invalid Fernet key"):
        pii.encrypt_id(ID)


def test_production_refuses_the_development_keys(app, keys):
    keys("")
    app.config["GONGLIAN_ENV"] = "production"
    try:
        with pytest.raises(pii.IdKeyError, match="ID_ENCRYPTION_KEYS"):
            pii.encrypt_id(ID)
        with pytest.raises(pii.IdKeyError, match="ID_HASH_KEY"):
            pii.id_hash(ID)
    finally:
        app.config["GONGLIAN_ENV"] = "development"


def test_rotation_reencrypts_every_row_with_the_newest_key(client, feds, keys, runner):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    keys(old)
    apply(client, "o-1")
    apply(client, "o-2", id_number=make_resident_id(seq="456"))
    before = {row["id"]: row["id_number_enc"] for row in raw_rows("applications")}
    keys(new, old)  # newest first; the old one still decrypts
    result = runner.invoke(args=["privacy", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "2 applications, 2 workers" in result.output
    db.session.expire_all()
    keys(new)  # the old key is gone: everything must still decrypt
    for row in raw_rows("applications") + raw_rows("workers"):
        assert row["id_number_enc"] not in before.values()
        assert Fernet(new).decrypt(row["id_number_enc"].encode()).decode() in (ID, make_resident_id(seq="456"))


# --- purge --------------------------------------------------------------------------------
PERSONAL = ("name", "id_number_enc", "id_hash", "id_masked", "birth_date", "phone_enc", "phone_hash", "phone_masked")


def _age_retention(days=181):
    past = utcnow() - timedelta(days=days)
    for application in db.session.scalars(select(Application).where(Application.retention_until.is_not(None))):
        application.retention_until = past
    db.session.commit()


def test_purge_erases_a_rejected_applicant_after_the_retention_period(client, feds, runner):
    application_id = apply(client)
    staff = make_staff(feds[COURIER])
    review.reject(staff, application_id, "材料不实：张三 13812345678")
    db.session.commit()
    assert runner.invoke(args=["privacy", "purge"]).output.startswith("erased: 0 applications")  # too early
    _age_retention()
    result = runner.invoke(args=["privacy", "purge"])
    assert "erased: 1 applications, 1 workers" in result.output
    application = raw_rows("applications")[0]
    worker = raw_rows("workers")[0]
    for column in PERSONAL + ("employer", "reason"):
        assert application[column] is None, column
    for column in PERSONAL:
        assert worker[column] is None, column
    assert application["erased_at"] and worker["erased_at"]
    # anonymous statistics stay
    assert (application["federation_id"], application["region_code"], application["industry_code"],
            application["status"]) == (feds[COURIER].id, "130102", "G6020", "rejected")
    dump = str(raw_rows("applications") + raw_rows("workers") + raw_rows("audit_log") + raw_rows("outbox_messages"))
    assert ID not in dump and "张三" not in str(raw_rows("applications") + raw_rows("workers"))


def test_purge_after_withdrawal_keeps_the_member_number_and_statistics(client, feds, runner):
    application_id = apply(client)
    staff = make_staff(feds[COURIER])
    membership = review.approve(staff, application_id)
    db.session.commit()
    as_worker(client, "o-1").post("/api/card/withdraw", json={"reason": ""})
    _age_retention()
    assert "1 applications, 1 workers" in runner.invoke(args=["privacy", "purge"]).output
    kept = db.session.get(Membership, membership.id)
    assert kept.member_no == membership.member_no and kept.status == "withdrawn"
    assert kept.region_code == "130102" and kept.federation_id == feds[COURIER].id
    worker = db.session.get(Worker, kept.worker_id)
    assert all(getattr(worker, column) is None for column in PERSONAL)


def test_purge_keeps_live_members_and_open_applications(client, feds):
    rejected = apply(client, "o-again")
    staff = make_staff(feds[COURIER])
    review.reject(staff, rejected, "请重新申请")
    db.session.commit()
    apply(client, "o-again")  # applied again: the worker's data is needed
    member_application = apply(client, "o-member", id_number=make_resident_id(seq="777"))
    review.approve(staff, member_application)
    db.session.commit()
    _age_retention()
    counts = privacy.purge()
    db.session.commit()
    assert counts == {"applications": 1, "workers": 0, "help_requests": 0, "signups": 0}  # only the old rejected one
    for openid in ("o-again", "o-member"):
        worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
        assert worker.name and worker.id_number_enc
    assert "privacy-purge" in [job.name for job in __import__("service.jobs", fromlist=["JOBS"]).JOBS]


# --- logs ---------------------------------------------------------------------------------
def test_log_lines_never_carry_id_or_mobile_numbers(caplog):
    log = logging.getLogger("gonglian.test")
    with caplog.at_level(logging.INFO):
        log.info("applicant %s phone %s", ID, "13812345678")
        log.warning(f"inline {ID.lower()} and 19912345678 and a long number 1555555555555")
        try:
            raise ValueError(f"bad id {ID}")
        except ValueError:
            log.exception("failed")
    text_out = caplog.text
    assert ID not in text_out and ID.lower() not in text_out
    assert "13812345678" not in text_out and "19912345678" not in text_out
    assert "13**************" + ID[-2:] in text_out and "138****5678" in text_out
    assert "1555555555555" in text_out  # not a mobile number: left alone


def test_scrub():
    assert pii.scrub(f"x{ID}y") == f"x{ID}y"  # glued to letters: not a standalone ID
    assert pii.scrub(f"身份证{ID}，手机13812345678。") == f"身份证13**************{ID[-2:]}，手机138****5678。"

"""A signed plaintext /wechat query cannot be reused with another body inside the time window (its
signature does not cover the body); WeChat's own retry of the same delivery still goes through.
Both stores: the database, and Redis when REDIS_URL is set."""
import uuid

import pytest
from sqlalchemy import func, select

from models.wechat import InboundMessage
from service.extensions import db
from service.wechat import dedup
from service.wechat import replay


@pytest.fixture(params=["database", "redis"])
def store(request, app, monkeypatch):
    if request.param == "redis":
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("no Redis at 127.0.0.1:6379")
        monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
        monkeypatch.setitem(app.config, "REDIS_PREFIX", f"gonglian-test-replay-{uuid.uuid4().hex[:8]}:")
    return request.param


def _post(client, args, body):
    return client.post("/wechat", query_string=args, data=body, content_type="text/xml")


def test_a_seen_signature_with_another_body_is_refused(client, wechat, store):
    delivery = wechat.peer.deliver(wechat.peer.text("o-victim", "你好"))
    first = _post(client, delivery.args, delivery.body)
    assert first.status_code == 200
    forged = wechat.peer.text("o-victim", "入会").replace("o-victim", "o-attacker")
    refused = _post(client, delivery.args, forged)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "wechat_rejected"
    dedup.flush_replies()  # the reply is stored behind the answer; WeChat retries only after 5 s
    retry = _post(client, delivery.args, delivery.body)  # WeChat retrying the same delivery
    assert retry.status_code == 200 and retry.get_data() == first.get_data()
    if store == "database":  # with Redis the delivery is de-duplicated there (service/wechat/dedup.py)
        assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_a_replay_is_refused_even_before_the_first_body_was_processed(client, wechat, store):
    """Two different bodies raced on one signature: exactly one is processed."""
    delivery = wechat.peer.deliver(wechat.peer.text("o-a", "竞赛"))
    other = wechat.peer.text("o-b", "求助")
    answers = [_post(client, delivery.args, delivery.body).status_code, _post(client, delivery.args, other).status_code]
    assert answers == [200, 403]


def test_safe_mode_is_covered_by_its_message_signature(client, wechat):
    delivery = wechat.peer.deliver(wechat.peer.text("o-safe", "你好"), encrypt=True)
    assert _post(client, delivery.args, delivery.body).status_code == 200
    tampered = delivery.body.replace("<Encrypt><![CDATA[", "<Encrypt><![CDATA[A")
    assert _post(client, delivery.args, tampered).status_code == 403


def test_expired_signatures_are_forgotten(app, wechat):
    from datetime import timedelta

    from models.base import utcnow
    from models.wechat import KeyValue

    db.session.add(KeyValue(key=replay.PREFIX + "old", value="x", expires_at=utcnow() - timedelta(seconds=1)))
    db.session.add(KeyValue(key=replay.PREFIX + "new", value="x", expires_at=utcnow() + timedelta(seconds=60)))
    db.session.add(KeyValue(key="other:old", value="x", expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert replay.forget_expired_job() == 1
    db.session.commit()
    assert sorted(db.session.scalars(select(KeyValue.key))) == ["other:old", replay.PREFIX + "new"]

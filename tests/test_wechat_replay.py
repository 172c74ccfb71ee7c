"""A signed plaintext /wechat query cannot be reused with another body that has side effects inside
the time window (its signature does not cover the body); WeChat's own retry of the same delivery
still goes through. The seal rides on the exactly-once claim: both stores, the database, and Redis
when REDIS_URL is set."""
import uuid

import pytest
from sqlalchemy import func, select

from models.wechat import InboundMessage
from models.worker import Worker
from service.extensions import db
from service.wechat import dedup
from service.wechat import replay
from tests.conftest import forget_redis_keys


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
    yield request.param
    if request.param == "redis":
        forget_redis_keys(app.config["REDIS_PREFIX"])


def _post(client, args, body):
    return client.post("/wechat", query_string=args, data=body, content_type="text/xml")


def test_a_seen_signature_with_another_body_is_refused(client, wechat, store):
    delivery = wechat.peer.deliver(wechat.peer.text("o-victim", "人工客服"))  # a side effect: asks for a person
    first = _post(client, delivery.args, delivery.body)
    assert first.status_code == 200
    forged = wechat.peer.event("o-attacker", "subscribe")  # a side effect: a follower row
    refused = _post(client, delivery.args, forged)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "wechat_rejected"
    dedup.flush_replies()  # the reply is stored behind the answer; WeChat retries only after 5 s
    retry = _post(client, delivery.args, delivery.body)  # WeChat retrying the same delivery
    assert retry.status_code == 200 and retry.get_data() == first.get_data()
    if store == "database":  # with Redis the delivery is de-duplicated there (service/wechat/dedup.py)
        assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.key.not_like("s:%"))) == 1  # claims, not seals


def test_a_replay_is_refused_even_before_the_first_body_was_processed(client, wechat, store):
    """Two different bodies raced on one signature: exactly one is processed."""
    delivery = wechat.peer.deliver(wechat.peer.event("o-a", "subscribe"))
    other = wechat.peer.event("o-b", "subscribe")
    answers = [_post(client, delivery.args, delivery.body).status_code, _post(client, delivery.args, other).status_code]
    assert answers == [200, 403]
    assert db.session.scalar(select(func.count()).select_from(Worker).where(Worker.openid == "o-b")) == 0


def test_a_keyword_body_under_a_seen_signature_gets_only_the_public_reply(client, wechat, store):
    """A pure reply is answered without any store: the forged keyword gets what anyone gets by
    sending it, and records nothing; a side effect under the same signature is still refused."""
    delivery = wechat.peer.deliver(wechat.peer.event("o-a", "subscribe"))
    assert _post(client, delivery.args, delivery.body).status_code == 200
    keyword = _post(client, delivery.args, wechat.peer.text("o-b", "竞赛"))
    assert keyword.status_code == 200 and "contests.html" in keyword.get_data(as_text=True)
    assert _post(client, delivery.args, wechat.peer.event("o-c", "subscribe")).status_code == 403


def test_safe_mode_is_covered_by_its_message_signature(client, wechat):
    delivery = wechat.peer.deliver(wechat.peer.text("o-safe", "你好"), encrypt=True)
    assert _post(client, delivery.args, delivery.body).status_code == 200
    tampered = delivery.body.replace("<Encrypt><![CDATA[", "<Encrypt><![CDATA[A")
    assert _post(client, delivery.args, tampered).status_code == 403


def test_seals_are_kept_with_the_claims_and_expire_with_the_window(client, wechat, app):
    from datetime import timedelta

    from models.base import utcnow
    from service.jobs import purge_inbound

    delivery = wechat.peer.deliver(wechat.peer.event("o-seal", "subscribe"))
    assert _post(client, delivery.args, delivery.body).status_code == 200
    seal = replay.seal_for(app.config, delivery.args, delivery.body.encode())
    row = db.session.get(InboundMessage, seal.key)
    assert row.reply == seal.digest  # one more row of the claim's INSERT
    assert timedelta(seconds=seal.seconds - 5) < row.expires_at - utcnow() <= timedelta(seconds=seal.seconds)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert purge_inbound() == 1
    db.session.commit()
    assert db.session.get(InboundMessage, seal.key) is None

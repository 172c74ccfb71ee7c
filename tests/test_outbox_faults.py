"""The stand-in failing for a while under a batch of sends (issue 13 §6): 5xx, errcode -1,
timeouts and expired tokens. Everything is delivered after recovery, and a message reaches a
worker twice only when a send timed out after it went out (an unknown outcome), counted."""
from collections import Counter as Tally

import pytest
from sqlalchemy import select

from models.outbox import OutboxMessage
from models.simulator import SimMessage
from service.metrics import DELIVERIES
from service.wechat import deliverer, outbox
from service.extensions import db
from tests.test_wechat_outbox import fault, make_due, worker_in_window

pytestmark = pytest.mark.slow


def test_everything_is_delivered_after_a_bad_spell_and_duplicates_come_only_from_unknown_outcomes(
        app, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_TIMEOUT", 0.5)
    monkeypatch.setitem(app.config, "OUTBOX_CONCURRENCY", 4)
    openids = [f"o-spell-{n}" for n in range(12)]
    for openid in openids:
        worker_in_window(openid)
    for n in range(36):
        outbox.queue_message(openids[n % len(openids)], f"通知 {n}")
    db.session.commit()
    unknown_before = DELIVERIES.labels("unknown_outcome")._value.get()
    deliverer.deliver_due(batch=1)  # the token first
    fault(live_server, endpoint="message/custom/send", http_status=503, times=4)
    fault(live_server, endpoint="message/custom/send", errcode=-1, times=4)
    fault(live_server, endpoint="message/custom/send", delay=0.8, times=3)  # past the client's timeout
    fault(live_server, endpoint="message/custom/send", errcode=42001, times=2)  # token expired: refreshed
    for _ in range(30):
        deliverer.deliver_due()
        db.session.rollback()
        if not db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == "pending")):
            break
        make_due()
    statuses = Tally(db.session.scalars(select(OutboxMessage.status)))
    assert statuses == {"delivered": 36}, statuses
    unknown = DELIVERIES.labels("unknown_outcome")._value.get() - unknown_before
    received = Tally(m.payload["content"].split("\n")[0] for m in db.session.scalars(select(SimMessage)))
    assert set(received) == {f"通知 {n}" for n in range(36)}  # nothing lost
    duplicates = sum(count - 1 for count in received.values())
    assert unknown >= 1 and duplicates <= unknown, (duplicates, unknown)

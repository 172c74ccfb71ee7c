"""The outbox delivered through the adapter against the stand-in over real HTTP: the window
decides the channel, outages lose nothing, nothing is sent twice."""
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select, update

from models.base import utcnow
from models.outbox import OutboxMessage
from models.simulator import SimCall, SimMessage
from service import jobs
from service.wechat import deliverer, outbox
from service.wechat import followers as workers
from service.extensions import db
from tests.factories import sim_user


def worker_in_window(openid: str, *, wrote_ago=timedelta(minutes=1)):
    """The worker as our service knows them (last_message_at), and the same user in the stand-in."""
    worker = workers.get_or_create_worker(openid)
    worker.subscribed = True
    worker.last_message_at = utcnow() - wrote_ago if wrote_ago is not None else None
    db.session.commit()
    sim_user(openid, wrote_ago=wrote_ago)


def sent_to(openid: str) -> list[SimMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(SimMessage).where(SimMessage.openid == openid).order_by(SimMessage.id)))


def make_due() -> None:
    """Time passes: every pending message is due again."""
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def fault(live_server, **body):
    assert requests.post(f"{live_server.api_base}/_control/faults", json=body, timeout=5).status_code == 201


# --- queuing --------------------------------------------------------------------------------------
def test_a_duplicate_dedup_key_returns_the_queued_message(app):
    first = outbox.queue_message("o-q", "您的申请已受理", dedup_key="application:1:received")
    second = outbox.queue_message("o-q", "您的申请已受理", dedup_key="application:1:received")
    assert second.id == first.id
    db.session.commit()
    third = outbox.queue_message("o-q", "again", dedup_key="application:1:received")
    assert third.id == first.id
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_duplicate_found_only_by_the_unique_key_keeps_the_callers_transaction(app):
    db.session.add(OutboxMessage(openid="o-q2", payload={"text": "x"}, dedup_key="k-race", status="pending"))
    db.session.commit()
    workers.get_or_create_worker("o-q2")  # the caller's own change, not yet committed
    original = db.session.scalar
    calls = {"n": 0}

    def miss_first_lookup(query, *args, **kwargs):  # the other transaction committed just after our look-up
        calls["n"] += 1
        return None if calls["n"] == 1 else original(query, *args, **kwargs)

    db.session.scalar = miss_first_lookup
    try:
        message = outbox.queue_message("o-q2", "x", dedup_key="k-race")
    finally:
        del db.session.scalar
    db.session.commit()
    assert message.dedup_key == "k-race"
    assert workers.get_or_create_worker("o-q2").id  # survived the SAVEPOINT rollback


def test_the_outbox_job_is_registered():
    assert "outbox" in [entry.name for entry in jobs.JOBS]


# --- channels -------------------------------------------------------------------------------------
def test_inside_the_window_a_customer_service_text_with_its_link(live_server):
    worker_in_window("o-cs")
    outbox.queue_message("o-cs", "您的求助已受理", url="http://gonglian.test/h5/request.html?id=1")
    db.session.commit()
    assert deliverer.deliver_due() == 1
    [message] = sent_to("o-cs")
    assert message.source == "custom"
    assert message.payload["content"] == '您的求助已受理\n<a href="http://gonglian.test/h5/request.html?id=1">点击查看</a>'
    row = db.session.scalar(select(OutboxMessage))
    assert (row.status, row.channel, row.attempts) == ("delivered", "custom", 1) and row.delivered_at


def test_outside_the_window_a_template_with_short_values(app, live_server):
    worker_in_window("o-tpl", wrote_ago=timedelta(days=3))
    outbox.queue_message("o-tpl", "您的入会申请已通过", url="http://gonglian.test/h5/card.html",
                         template="application_result",
                         fields={"申请结果": "已通过", "受理单位": "石家庄市长安区快递行业工会联合会（长安区总工会指导）\n第二行"})
    db.session.commit()
    assert deliverer.deliver_due() == 1
    [message] = sent_to("o-tpl")
    assert message.source == "template" and message.client_msg_id.startswith("outbox-")
    assert message.payload["template_id"] == app.config["WECHAT_TEMPLATES"]["application_result"]
    value = message.payload["data"]["受理单位"]["value"]
    assert len(value) == 20 and "\n" not in value and value.endswith("…")
    assert db.session.scalar(select(OutboxMessage)).channel == "template"


def test_a_45015_on_the_customer_service_path_falls_back_to_a_template(live_server):
    worker_in_window("o-fb")  # our record says "inside the window" …
    sim_user("o-fb", wrote_ago=timedelta(hours=49))  # … WeChat disagrees
    outbox.queue_message("o-fb", "进度更新", fields={"状态": "处理中"})
    db.session.commit()
    assert deliverer.deliver_due() == 1
    assert [m.source for m in sent_to("o-fb")] == ["template"]


def test_an_unfollowed_worker_is_undeliverable(live_server):
    worker_in_window("o-gone")
    sim_user("o-gone", following=False)
    outbox.queue_message("o-gone", "x")
    db.session.commit()
    assert deliverer.deliver_due() == 0
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "undeliverable" and row.last_error.startswith("43004")


# --- outages and retries --------------------------------------------------------------------------
def test_a_message_survives_an_outage_and_is_delivered_exactly_once(live_server):
    worker_in_window("o-outage")
    outbox.queue_message("o-outage", "您的求助有新进展")
    db.session.commit()
    deliverer.deliver_due()  # fetch the token while WeChat is up, so the outage hits the send
    assert len(sent_to("o-outage")) == 1
    outbox.queue_message("o-outage", "第二条消息")
    db.session.commit()
    fault(live_server, endpoint="message/custom/send", http_status=502, times=3)
    for attempt in range(1, 4):
        assert deliverer.deliver_due() == 0
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.attempts == attempt,
                                                             OutboxMessage.status == "pending"))
        assert row is not None and "502" in row.last_error
        assert row.next_attempt_at > utcnow()  # backed off: not due until later
        assert deliverer.deliver_due() == 0
        make_due()
    assert deliverer.deliver_due() == 1
    assert deliverer.deliver_due() == 0
    assert [m.payload["content"] for m in sent_to("o-outage")] == ["您的求助有新进展", "第二条消息"]


def test_backoff_grows_and_gives_up_after_the_last_attempt(app, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 20)] == [5, 10, 20, 3600]
    worker_in_window("o-down")
    outbox.queue_message("o-down", "x")
    db.session.commit()
    fault(live_server, endpoint="message/custom/send", errcode=-1, times=10)
    for _ in range(3):
        deliverer.deliver_due()
        make_due()
    row = db.session.scalar(select(OutboxMessage))
    assert (row.status, row.attempts) == ("failed", 3)
    assert sent_to("o-down") == []


def test_two_deliverers_at_once_never_send_a_message_twice(app, live_server):
    openids = [f"o-race-{i}" for i in range(3)]
    for openid in openids:
        worker_in_window(openid)
    for i in range(24):
        outbox.queue_message(openids[i % 3], f"消息{i}", template="contest_notice", fields={"序号": str(i)})
    db.session.commit()
    # outside the window after the first few customer-service sends: mix both channels
    totals, errors = [], []

    def deliver():
        with app.app_context():
            try:
                for _ in range(20):
                    totals.append(deliverer.deliver_due(batch=4))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {row.status for row in rows} == {"delivered"}
    assert sum(totals) == 24
    assert {row.attempts for row in rows} == {1}
    assert len([m for openid in openids for m in sent_to(openid)]) == 24
    # the stand-in would hide a resent template (client_msg_id): count the accepted calls instead
    accepted = db.session.scalar(select(func.count()).select_from(SimCall).where(
        SimCall.endpoint.in_(["message/custom/send", "message/template/send"]), SimCall.errcode == 0))
    assert accepted == 24


def test_outbox_run_once_cli(runner, live_server):
    worker_in_window("o-cli")
    outbox.queue_message("o-cli", "命令行投递")
    db.session.commit()
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "delivered 1" in result.output


def test_a_message_queued_in_a_transaction_that_is_rolled_back_is_never_sent(app):
    """queue_message takes a SAVEPOINT before the transaction's first write; on SQLite that savepoint
    must still sit inside the caller's transaction (service/app.py:configure_sqlite)."""
    from models.outbox import OutboxMessage
    from service.wechat.outbox import queue_message

    queue_message("o-rolled-back", "不会发出", dedup_key="rolled-back-1")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    queue_message("o-kept", "会发出", dedup_key="kept-1")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_outcomes_that_finish_together_are_stored_together(app, live_server, monkeypatch):
    """Eight sends in flight at once: their deliveries are stored in groups (one UPDATE for a
    group's deliveries), not one store per message, and every message is delivered once."""
    monkeypatch.setitem(app.config, "OUTBOX_CONCURRENCY", 8)
    monkeypatch.setattr(deliverer, "STORE_GATHER_SECONDS", 2.0)  # a slow test machine still groups them
    for n in range(8):
        worker_in_window(f"o-group-{n}", wrote_ago=timedelta(days=3))
        outbox.queue_message(f"o-group-{n}", "竞赛通知", template="contest_notice", fields={"thing1": "快递员技能竞赛"})
    db.session.commit()
    stores = []
    store = deliverer._store_outcomes

    def counted(outcomes, claimer):
        stores.append(len(outcomes))
        return store(outcomes, claimer)

    monkeypatch.setattr(deliverer, "_store_outcomes", counted)
    assert deliverer.deliver_due() == 8
    assert stores == [8]  # one group: all eight came within the gathering time
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "delivered")) == 8
    assert db.session.scalar(select(func.count(func.distinct(SimMessage.client_msg_id)))
                             .where(SimMessage.openid.like("o-group-%"))) == 8

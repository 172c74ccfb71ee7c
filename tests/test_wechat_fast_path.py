"""The callback's hot path (issue 13 §1): pure replies do no database work, side effects run once
(Redis when configured, else one INSERT … ON CONFLICT), last contact is written behind."""
import os
import subprocess
import sys
import textwrap
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from sqlalchemy import event, func, select

from handlers.wechat import registry
from models.base import utcnow
from models.outbox import OutboxMessage
from models.wechat import InboundMessage
from models.worker import Worker
from service.config import ROOT
from service.extensions import db
from service.wechat import autocommit, contact
from service.wechat.outbox import queue_message
from tests.conftest import forget_redis_keys


class Statements(list):
    """The statements seen, in order; `.autocommit`: those of them sent in autocommit on the driver."""

    def __init__(self):
        super().__init__()
        self.autocommit: list[str] = []


@contextmanager
def statements():
    """Every statement sent while inside: through the app's engine, and on PostgreSQL through
    the callback's autocommit pool too, which runs on the driver (service/wechat/autocommit.py)."""
    seen = Statements()

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    run = autocommit._run

    def run_seen(statement, params, fetch):
        if db.engine.dialect.name == "postgresql":  # elsewhere the engine's event sees it
            seen.append(str(statement.compile(dialect=db.engine.dialect)))
            seen.autocommit.append(seen[-1])
        return run(statement, params, fetch)

    event.listen(db.engine, "before_cursor_execute", listen)
    autocommit._run = run_seen
    try:
        yield seen
    finally:
        autocommit._run = run
        event.remove(db.engine, "before_cursor_execute", listen)


@pytest.fixture
def write_behind(app, monkeypatch):
    """Notes stay in memory until flushed (the flusher thread is not started in tests)."""
    monkeypatch.setitem(app.config, "WECHAT_CONTACT_FLUSH_SECONDS", 3600)
    yield
    contact.flush()


def _redis_up() -> bool:
    try:
        return redis.Redis(socket_connect_timeout=0.3).ping()
    except redis.RedisError:
        return False


@pytest.mark.parametrize("encrypt", [False, True], ids=["plaintext", "safe-mode"])
# Free text is not here: it may belong to the worker's open request (handlers/wechat/conversation.py).
@pytest.mark.parametrize("how, value", [("text", "竞赛"), ("text", "求助"), ("text", "欠薪"), ("click", "CONTESTS"),
                                        ("click", "ME"), ("click", "WAGE")])
def test_a_keyword_or_menu_reply_runs_no_sql_and_stores_nothing(wechat, write_behind, how, value, encrypt):
    with statements() as seen:
        if how == "text":
            response = wechat.send_text("o-fast", value, encrypt=encrypt)
        else:
            response = wechat.send_event("o-fast", "CLICK", value, encrypt=encrypt)
    assert response.status_code == 200 and response.reply["Content"]
    assert seen == []  # not even the replay seal: it rides on side effects' claims (service/wechat/replay.py)
    assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.key.not_like("s:%"))) == 0  # claims, not seals
    assert contact.pending() == 1


def test_last_contact_is_written_behind_in_one_statement(wechat, write_behind):
    wechat.send_text("o-late-1", "竞赛")
    wechat.send_event("o-late-2", "CLICK", "HELP")
    wechat.send_text("o-late-2", "我的")
    assert db.session.scalar(select(func.count()).select_from(Worker)) == 0
    with statements() as seen:
        assert contact.flush() == 2
    assert len([s for s in seen if s.lstrip().upper().startswith("INSERT")]) == 1
    db.session.expire_all()
    one, two = (db.session.scalar(select(Worker).where(Worker.openid == o)) for o in ("o-late-1", "o-late-2"))
    assert one.last_message_at is not None and one.last_event_at is None
    assert two.last_message_at is not None and two.last_event_at is not None


def test_an_older_note_never_moves_a_contact_time_back(app, write_behind):
    now = utcnow()
    worker = Worker(openid="o-clock", last_message_at=now)
    db.session.add(worker)
    db.session.commit()
    contact.note("o-clock", event=False, at=now - timedelta(hours=1))
    contact.note("o-clock", event=True, at=now - timedelta(minutes=2))
    contact.flush()
    db.session.expire_all()
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-clock"))
    assert worker.last_message_at == now
    assert worker.last_event_at == now - timedelta(minutes=2)


def test_side_effects_claim_in_the_database_with_one_insert(wechat, monkeypatch):
    monkeypatch.setitem(registry._by_keyword, "排队", lambda m: queue_message(m.source, "好") and "已排队")
    xml = wechat.peer.text("o-once", "排队", msg_id=42)
    with statements() as seen:
        first = wechat.post(xml)
    inserts = [s for s in seen if "inbound_messages" in s and s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "ON CONFLICT" in inserts[0].upper()
    again = wechat.post(xml)
    assert first.reply["Content"] == again.reply["Content"] == "已排队"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


@pytest.mark.skipif(not _redis_up(), reason="needs Redis at 127.0.0.1:6379")
def test_with_redis_a_side_effect_runs_once_and_the_database_keeps_no_dedup_row(app, wechat, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    calls = []
    monkeypatch.setitem(registry._by_keyword, "排队", lambda m: calls.append(1) or queue_message(m.source, "好")
                        and f"第{len(calls)}次")
    xml = wechat.peer.text("o-redis", "排队", msg_id=4242)
    first = wechat.post(xml).reply["Content"]
    from service.wechat import dedup

    dedup.flush_replies()  # the reply is stored behind the answer (by a thread within 0.2 s)
    replies = [first] + [wechat.post(xml).reply["Content"] for _ in range(2)]
    assert replies == ["第1次"] * 3 and calls == [1]
    assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.key.not_like("s:%"))) == 0  # claims, not seals
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    client = redis.Redis()
    keys = client.keys(app.config["REDIS_PREFIX"] + "wechat:dedup:*")
    claims = [k for k in keys if b":dedup:s:" not in k]  # beside them, the replay seals of the plaintext deliveries
    assert len(claims) == 1 and 0 < client.ttl(claims[0]) <= app.config["WECHAT_DEDUP_TTL"]
    client.delete(*keys)


@pytest.mark.parametrize("with_redis", [False, True], ids=["database", "redis"])
def test_a_scan_takes_no_claim_and_its_retry_runs_the_same_upsert(app, wechat, monkeypatch, with_redis):
    """A follow is idempotent, so a scan's delivery is simply run: no claim, no stored reply, and
    WeChat's retry runs the upsert again and changes nothing. The plaintext delivery's replay seal
    is one Redis command, or (no Redis, PostgreSQL) part of the upsert's own statement: the whole
    delivery is one autocommit round trip."""
    from tests.factories import make_federation

    if with_redis:
        if not _redis_up():
            pytest.skip("needs Redis at 127.0.0.1:6379")
        monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
        monkeypatch.setitem(app.config, "REDIS_PREFIX", f"gonglian-test-scan-{uuid.uuid4().hex[:8]}:")
    federation = make_federation()
    db.session.commit()
    xml = wechat.peer.scan("o-scan-once", federation.scene, new_follower=False)
    try:
        with statements() as seen:
            first = wechat.post(xml)
        followed_at = db.session.scalar(select(Worker.subscribed_at).where(Worker.openid == "o-scan-once"))
        db.session.rollback()
        retry = wechat.post(xml)
        assert federation.name in first.reply["Content"] and retry.reply["Content"] == first.reply["Content"]
        follows = [s for s in seen if s.lstrip().upper().startswith(("INSERT", "WITH")) and "subscribed_at" in s]
        assert len(follows) == 1  # beside it, last contact (written at once in tests)
        on_postgres = db.engine.dialect.name == "postgresql"
        if on_postgres:
            assert seen.autocommit == follows
            assert ("inbound_messages" in follows[0]) is not with_redis  # the seal in the same statement
        worker = db.session.scalar(select(Worker).where(Worker.openid == "o-scan-once"))
        assert worker.subscribed and worker.last_scene == federation.scene and worker.subscribed_at == followed_at
        stored = db.session.scalars(select(InboundMessage.key)).all()
        assert all(key.startswith("s:") for key in stored)  # seals only, never a claim
        assert len(stored) == (0 if with_redis else 2)  # one seal per signed delivery
        if with_redis:
            keys = redis.Redis().keys(app.config["REDIS_PREFIX"] + "wechat:dedup:*")
            assert len(keys) == 2 and all(b":dedup:s:" in key for key in keys)
    finally:
        if with_redis:
            forget_redis_keys(app.config["REDIS_PREFIX"])


def test_with_redis_down_dedup_degrades_to_the_database(app, wechat, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens
    calls = []
    monkeypatch.setitem(registry._by_keyword, "排队", lambda m: calls.append(1) or "好")
    xml = wechat.peer.text("o-noredis", "排队", msg_id=99)
    assert [wechat.post(xml).status_code for _ in range(2)] == [200, 200]
    assert calls == [1]
    assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.key.not_like("s:%"))) == 1  # claims, not seals


def test_a_clean_exit_writes_the_last_contacts(tmp_path):
    """A process that noted contacts and exits normally writes them (atexit; gunicorn's
    worker_exit hook calls the same flush)."""
    database = tmp_path / "exit.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "FLASK_APP": "wsgi",
           "WECHAT_CONTACT_FLUSH_SECONDS": "3600"}
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    script = textwrap.dedent("""
        from service.app import create_app
        from service.wechat import autocommit, contact
        app = create_app()
        with app.app_context():
            contact.note("o-exit", event=False)
        print(contact.pending())
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "1"
    import sqlite3

    rows = sqlite3.connect(database).execute("SELECT last_message_at FROM workers WHERE openid='o-exit'").fetchall()
    assert len(rows) == 1 and rows[0][0] is not None


@pytest.mark.parametrize("xml", [
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>你好</Content><MsgId>5</MsgId></xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>image</MsgType><PicUrl>http://x</PicUrl><MediaId>m</MediaId><MsgId>6</MsgId></xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>event</MsgType><Event>subscribe</Event><EventKey>qrscene_fed:3</EventKey><Ticket>t</Ticket></xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>event</MsgType><Event>SCAN</Event><EventKey>fed:3</EventKey></xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>event</MsgType><Event>CLICK</Event><EventKey>JOIN</EventKey></xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>location</MsgType><Location_X>38.0</Location_X><Location_Y>114.5</Location_Y><Scale>15</Scale>"
    "<Label>石家庄</Label><MsgId>7</MsgId></xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>event</MsgType><Event>scancode_push</Event><EventKey>k</EventKey><ScanCodeInfo>"
    "<ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo></xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>voice</MsgType><MediaId>v</MediaId><Format>amr</Format><Recognition>你好</Recognition><MsgId>8</MsgId></xml>",
])
def test_parsing_once_builds_what_wechatpy_builds(xml):
    from wechatpy import parse_message

    from service.wechat.inbound import parse

    ours, theirs = parse(xml), parse_message(xml)
    assert type(ours) is type(theirs)
    assert ours._data == theirs._data
    assert (ours.type, getattr(ours, "event", None), ours.source) == (theirs.type, getattr(theirs, "event", None),
                                                                      theirs.source)


def test_the_callback_sets_no_cookie_and_other_pages_keep_their_session(wechat, client):
    response = wechat.send_text("o-cookie", "竞赛")
    assert "Set-Cookie" not in response.headers
    with client.session_transaction() as session:
        session["probe"] = "kept"
    with client.session_transaction() as session:
        assert session["probe"] == "kept"


def test_a_burst_of_scans_reads_the_federation_once(app, wechat, monkeypatch):
    from tests.factories import make_federation

    from handlers.wechat import bot

    monkeypatch.setitem(app.config, "WECHAT_NAME_CACHE_SECONDS", 30)
    bot.federation_names.clear()
    federation = make_federation()
    scene, name = federation.scene, federation.name
    with statements() as seen:
        replies = [wechat.scan(f"o-burst-{n}", scene, new_follower=False).reply["Content"] for n in range(3)]
    assert all(name in reply for reply in replies)
    assert len([s for s in seen if "FROM federations" in s]) == 1
    assert len([s for s in seen if "routing_version" in s]) == 1  # the token too: once in a second
    workers = db.session.scalars(select(Worker).where(Worker.openid.like("o-burst-%"))).all()
    assert len(workers) == 3 and all(w.subscribed and w.last_scene == federation.scene for w in workers)


def test_a_renamed_or_dissolved_federation_is_seen_at_the_next_scan(app, wechat, monkeypatch):
    from tests.factories import make_federation

    from handlers.wechat import bot

    monkeypatch.setitem(app.config, "WECHAT_NAME_CACHE_SECONDS", 30)
    monkeypatch.setitem(app.config, "WECHAT_NAME_TOKEN_SECONDS", 0)  # production: within a second
    bot.federation_names.clear()
    federation = make_federation()
    scene = federation.scene
    assert federation.name in wechat.scan("o-rename-1", scene, new_follower=False).reply["Content"]
    federation.name = "石家庄市长安区改名测试行业工会联合会"
    db.session.commit()
    assert "改名测试" in wechat.scan("o-rename-2", scene, new_follower=False).reply["Content"]
    federation.status = "dissolved"
    db.session.commit()
    assert wechat.scan("o-rename-3", scene, new_follower=False).reply["Content"] == bot.WELCOME


def test_following_again_keeps_the_first_follow_time(wechat):
    from tests.factories import make_federation

    federation = make_federation()
    wechat.scan("o-again", federation.scene, new_follower=True)
    first = db.session.scalar(select(Worker.subscribed_at).where(Worker.openid == "o-again"))
    wechat.scan("o-again", federation.scene, new_follower=False)
    db.session.expire_all()
    assert db.session.scalar(select(Worker.subscribed_at).where(Worker.openid == "o-again")) == first


def test_free_text_without_an_open_request_is_one_read_and_stores_nothing(wechat, write_behind):
    """Chat text changes something only when it joins an open request: without one, the callback
    looks (one SELECT, outside any transaction) and answers like a keyword — no claim, no worker row
    written in the callback (last contact makes it, written behind)."""
    with statements() as seen:
        response = wechat.send_text("o-chatty", "请问工资拖欠怎么办")  # "拖欠工资" is not in it: help text
        image = wechat.post(wechat.peer.xml("o-chatty", "image", PicUrl="http://x/p.jpg", MediaId="M-1", MsgId=9))
    assert "我要求助" in response.reply["Content"] and "没有正在办理的诉求" in image.reply["Content"]
    assert [s.split()[0].upper() for s in seen] == ["SELECT", "SELECT"]
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(Worker)) == 0
    assert contact.flush() == 1 and db.session.scalar(select(func.count()).select_from(Worker)) == 1


def test_free_text_with_a_side_effect_keyword_inside_is_claimed(wechat):
    """"我要人工客服" contains 人工客服, whose handler records the request for a person: not pure."""
    xml = wechat.peer.text("o-human", "你好我要人工客服", msg_id=77)
    first, retry = wechat.post(xml), wechat.post(xml)
    assert first.reply["Content"] == retry.reply["Content"]
    assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.key.not_like("s:%"))) == 1


def test_text_from_a_worker_with_an_open_request_joins_it_once_when_delivered_twice(wechat):
    from models.request import RequestEvent
    from tests.factories import cover, make_federation, make_request, make_upper, make_worker

    cover(make_federation("石家庄市长安区快递行业工会联合会", parent=make_upper("石家庄市长安区总工会", region="130102")),
          "130102", "G602")
    request = make_request(make_worker("o-case"), type="wage_arrears")
    db.session.commit()
    xml = wechat.peer.text("o-case", "工资条我发过来了", msg_id=78)
    first, retry = wechat.post(xml), wechat.post(xml)
    assert request.number in first.reply["Content"] and retry.reply["Content"] == first.reply["Content"]
    assert len(db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id,
                                                             RequestEvent.kind == "worker_message")).all()) == 1

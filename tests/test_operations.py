"""Readiness, metrics, request ids and JSON logs (issue 13 §3)."""
import json
import logging

from alembic.script import ScriptDirectory
from flask_migrate import Migrate  # noqa: F401  (the CLI app has it; the test asks Alembic itself)
from sqlalchemy import text

from handlers.api.health import migration_heads
from service.config import ROOT
from service.extensions import db
from service.logs import REQUEST_ID, formatter
from service.wechat.outbox import queue_message


def test_the_heads_read_from_the_files_are_alembics():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert migration_heads() == frozenset(ScriptDirectory.from_config(config).get_heads())


def test_readyz_is_ready_at_head_and_not_when_migrations_are_pending(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "database": "ok", "redis": "not_configured"}
    (current,) = db.session.execute(text("SELECT version_num FROM alembic_version")).one()
    db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    db.session.commit()
    try:
        pending = client.get("/readyz")
        assert pending.status_code == 503 and pending.get_json()["database"] == "migrations_pending"
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()


def test_readyz_with_redis_unreachable_is_503(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["redis"] == "unreachable"


def test_metrics_count_requests_by_endpoint_and_show_the_outbox(client, wechat):
    queue_message("o-metrics", "你好")
    db.session.commit()
    wechat.send_text("o-metrics", "竞赛")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'gonglian_http_requests_total{endpoint="wechat.receive",method="POST",status="200"}' in body
    assert 'gonglian_http_request_seconds_bucket{endpoint="wechat.receive"' in body
    assert 'gonglian_outbox_depth{status="pending"} 1.0' in body
    assert "gonglian_outbox_oldest_pending_seconds" in body


def test_a_request_id_is_taken_or_made_and_sent_back(client):
    given = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert given.headers["X-Request-Id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert len(made.headers["X-Request-Id"]) == 32 and made.headers["X-Request-Id"] != "bad id with spaces"


def test_a_json_log_line_carries_the_request_id_and_no_mobile_number():
    token = REQUEST_ID.set("rid-42")
    try:
        record = logging.getLogger("test").makeRecord("test", logging.INFO, __file__, 1,
                                                      "worker 13812345678 wrote", (), None)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(formatter("json").format(record))
    assert line["request_id"] == "rid-42" and line["level"] == "INFO"
    assert "13812345678" not in line["message"]

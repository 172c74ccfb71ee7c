"""Health, readiness and metrics: GET /healthz, /readyz, /metrics.

/healthz: the process answers and the database does. /readyz: ready for traffic — the database
answers, Redis answers when configured, and the schema is at the migrations' head (a new
release whose `flask db upgrade` has not run yet is not ready). /metrics: Prometheus.
"""
import logging
import re
from functools import lru_cache

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import func, select, text

from service.config import ROOT
from service.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "not healthy"
        db.session.rollback()
        log.warning("health check: database unreachable: %s", type(error).__name__)
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The revisions no other revision builds on, read from migrations/versions (no Alembic import:
    a web worker does not load it)."""
    revisions, parents = set(), set()
    for path in (ROOT / "migrations" / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = re.search(r"^revision\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", source, re.M)
        if not found:
            continue
        revisions.add(found.group(1))
        down = re.search(r"^down_revision\s*(?::[^=]+)?=\s*(.+)$", source, re.M)
        if down:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return frozenset(revisions - parents)


def _check_database() -> str:
    try:
        current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except Exception as error:
        db.session.rollback()
        log.warning("readiness: database: %s", type(error).__name__)
        return "unreachable"
    return "ok" if current == set(migration_heads()) else "migrations_pending"


def _check_redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not_configured"
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5).ping()
    except Exception as error:
        log.warning("readiness: redis: %s", type(error).__name__)
        return "unreachable"
    return "ok"


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database(), "redis": _check_redis()}
    ready = checks["database"] == "ok" and checks["redis"] in ("ok", "not_configured")
    return jsonify({"status": "ready" if ready else "not_ready", **checks}), 200 if ready else 503


class OutboxCollector:
    """Outbox depth and the age of its oldest pending message, read at scrape time."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        from models.base import utcnow
        from models.outbox import OutboxMessage

        depth = GaugeMetricFamily("gonglian_outbox_depth", "Outbox messages by status", labels=["status"])
        oldest = GaugeMetricFamily("gonglian_outbox_oldest_pending_seconds", "Age of the oldest pending message")
        try:
            rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
            first = db.session.scalar(select(func.min(OutboxMessage.created_at))
                                      .where(OutboxMessage.status == "pending"))
        except Exception as error:
            db.session.rollback()
            log.warning("metrics: outbox not readable: %s", type(error).__name__)
            return
        for status, count in rows:
            depth.add_metric([status], count)
        oldest.add_metric([], (utcnow() - first).total_seconds() if first else 0)
        yield depth
        yield oldest


@bp.get("/metrics")
def metrics():
    from service.metrics import render

    body, content_type = render([OutboxCollector()])
    return Response(body, content_type=content_type)

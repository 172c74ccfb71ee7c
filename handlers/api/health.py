"""GET /healthz: 200 when the database answers, 503 when it does not."""
import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

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

"""Governance alerts to staff in WeChat (the `staff_alert` template through the outbox), to the
federation's own chairs and admins and to its upper union's, like the deadline sweeper's alerts
(service/deadlines.py). Only staff who linked their WeChat (Staff.openid) are reached."""
from flask import current_app
from sqlalchemy import select

from models.federation import Federation
from models.staff import Staff
from service.extensions import db
from service.wechat.outbox import queue_message

ALERT_ROLES = ("admin", "chair")


def recipients(federation: Federation, *, own: bool = True, upper: bool = True) -> list[Staff]:
    ids = ([federation.id] if own else []) + ([federation.parent_id] if upper and federation.parent_id else [])
    if not ids:
        return []
    return list(db.session.scalars(select(Staff).where(
        Staff.federation_id.in_(ids), Staff.active.is_(True), Staff.role.in_(ALERT_ROLES),
        Staff.openid.is_not(None)).order_by(Staff.id)))


def _short(value: str) -> str:
    return value if len(value) <= 20 else value[:19] + "…"


def alert(federation: Federation, text: str, *, ref: str, issue: str, path: str, dedup_key: str,
          own: bool = True, upper: bool = True) -> int:
    """Queue one alert per recipient (idempotent per `dedup_key`); the number queued."""
    base = current_app.config["PUBLIC_BASE_URL"]
    count = 0
    for staff in recipients(federation, own=own, upper=upper):
        queue_message(staff.openid, f"【工联工作台】{federation.name}：{text}", url=f"{base}{path}",
                      template="staff_alert", fields={"number": _short(ref), "issue": _short(issue),
                                                      "handler": _short(federation.name)},
                      dedup_key=f"{dedup_key}:{staff.id}")
        count += 1
    return count

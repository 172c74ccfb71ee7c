"""Did the worker get it? The delivery state of each message a request's timeline sent to the
worker, read from the outbox row it queued (service/wechat/outbox.py), and an alert to the
caseworker when one could not be delivered.

A timeline line and its outbox row share a key: notify_worker's dedup_key.
"""
from sqlalchemy import select

from models.outbox import OutboxMessage
from models.request import HelpRequest, RequestEvent
from service.extensions import db
from service.help_requests.status import add_event, notify_staff

# What notify_worker's dedup_key is for a line of each kind (the rest: request:<id>:event:<event id>).
FIXED_KEYS = {"submitted": "submitted", "accepted": "accepted", "withdrawn": "withdrawn"}
CHANNELS = {"custom": "客服消息", "template": "模板消息"}
REASONS = {
    43004: "职工已取消关注公众号，微信不再转发消息",
    43101: "职工拒收了这类消息",
    45015: "职工超过48小时未与公众号互动，客服消息发不出",
    45047: "客服消息已达条数上限",
    40003: "职工的微信身份无效",
    40037: "模板消息的模板编号无效",
}
ALERT_BATCH = 200


def event_key(request_id: int, event: RequestEvent) -> str:
    suffix = FIXED_KEYS.get(event.kind, f"event:{event.id}")
    return f"request:{request_id}:{suffix}"


def reason_text(last_error: str | None) -> str:
    """The outbox's last error ("43004: require subscribe") in Chinese words."""
    text = (last_error or "").strip()
    code, _, rest = text.partition(":")
    if code.strip().isdigit():
        return REASONS.get(int(code), f"微信拒绝发送（错误码 {code.strip()}）")
    return text or "原因不明"


def state_of(message: OutboxMessage) -> dict:
    """{state, label, reason?}: delivered | waiting | failed."""
    if message.status == "delivered":
        return {"state": "delivered", "label": f"已送达（{CHANNELS.get(message.channel, '微信')}）"}
    if message.status == "pending":
        label = "等待发送" if not message.attempts else f"发送中（已重试{message.attempts}次）"
        return {"state": "waiting", "label": label}
    reason = reason_text(message.last_error)
    return {"state": "failed", "label": f"未送达：{reason}", "reason": reason}


def deliveries(request: HelpRequest, events: list[RequestEvent]) -> dict[int, dict]:
    """Event id → delivery state, for the lines that sent the worker something."""
    keys = {event_key(request.id, e): e.id for e in events if e.public and not e.by_worker}
    if not keys:
        return {}
    found = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.in_(list(keys)))).all()
    return {keys[m.dedup_key]: state_of(m) for m in found}


def _request_of(key: str) -> int | None:
    parts = key.split(":")
    return int(parts[1]) if len(parts) >= 3 and parts[0] == "request" and parts[1].isdigit() else None


def alert_failed_deliveries(limit: int = ALERT_BATCH) -> int:
    """For each message to a worker that could not be delivered: an internal timeline line with
    the reason and the worker's phone, and a WeChat alert to the caseworker. Once per message."""
    failed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status.in_(("undeliverable", "failed")),
                                    OutboxMessage.dedup_key.like("request:%"))
        .order_by(OutboxMessage.id.desc()).limit(limit)).all()
    by_request: dict[int, list[OutboxMessage]] = {}
    for message in failed:
        request_id = _request_of(message.dedup_key)
        if request_id is not None:
            by_request.setdefault(request_id, []).append(message)
    if not by_request:
        return 0
    alerted = {(request_id, (data or {}).get("outbox_id")) for request_id, data in db.session.execute(
        select(RequestEvent.request_id, RequestEvent.data).where(
            RequestEvent.request_id.in_(list(by_request)), RequestEvent.kind == "delivery_failed")).all()}
    count = 0
    for request_id, messages in by_request.items():
        request = db.session.get(HelpRequest, request_id)
        for message in messages:
            if request is None or (request_id, message.id) in alerted:
                continue
            reason = reason_text(message.last_error)
            phone = request.worker_phone or "未留电话"
            add_event(request, "delivery_failed", public=False,
                      body=f"给职工的消息未送达：{reason}。请电话联系职工（{phone}）。",
                      data={"outbox_id": message.id})
            if request.assignee is not None:
                notify_staff(request.assignee, request, f"给职工的消息未送达（{reason}），请电话联系",
                             issue="消息未送达", dedup_key=f"staff:delivery:{message.id}")
            count += 1
    db.session.flush()
    return count


def delivery_alerts_job() -> int:
    """Periodic job (every minute): alert caseworkers about undeliverable messages."""
    return alert_failed_deliveries()

"""Messages the outbox could not deliver, for staff: why (in Chinese), which case, and a retry.

A message names its case through its dedup key ("request:12:…", "application:5:…",
"membership:3:…", "overdue:12:…" for staff alerts about request 12); staff see the messages of
cases in their federation's subtree only (a guessed id outside it is a 404).
"""
import re

from sqlalchemy import select

from models.base import utcnow
from models.membership import Application, Membership
from models.outbox import OutboxMessage
from models.request import HelpRequest
from models.staff import Staff
from service import audit
from service.errors import Conflict, NotFound
from service.extensions import db
from service.staff.scope import can_see

DEAD = ("failed", "undeliverable")
STATUS_LABELS = {"failed": "多次重试后仍失败", "undeliverable": "无法送达"}
_SUBJECT = re.compile(r"^(request|application|membership|overdue|escalated|limitation|contest):(\d{1,12})(?::|$)")
_MODELS = {"request": HelpRequest, "application": Application, "membership": Membership}
REASONS = [  # the stored error → a sentence for staff
    ("43004", "职工已取消关注公众号"), ("40003", "无效的 openid（职工身份有误）"),
    ("45015", "已超过48小时客服消息时限，且模板消息未能送达"), ("45047", "客服消息超出下发条数限制"),
    ("40037", "模板消息的模板编号无效"), ("47003", "模板消息内容不符合要求"),
    ("未配置模板", "未配置对应的模板消息"), ("超时", "微信接口多次超时"), ("HTTP", "微信接口多次返回错误"),
    ("繁忙", "微信系统繁忙，多次重试未成功"), ("access_token", "微信接口凭证（access_token）多次被拒"),
    ("内部错误", "系统内部错误"),
]


def subject_of(message: OutboxMessage) -> tuple[str, int] | None:
    """("request" | "application" | "membership" | "contest", id) the message belongs to."""
    found = _SUBJECT.match(message.dedup_key or "")
    if not found:
        return None
    kind, subject_id = found.group(1), int(found.group(2))
    return ("request" if kind in ("overdue", "escalated", "limitation") else kind), subject_id


def reason_of(message: OutboxMessage) -> str:
    error = message.last_error or ""
    for needle, sentence in REASONS:
        if needle in error:
            return sentence
    return error or STATUS_LABELS.get(message.status, "未送达")


def _federation_of(subject) -> int | None:
    if subject is None:
        return None
    kind, subject_id = subject
    if kind == "contest":
        from models.contest import Contest

        model = Contest
    else:
        model = _MODELS[kind]
    return db.session.scalar(select(model.federation_id).where(model.id == subject_id))


def _visible(staff: Staff, message: OutboxMessage) -> bool:
    federation_id = _federation_of(subject_of(message))
    if federation_id is None:  # no case (e.g. a message to a staff member): admins of the top only
        return staff.role == "admin" and can_see(staff, staff.federation_id) and staff.federation.parent_id is None
    return can_see(staff, federation_id)


def list_dead_letters(staff: Staff, limit: int = 200) -> list[dict]:
    """Failed and undeliverable messages of cases the staff member can see, newest first."""
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status.in_(DEAD))
                              .order_by(OutboxMessage.id.desc()).limit(2000))
    out = []
    for message in rows:
        if not _visible(staff, message):
            continue
        subject = subject_of(message)
        out.append({"id": message.id, "status": message.status, "status_label": STATUS_LABELS[message.status],
                    "reason": reason_of(message), "error": message.last_error, "attempts": message.attempts,
                    "channel": message.channel, "text": (message.payload or {}).get("text") or "",
                    "created_at": message.created_at, "subject_type": subject[0] if subject else None,
                    "subject_id": subject[1] if subject else None})
        if len(out) >= limit:
            break
    return out


def retry(staff: Staff, message_id: int) -> OutboxMessage:
    """Queue a failed or undeliverable message again, now (flushed; audited)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or not _visible(staff, message):
        raise NotFound("找不到该消息")
    if message.status not in DEAD:
        raise Conflict("该消息不在失败列表中，无需重发")
    message.status, message.attempts, message.next_attempt_at = "pending", 0, utcnow()
    message.locked_by = message.locked_until = None
    subject = subject_of(message)
    audit.record("outbox.retry", staff=staff, subject_type="outbox_message", subject_id=message.id,
                 federation_id=_federation_of(subject), detail={"previous_error": (message.last_error or "")[:100]})
    db.session.flush()
    return message

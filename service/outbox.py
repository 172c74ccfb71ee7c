"""The outbox: one way to notify a worker in WeChat (DESIGN §7).

A message is a row written in the same transaction as the change that causes it; the worker
process delivers it later (customer-service message inside WeChat's 48-hour window, template
message outside it), retrying what can be retried and recording what cannot be delivered.
"""
from models.outbox import OutboxMessage
from service.extensions import db

# Template kinds the service uses; the template ids come from config (WECHAT_TEMPLATES).
TEMPLATE_KINDS = ("application_result", "request_update", "contest_notice", "staff_alert")


def queue_message(
    openid: str,
    text: str,
    *,
    url: str | None = None,
    template: str = "request_update",
    fields: dict[str, str] | None = None,
    dedup_key: str | None = None,
) -> OutboxMessage:
    """Queue a WeChat message for `openid` (flushed; the caller's commit makes it real).

    `text` is the customer-service message (a link to `url` is appended when given);
    `template` and `fields` are used when the worker is outside the 48-hour window —
    each field value is cut to WeChat's 20 characters at delivery.
    `dedup_key` makes queuing idempotent: the same key never queues a second message.
    """
    if template not in TEMPLATE_KINDS:
        raise ValueError(f"unknown template kind {template!r}")
    message = OutboxMessage(
        openid=openid,
        payload={"text": text, "url": url, "template": template, "fields": fields or {}},
        dedup_key=dedup_key,
        status="pending",
    )
    db.session.add(message)
    db.session.flush()
    return message

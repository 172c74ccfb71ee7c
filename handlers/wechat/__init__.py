"""The WeChat callback: GET /wechat (URL check) and POST /wechat (messages and events).

verify → parse → deduplicate → dispatch → reply, and never a 500.
"""
import logging
from datetime import timedelta

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import IntegrityError

from handlers.wechat import bot  # noqa: F401  (registers the handlers)
from handlers.wechat import contests  # noqa: F401  (the contest poster's scene)
from handlers.wechat import positions  # noqa: F401  (locations → the nearest service positions)

from handlers.wechat import help_requests  # noqa: F401  (chat images → evidence)
from handlers.wechat.registry import dispatch
from models.base import utcnow
from models.wechat import InboundMessage
from service.wechat import inbound as wechat_inbound
from service.wechat import followers as workers
from service.wechat import replay
from service.errors import error_response
from service.extensions import db
from service.wechat.inbound import CallbackRejected, WeChatSettings

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)

REASONS = {403: "签名校验失败", 400: "消息格式有误"}


def _settings() -> WeChatSettings:
    cfg = current_app.config
    return WeChatSettings(
        token=cfg["WECHAT_TOKEN"], appid=cfg["WECHAT_APPID"], aes_key=cfg["WECHAT_AES_KEY"],
        max_skew=cfg["WECHAT_MAX_SKEW"], max_body=cfg["WECHAT_MAX_BODY"],
    )


def _rejected(error: CallbackRejected):
    log.info("wechat callback refused: %s", error.reason)
    return error_response(error.status, "wechat_rejected", f"{REASONS[error.status]}：{error.reason}")


@bp.get("/wechat")
def verify():
    try:
        echostr = wechat_inbound.verify_url(_settings(), request.args)
    except CallbackRejected as error:
        return _rejected(error)
    return Response(echostr, content_type="text/plain; charset=utf-8")


@bp.post("/wechat")
def receive():
    settings = _settings()
    if (request.content_length or 0) > settings.max_body:
        return _rejected(CallbackRejected(400, "body too large"))
    raw = request.stream.read(settings.max_body + 1)
    try:
        xml_text, encrypted = wechat_inbound.read_body(settings, request.args, raw)
        if not encrypted:  # plaintext: the signature does not cover the body
            replay.remember(current_app.config, request.args.get("timestamp", ""), request.args.get("nonce", ""),
                            request.args.get("signature", ""), raw)
        message = wechat_inbound.parse(xml_text)
    except replay.Replayed:
        return _rejected(CallbackRejected(403, "signature already used"))
    except CallbackRejected as error:
        return _rejected(error)
    reply = handle_once(message)
    if encrypted and reply != "success":
        reply = wechat_inbound.encrypt_reply(
            settings, reply, request.args.get("nonce", ""), request.args.get("timestamp", "")
        )
    content_type = "text/plain" if reply == "success" else "application/xml"
    return Response(reply, content_type=f"{content_type}; charset=utf-8")


def handle_once(message) -> str:
    """Process a delivery once; a retry gets the first reply and causes no second side effect."""
    key = wechat_inbound.dedup_key(message)
    seen = db.session.get(InboundMessage, key)
    if seen is not None:
        return seen.reply or "success"
    expires = utcnow() + timedelta(seconds=current_app.config["WECHAT_DEDUP_TTL"])
    entry = InboundMessage(key=key, expires_at=expires)
    db.session.add(entry)
    try:
        db.session.flush()  # a concurrent retry waits here on the unique key, then fails
    except IntegrityError:
        db.session.rollback()
        seen = db.session.get(InboundMessage, key)
        return (seen.reply if seen else None) or "success"
    try:
        workers.note_contact(message.source, event=message.type == "event")
        text = dispatch(message)
        entry.reply = wechat_inbound.text_reply(message, text) if text else "success"
        db.session.commit()
    except Exception:
        log.exception("wechat handler failed for %s %s", message.type, getattr(message, "event", ""))
        db.session.rollback()
        entry = InboundMessage(
            key=key, expires_at=expires, reply=wechat_inbound.text_reply(message, bot.POLITE_ERROR)
        )
        db.session.add(entry)
        db.session.commit()
    return entry.reply

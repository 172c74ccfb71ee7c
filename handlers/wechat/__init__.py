"""The WeChat callback: GET /wechat (URL check) and POST /wechat (messages and events).

verify → parse → dispatch → reply, and never a 500. A pure handler (keywords, menu clicks: no
side effect; at most a read) is answered without any claim or transaction; an idempotent one (a
follow) is simply run, its one write carrying the replay seal; anything else runs exactly once per
delivery (service/wechat/dedup.py) in one transaction. Last contact is written behind
(service/wechat/contact.py).
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from handlers.wechat import bot  # noqa: F401  (registers the handlers)
from handlers.wechat import contests  # noqa: F401  (the contest poster's scene)
from handlers.wechat import positions  # noqa: F401  (locations → the nearest service positions)

from handlers.wechat import conversation  # noqa: F401  (chat text and voice → the open request)
from handlers.wechat import help_requests  # noqa: F401  (chat images → evidence)
from handlers.wechat import staff_binding  # noqa: F401  (staff bind their WeChat by a temporary QR)
from handlers.wechat.registry import find_handler, is_idempotent, is_pure, pure_reply
from service.wechat import contact, dedup
from service.wechat import inbound as wechat_inbound
from service.wechat import replay
from service.errors import error_response
from service.extensions import db
from service.wechat.inbound import CallbackRejected, WeChatSettings
from service.wechat.writes import sealing, serialized

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
    return as_response(verify_url(request.args))


@bp.post("/wechat")
def receive():
    return as_response(receive_delivery(request.args, request.stream, request.content_length))


# The routes above put /wechat in Flask's URL map (a PUT gets our 405); under the app the
# callback's edge (handlers/wechat/edge.py) serves GET and POST with these two functions
# directly, from the WSGI environ. Both answer a Text (the common case) or an error Response.
@dataclass(frozen=True)
class Text:
    body: str
    content_type: str  # with the charset


def as_response(answer: "Text | Response") -> Response:
    return Response(answer.body, content_type=answer.content_type) if isinstance(answer, Text) else answer


def verify_url(args) -> "Text | Response":
    """WeChat's URL check: echo `echostr` when the signature is right."""
    try:
        echostr = wechat_inbound.verify_url(_settings(), args)
    except CallbackRejected as error:
        return _rejected(error)
    return Text(echostr, "text/plain; charset=utf-8")


def receive_delivery(args, stream, content_length: int | None) -> "Text | Response":
    """A message or event: verify → parse → dispatch (exactly once where it has effects) → reply.
    `args`: the query (a mapping); `stream`: the body, at most WECHAT_MAX_BODY of it is read."""
    settings = _settings()
    if (content_length or 0) > settings.max_body:
        return _rejected(CallbackRejected(400, "body too large"))
    # the stream ends at the body (werkzeug's limited stream, or gunicorn's own): read no more than
    # the limit, or exactly the declared length
    raw = stream.read(settings.max_body + 1 if content_length is None else content_length)
    try:
        xml_text, encrypted = wechat_inbound.read_body(settings, args, raw)
        message = wechat_inbound.parse(xml_text)
    except CallbackRejected as error:
        return _rejected(error)
    # plaintext: the signature does not cover the body, so a side effect is sealed to it (the seal
    # is made only for a handler with one)
    make_seal = None if encrypted else partial(replay.seal_for, current_app.config, args, raw)
    try:
        reply = handle_once(message, make_seal)
    except replay.Replayed:
        db.session.rollback()
        return _rejected(CallbackRejected(403, "signature already used"))
    except (DatabaseUnavailable, OperationalError, InterfaceError):
        db.session.rollback()
        log.warning("wechat callback: database unavailable")
        return error_response(503, "service_unavailable", "服务暂时不可用，请稍后再试")
    except Exception:  # even the de-duplication failing (the database down) is answered politely
        log.exception("wechat callback failed before dispatch")
        db.session.rollback()
        reply = wechat_inbound.text_reply(message, bot.POLITE_ERROR)
    if encrypted and reply != "success":
        reply = wechat_inbound.encrypt_reply(settings, reply, args.get("nonce", ""), args.get("timestamp", ""))
    return Text(reply, PLAIN if reply == "success" else XML)


PLAIN, XML = "text/plain; charset=utf-8", "application/xml; charset=utf-8"


class DatabaseUnavailable(Exception):
    """The database failed while a side-effect message was handled: 503, WeChat retries."""


def _render(message, text: str | None) -> str:
    return wechat_inbound.text_reply(message, text) if text else "success"


def handle_once(message, make_seal: Callable[[], replay.Seal] | None = None) -> str:
    """Answer a delivery; a retry gets the first reply and causes no second side effect. A
    plaintext delivery's seal (made by `make_seal`, only for a side effect) is recorded with the
    claim (raises replay.Replayed)."""
    handler = find_handler(message)
    event = message.type == "event"
    pure = is_pure(handler)
    if not pure:
        try:
            peeked = pure_reply(handler, message)  # nothing to change: answered as a pure reply
        except Exception:
            log.exception("wechat peek failed for %s", message.type)
            peeked = None  # the handler decides, exactly once
        if peeked is not None:
            contact.note(message.source, event=event)
            return _render(message, peeked)
    if pure:
        try:
            reply = _render(message, handler(message) if handler else None)
        except Exception:
            log.exception("wechat handler failed for %s %s", message.type, getattr(message, "event", ""))
            reply = wechat_inbound.text_reply(message, bot.POLITE_ERROR)
        finally:
            if db.session.registry.has():  # a pure handler's read, if any: nothing is ever committed
                db.session.rollback()      # (no read, no session: none is made just to roll back)
        contact.note(message.source, event=event)
        return reply
    seal = make_seal() if make_seal is not None else None
    if is_idempotent(handler, message):
        reply = _run_idempotent(message, handler, seal)
        contact.note(message.source, event=event)
        return reply
    key = wechat_inbound.dedup_key(message)
    claimed = dedup.claim(key, seal)  # Redis: one round trip; None: de-duplicate in the database below
    if claimed is False:
        return dedup.reply_for(key)
    try:
        with serialized(db.engine):  # SQLite: writers queue on a file lock (service/wechat/writes.py)
            if claimed is None and not dedup.insert_once(key, seal=seal):
                db.session.rollback()
                return dedup.reply_for(key)
            reply = _render(message, handler(message))
            if claimed is None:
                dedup.store_reply(key, reply)
            if db.session.registry.has():  # a handler that wrote alone (writes.write_alone) left none
                db.session.commit()
    except replay.Replayed:
        raise
    except DBAPIError as error:
        db.session.rollback()
        if claimed:
            dedup.release(key)
        if _is_unavailable(error):
            raise DatabaseUnavailable() from error
        reply = _failed(message, key, claimed, seal)
    except Exception:
        db.session.rollback()
        reply = _failed(message, key, claimed, seal)
    else:
        if claimed:
            dedup.remember(key, reply)
    contact.note(message.source, event=event)
    return reply


def _run_idempotent(message, handler, seal: replay.Seal | None) -> str:
    """A handler whose only write is idempotent (a follow): no claim, no stored reply — a retry
    runs it again and changes nothing. A plaintext delivery's seal is recorded in Redis (one
    command) or with the write itself (service/wechat/writes.py)."""
    if seal is not None and dedup.claim_seal(seal):
        seal = None  # recorded in Redis
    try:
        with serialized(db.engine), sealing(seal):
            reply = _render(message, handler(message))
            if db.session.registry.has():
                db.session.commit()
    except replay.Replayed:
        raise
    except DBAPIError as error:
        db.session.rollback()
        if _is_unavailable(error):
            raise DatabaseUnavailable() from error
        reply = _polite_failure(message)
    except Exception:
        db.session.rollback()
        reply = _polite_failure(message)
    return reply


def _is_unavailable(error: DBAPIError) -> bool:
    """The database is gone (the connection was dropped, or the driver could not reach it)."""
    return error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError))


def _polite_failure(message) -> str:
    """Log the handler's failure (with its traceback) and answer the worker politely."""
    log.exception("wechat handler failed for %s %s", message.type, getattr(message, "event", ""))
    return wechat_inbound.text_reply(message, bot.POLITE_ERROR)


def _failed(message, key: str, claimed: bool | None, seal: replay.Seal | None) -> str:
    reply = _polite_failure(message)
    try:
        dedup.record_failure(key, reply, claimed, seal)
    except Exception:
        db.session.rollback()
        log.exception("wechat: could not record the failed delivery")
    return reply

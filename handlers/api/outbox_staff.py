"""Undelivered WeChat messages for staff: the list (reason in Chinese, the case) and a retry."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.outbox import DeadLetterOut, RetriedOut
from service.wechat import dead_letters

bp = Blueprint("outbox_staff", __name__, url_prefix="/api/outbox", description="消息发送失败")


@bp.get("/dead-letters")
@staff_required()
@bp.response(200, DeadLetterOut(many=True))
def list_dead_letters():
    return dead_letters.list_dead_letters(g.staff)


@bp.post("/<int:message_id>/retry")
@staff_required("admin", "chair", "caseworker")
@bp.response(200, RetriedOut)
def retry(message_id):
    if not 0 < message_id < 2**31:  # ids are 32-bit: a bigger guess is simply not found
        from service.errors import NotFound

        raise NotFound("找不到该消息")
    return dead_letters.retry(g.staff, message_id)

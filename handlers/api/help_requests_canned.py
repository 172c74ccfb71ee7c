"""Canned replies per federation (read: all staff; write: chair and admin)."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.inbox import CannedIn, CannedOut, CannedQuery, CannedUpdateIn
from service.help_requests import canned_replies

bp = Blueprint("canned_replies", __name__, url_prefix="/api/canned-replies", description="快捷回复")


@bp.get("")
@staff_required()
@bp.arguments(CannedQuery, location="query")
@bp.response(200, CannedOut(many=True))
def list_replies(args):
    return canned_replies.list_replies(g.staff, args["federation_id"])


@bp.post("")
@staff_required("admin", "chair")
@bp.arguments(CannedIn)
@bp.response(201, CannedOut)
def create(data):
    reply = canned_replies.create_reply(g.staff, **data)
    return reply


@bp.put("/<int:reply_id>")
@staff_required("admin", "chair")
@bp.arguments(CannedUpdateIn)
@bp.response(200, CannedOut)
def update(data, reply_id):
    reply = canned_replies.update_reply(g.staff, reply_id, **data)
    return reply


@bp.delete("/<int:reply_id>")
@staff_required("admin", "chair")
@bp.response(204)
def delete(reply_id):
    canned_replies.delete_reply(g.staff, reply_id)

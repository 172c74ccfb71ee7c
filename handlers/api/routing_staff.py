"""The hops of a request or application (read-only; the transfer actions live with the
requests and joining APIs)."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.routing import TransferOut, TransferQueryIn
from service.routing import transfers

bp = Blueprint("transfers", __name__, url_prefix="/api/transfers", description="转办记录")


@bp.get("")
@staff_required()
@bp.arguments(TransferQueryIn, location="query")
@bp.response(200, TransferOut(many=True))
def history(args):
    """Every hop, oldest first, if the item is in the caller's scope (else 404)."""
    return transfers.visible_history(g.staff, args["subject_type"], args["subject_id"])

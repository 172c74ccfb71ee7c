"""Who will handle it: the routing preview for the H5 pages (public) and the console."""
from flask import session
from flask_login import current_user
from flask_smorest import Blueprint

from handlers.api.staff_auth import WORKER_SESSION_KEY
from handlers.throttle import worker_write
from handlers.schemas.routing import PreviewIn, PreviewOut, StaffPreviewOut
from service.routing import router as routing

bp = Blueprint("routing", __name__, url_prefix="/api/routing", description="受理单位（路由）")


@bp.get("/preview")
@bp.arguments(PreviewIn, location="query")
@bp.response(200, StaffPreviewOut)
@worker_write("60 per minute", "600 per hour")
def preview(args):
    """Which inbox would receive a request (or, with type=join, an application) from this
    workplace, and why. Public; logged-in staff also get the candidates. A worker known to
    the session has their membership taken into account."""
    answer = routing.preview(args["region"], args["industry"], args["type"],
                             openid=session.get(WORKER_SESSION_KEY))
    if current_user.is_authenticated:
        return answer
    return PreviewOut().dump(answer)

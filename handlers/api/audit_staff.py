"""The audit log, read by admins (console audit.html): who viewed a full ID number, who exported
what, who changed accounts and rights; scoped like everything else."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.privacy import AuditPageOut, AuditQuery
from service import audit

bp = Blueprint("audit", __name__, url_prefix="/api/audit", description="审计日志")


@bp.get("")
@staff_required("admin")
@bp.arguments(AuditQuery, location="query")
@bp.response(200, AuditPageOut)
def list_entries(args):
    """Audit lines of the admin's node and beneath it, newest first, filtered; `next_before_id` pages on."""
    return audit.list_entries(g.staff, **args)

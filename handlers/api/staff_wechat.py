"""The console's 绑定微信: a temporary QR code that binds the staff member's own WeChat for alerts."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from service.staff import wechat_binding

bp = Blueprint("staff_wechat", __name__, url_prefix="/api/me", description="员工本人：绑定微信")


@bp.post("/wechat-qr")
@staff_required()
def binding_qr():
    """A temporary QR code (10 minutes, one scan) whose scan binds the caller's WeChat."""
    return wechat_binding.create_binding_qr(g.staff)


@bp.get("/wechat")
@staff_required()
def binding_state():
    """Whether the caller's WeChat is bound (the console polls it while the QR code is shown)."""
    return {"bound": bool(g.staff.openid)}

"""The staff member's own account: 绑定微信 (a temporary QR code that binds their WeChat for
alerts) and 修改密码."""
from flask import g
from flask_smorest import Blueprint

import marshmallow as ma

from handlers.api.openapi import json_object
from handlers.api.staff_auth import staff_required
from handlers.schemas.base import InSchema, length
from service.staff import wechat_binding
from service.staff.own_password import change_own_password

bp = Blueprint("staff_self", __name__, url_prefix="/api/me", description="员工本人：绑定微信、修改密码")


class OwnPasswordIn(InSchema):
    current = ma.fields.String(required=True, validate=length(200))
    new = ma.fields.String(required=True, validate=length(200))


@bp.post("/password")
@staff_required()
@bp.arguments(OwnPasswordIn)
def change_password(data):
    """Change one's own password (the current one is asked first)."""
    change_own_password(g.staff, data["current"], data["new"])
    return {"ok": True}


@bp.post("/wechat-qr")
@bp.doc(responses=json_object("绑定微信的临时二维码"))
@staff_required()
def binding_qr():
    """A temporary QR code (10 minutes, one scan) whose scan binds the caller's WeChat."""
    return wechat_binding.create_binding_qr(g.staff)


@bp.get("/wechat")
@bp.doc(responses=json_object("是否已绑定微信"))
@staff_required()
def binding_state():
    """Whether the caller's WeChat is bound (the console polls it while the QR code is shown)."""
    return {"bound": bool(g.staff.openid)}

"""Staff bind their WeChat (for alerts) by scanning a temporary QR code shown in the console,
instead of an admin typing an openid. The scene names the staff member, the time and an HMAC of
both and the openid bound *before* the scan: once the scan binds, the code no longer matches —
each code binds once — and it expires after 10 minutes like the QR code itself."""
import hashlib
import hmac
import time

from flask import current_app

from models.staff import Staff
from service import audit
from service.errors import Conflict
from service.extensions import db

PREFIX = "staff"
LIFETIME = 600  # seconds: the temporary QR code's expire_seconds and the scene's age limit


def _mac(staff_id: int, issued: int, openid: str | None) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"bind:{staff_id}:{issued}:{openid or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def make_scene(staff: Staff, now: float | None = None) -> str:
    """`staff:<id>.<issued>.<mac>` (well under WeChat's 64 characters)."""
    issued = int(now if now is not None else time.time())
    return f"{PREFIX}:{staff.id}.{issued}.{_mac(staff.id, issued, staff.openid)}"


def create_binding_qr(staff: Staff) -> dict:
    """A temporary QR code (QR_STR_SCENE) whose scan binds this staff member's WeChat."""
    from service.wechat import client as wechat_client

    ticket, _url = wechat_client.create_qrcode(make_scene(staff), permanent=False, expire_seconds=LIFETIME)
    return {"image_url": wechat_client.api().qrcode_image_url(ticket), "expires_in": LIFETIME,
            "bound": bool(staff.openid)}


def bind_by_scene(value: str, openid: str, now: float | None = None) -> Staff:
    """The scan's scene value (after "staff:") binds `openid`; Conflict with a Chinese reason."""
    try:
        staff_part, issued_part, mac = value.split(".")
        staff_id, issued = int(staff_part), int(issued_part)
    except ValueError:
        raise Conflict("二维码无效，请在工作台重新生成") from None
    staff = db.session.get(Staff, staff_id) if 0 < staff_id < 2 ** 31 else None
    if staff is None or not staff.active:
        raise Conflict("二维码无效，请在工作台重新生成")
    if (now if now is not None else time.time()) - issued > LIFETIME:
        raise Conflict("二维码已过期，请在工作台重新生成")
    if not hmac.compare_digest(mac, _mac(staff.id, issued, staff.openid)):
        raise Conflict("二维码已使用或已失效，请在工作台重新生成")
    staff.openid = openid
    audit.record("staff.bind_wechat", staff=staff, subject_type="staff", subject_id=staff.id,
                 federation_id=staff.federation_id)
    db.session.flush()
    return staff

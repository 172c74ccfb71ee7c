"""The electronic member card and its QR code (DESIGN §4 Join).

The QR code holds a link to the public verify page with a signed token
(itsdangerous URLSafeTimedSerializer with SECRET_KEY) that expires after CARD_TOKEN_MAX_AGE
seconds, so a screenshot of the card stops working soon. Verification says valid or invalid,
names the federation and shows the surname only — never the ID number.
"""
import io
from urllib.parse import parse_qs, urlparse

import segno
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from models.base import utcnow
from models.membership import EMPLOYMENT_FORM_LABELS, LIVE_MEMBERSHIP_STATUSES, Application, Membership
from models.worker import Worker
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.membership.members import status_label
from service.privacy.fields import mask_name
from service import clock

SALT = "gonglian.member-card"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def own_membership(worker: Worker) -> Membership:
    """The worker's live membership, or their last one (so a withdrawn card says so)."""
    membership = db.session.scalar(
        select(Membership).where(Membership.worker_id == worker.id)
        .order_by(Membership.status.in_(LIVE_MEMBERSHIP_STATUSES).desc(), Membership.id.desc()).limit(1))
    if membership is None:
        raise NotFound("您还不是工会会员", code="not_a_member")
    return membership


def card_token(membership: Membership) -> str:
    return _serializer().dumps({"m": membership.id})


def token_from_scan(scanned: str | None) -> str:
    """The token in what a scanner read off the card: the verify link (t=…) or the bare token."""
    scanned = (scanned or "").strip()
    if "://" in scanned or "?" in scanned:
        params = parse_qs(urlparse(scanned).query)
        scanned = (params.get("t") or params.get("token") or [""])[0]
    return scanned


def membership_from_token(token: str | None) -> Membership:
    """The membership a card token was made for; raises Conflict (expired) or Invalid (not ours)."""
    try:
        data = _serializer().loads(token_from_scan(token), max_age=current_app.config["CARD_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise Conflict("会员卡二维码已过期，请让职工刷新会员卡页面后重新出示", code="card_expired") from None
    except BadSignature:
        raise Invalid("无法识别的会员卡二维码", fields={"token": "无法识别的会员卡二维码"}) from None
    membership_id = data.get("m") if isinstance(data, dict) else None
    membership = db.session.get(Membership, membership_id) if isinstance(membership_id, int) else None
    if membership is None:
        raise NotFound("查无此会员", code="unknown_member")
    return membership


def verify_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/h5/verify.html?t={token}"


def card(worker: Worker) -> dict:
    """What the card page shows."""
    membership = own_membership(worker)
    application = db.session.get(Application, membership.application_id) if membership.application_id else None
    return {
        "id": membership.id,
        "name": worker.name,
        "id_masked": worker.id_masked,
        "member_no": membership.member_no,
        "federation": membership.federation.name,
        "federation_id": membership.federation_id,
        "joined_on": clock.date_text(membership.joined_at),
        "status": membership.status,
        "status_label": status_label(membership.status),
        "retained_reason": membership.retained_reason,
        "transfer_to": membership.transfer_to.name if membership.transfer_to else None,
        "transfer_released": bool(membership.transfer_released_at),
        "employment_form": EMPLOYMENT_FORM_LABELS.get(application.employment_form) if application else None,
        "valid": membership.status in LIVE_MEMBERSHIP_STATUSES,
        "qr_max_age": current_app.config["CARD_TOKEN_MAX_AGE"],
    }


def qr_svg(worker: Worker) -> bytes:
    """A fresh QR code (SVG) linking to the verify page; only for a live membership."""
    membership = own_membership(worker)
    if membership.status not in LIVE_MEMBERSHIP_STATUSES:
        raise NotFound("会员卡已失效", code="card_invalid")
    qr = segno.make_qr(verify_url(card_token(membership)), error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="会员卡核验二维码")
    return buffer.getvalue()


def _invalid(reason: str, message: str) -> dict:
    return {"valid": False, "reason": reason, "message": message, "checked_at": utcnow().isoformat(timespec="seconds")}


def verify(token: str | None) -> dict:
    """Check a card token: valid or not, the federation, the surname only."""
    if not token:
        return _invalid("missing", "缺少核验参数，请扫描会员卡上的二维码")
    try:
        membership = membership_from_token(token)
    except Conflict:
        return _invalid("expired", "二维码已过期，请会员刷新会员卡后重新出示")
    except Invalid:
        return _invalid("bad_token", "二维码无效，不是本平台签发的会员卡")
    except NotFound:
        return _invalid("unknown", "查无此会员")
    if membership.status not in LIVE_MEMBERSHIP_STATUSES:
        return _invalid("withdrawn", "该会员已退会，会员卡已失效")
    return {
        "valid": True,
        "reason": None,
        "message": "有效会员",
        "name": mask_name(membership.worker.name),
        "federation": membership.federation.name,
        "status": membership.status,
        "status_label": status_label(membership.status),
        "joined_year": (clock.date_text(membership.joined_at) or "")[:4],
        "checked_at": utcnow().isoformat(timespec="seconds"),
    }

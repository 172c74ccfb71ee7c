"""Canned replies: ready-made texts per federation that staff pick and edit before sending."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models.request import CannedReply
from models.staff import Staff
from service import audit
from service.errors import Conflict, Invalid
from service.extensions import db
from service.staff.scope import require_role, require_scope
from service.staff.scope import get_in_scope


def _clean(title: str | None, body: str | None) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not 1 <= len(title) <= 50:
        errors["title"] = "标题应为1–50个字"
    if not 1 <= len(body) <= 2000:
        errors["body"] = "内容应为1–2000个字"
    if errors:
        raise Invalid(fields=errors)
    return title, body


def list_replies(staff: Staff, federation_id: int | None = None) -> list[CannedReply]:
    """The canned replies of a federation in scope (the staff member's own by default)."""
    federation_id = federation_id or staff.federation_id
    require_scope(staff, federation_id)
    return list(db.session.scalars(select(CannedReply).where(CannedReply.federation_id == federation_id)
                                   .order_by(CannedReply.title)))


def _get(staff: Staff, reply_id: int) -> CannedReply:
    return get_in_scope(staff, CannedReply, reply_id, message="找不到该快捷回复")


def _flush_unique(reply: CannedReply) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(f"已有标题为“{reply.title}”的快捷回复") from None


def create_reply(staff: Staff, *, title: str, body: str, federation_id: int | None = None) -> CannedReply:
    require_role(staff, "admin", "chair")
    federation_id = federation_id or staff.federation_id
    require_scope(staff, federation_id)
    title, body = _clean(title, body)
    reply = CannedReply(federation_id=federation_id, title=title, body=body, created_by_id=staff.id)
    db.session.add(reply)
    _flush_unique(reply)
    audit.record("canned_reply.create", staff=staff, subject_type="canned_reply", subject_id=reply.id,
                 federation_id=federation_id)
    return reply


def update_reply(staff: Staff, reply_id: int, *, title: str, body: str) -> CannedReply:
    require_role(staff, "admin", "chair")
    reply = _get(staff, reply_id)
    reply.title, reply.body = _clean(title, body)
    _flush_unique(reply)
    audit.record("canned_reply.update", staff=staff, subject_type="canned_reply", subject_id=reply.id,
                 federation_id=reply.federation_id)
    return reply


def delete_reply(staff: Staff, reply_id: int) -> None:
    require_role(staff, "admin", "chair")
    reply = _get(staff, reply_id)
    audit.record("canned_reply.delete", staff=staff, subject_type="canned_reply", subject_id=reply.id,
                 federation_id=reply.federation_id, detail={"title": reply.title})
    db.session.delete(reply)
    db.session.flush()

"""Canned replies: ready-made texts per federation that staff pick and edit before sending."""
from sqlalchemy import select

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


def _refuse_taken_title(federation_id: int, title: str, reply_id: int | None = None) -> None:
    """Titles are unique per federation: a taken one is a Conflict (checked before anything is
    flushed; a concurrent twin still meets the unique index, which the commit point answers 409)."""
    query = select(CannedReply.id).where(CannedReply.federation_id == federation_id, CannedReply.title == title)
    if reply_id is not None:
        query = query.where(CannedReply.id != reply_id)
    with db.session.no_autoflush:
        taken = db.session.scalar(query.limit(1))
    if taken is not None:
        raise Conflict(f"已有标题为“{title}”的快捷回复", fields={"title": "该标题已被使用"})


def create_reply(staff: Staff, *, title: str, body: str, federation_id: int | None = None) -> CannedReply:
    require_role(staff, "admin", "chair")
    federation_id = federation_id or staff.federation_id
    require_scope(staff, federation_id)
    title, body = _clean(title, body)
    _refuse_taken_title(federation_id, title)
    reply = CannedReply(federation_id=federation_id, title=title, body=body, created_by_id=staff.id)
    db.session.add(reply)
    db.session.flush()
    audit.record("canned_reply.create", staff=staff, subject_type="canned_reply", subject_id=reply.id,
                 federation_id=federation_id)
    return reply


def update_reply(staff: Staff, reply_id: int, *, title: str, body: str) -> CannedReply:
    require_role(staff, "admin", "chair")
    reply = _get(staff, reply_id)
    title, body = _clean(title, body)
    _refuse_taken_title(reply.federation_id, title, reply.id)
    reply.title, reply.body = title, body
    db.session.flush()
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

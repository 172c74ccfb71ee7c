"""The outbox's dead letters for staff (handlers/api/outbox_staff.py)."""
from marshmallow import fields

from handlers.schemas.base import OutSchema, UtcDateTime


class DeadLetterOut(OutSchema):
    id = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    reason = fields.String()
    error = fields.String(allow_none=True)
    attempts = fields.Integer()
    channel = fields.String(allow_none=True)
    text = fields.String()
    created_at = UtcDateTime()
    subject_type = fields.String(allow_none=True)
    subject_id = fields.Integer(allow_none=True)


class RetriedOut(OutSchema):
    id = fields.Integer()
    status = fields.String()

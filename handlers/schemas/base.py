"""The one input base and the one output base of every schema.

`InSchema` answers in Chinese, whatever produced the message: marshmallow's own field and schema
messages ("Missing data for required field.", "Not a valid integer.", NaN/Infinity, "Number too
large.") and its validators' (Length, Range, OneOf, Regexp) unless a field gives its own. Unknown
fields are refused (marshmallow's default). webargs' "Invalid JSON body." is translated where the
error leaves (service/errors.py). `OutSchema` is what we answer: times leave as UTC ISO with a Z."""
import re

import marshmallow as ma
from marshmallow import validate

# Messages meant for people, by marshmallow's error key.
FIELD_MESSAGES = {
    "required": "请填写此项",
    "null": "此项不能为空",
    "invalid": "格式有误",
    "type": "格式有误",
    "validator_failed": "格式有误",
    "format": "格式有误",
    "invalid_awareness": "时间格式有误",
    "special": "不能是 NaN 或无穷大",
    "too_large": "数值过大",
    "invalid_utf8": "含有无效字符",
    "invalid_uuid": "格式有误",
    "unknown": "不在可选范围内",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese(message) -> bool:
    return isinstance(message, str) and bool(_CJK.search(message))


def _validator_in_chinese(validator) -> None:
    if _chinese(getattr(validator, "error", None)):
        return
    if isinstance(validator, validate.Length):
        low, high, equal = validator.min, validator.max, validator.equal
        validator.error = (f"长度应为{equal}个字符" if equal is not None
                           else f"长度应为{low}至{high}个字符" if low and high is not None
                           else f"不超过{high}个字符" if high is not None else f"至少{low}个字符")
    elif isinstance(validator, validate.Range):
        low, high = validator.min, validator.max
        validator.error = (f"应在{low}至{high}之间" if low is not None and high is not None
                           else f"不能小于{low}" if low is not None else f"不能大于{high}")
    elif isinstance(validator, validate.OneOf):
        validator.error = "不在可选范围内"
    elif isinstance(validator, validate.Regexp):
        validator.error = "格式有误"


def chinese_field(field: ma.fields.Field) -> None:
    """Give a field (and the fields inside it) Chinese messages wherever it has English ones."""
    for key, message in list(field.error_messages.items()):
        if not _chinese(message):
            field.error_messages[key] = FIELD_MESSAGES.get(key, "格式有误")
    for validator in field.validators:
        _validator_in_chinese(validator)
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None), getattr(field, "value_field", None),
                  *getattr(field, "tuple_fields", ())):
        if isinstance(inner, ma.fields.Field):
            chinese_field(inner)


class InSchema(ma.Schema):
    """What clients send. Every message is Chinese; unknown fields are refused."""

    error_messages = {"unknown": "不支持的字段", "type": "提交的内容格式有误"}

    def on_bind_field(self, field_name, field_obj):
        chinese_field(field_obj)


def utc(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


class UtcDateTime(ma.fields.DateTime):
    """Stored times are naive UTC; say so on the way out."""

    def _serialize(self, value, attr, obj, **kwargs):
        return utc(value)


class OutSchema(ma.Schema):
    """What we answer (dumped, never loaded from clients)."""


def length(maximum: int, minimum: int = 0) -> validate.Length:
    """A length rule with its Chinese message."""
    return validate.Length(min=minimum or None, max=maximum,
                           error=f"长度应为{minimum}至{maximum}个字符" if minimum else f"不超过{maximum}个字符")

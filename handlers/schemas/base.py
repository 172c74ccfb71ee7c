"""The one input base and the one output base of every schema.

`InSchema` answers in Chinese, whatever produced the message: marshmallow's own field and schema
messages ("Missing data for required field.", "Not a valid integer.", NaN/Infinity, "Number too
large.") and its validators' (Length, Range, OneOf, Regexp) unless a field gives its own. Unknown
fields are refused (marshmallow's default). webargs' "Invalid JSON body." is translated where the
error leaves (service/errors.py). `OutSchema` is what we answer: times leave as UTC ISO with a Z.

What no input may carry into the database, refused here once for every schema:
- an integer outside PostgreSQL's INTEGER (every `Integer` field gets that bound, documented as
  minimum/maximum in the OpenAPI document), and infinity/NaN (marshmallow's own check);
- a NUL byte or a lone surrogate in any string, however deep (PostgreSQL cannot store or even
  compare them).
`Scalar` is the field for free-form values (a form's type-specific answers): a string, number,
boolean or null, never a list or an object. `ErrorOut` documents the one error shape."""
import math
import re
import types

import marshmallow as ma
from marshmallow import validate

from handlers.request_guards import INT_MAX, has_bad_text

INT_MIN = -(2**31)

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


def _bound_integers(field: ma.fields.Field) -> None:
    if isinstance(field, ma.fields.Integer) and not any(
            isinstance(v, validate.Range) and v.min is not None and v.max is not None
            and INT_MIN <= v.min and v.max <= INT_MAX for v in field.validators):
        field.validators.append(validate.Range(INT_MIN, INT_MAX, error="数值超出范围"))


def chinese_field(field: ma.fields.Field) -> None:
    """Give a field (and the fields inside it) Chinese messages wherever it has English ones;
    bound integers to what the database holds."""
    _bound_integers(field)
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

    @ma.pre_load(pass_collection=True)
    def _refuse_bad_text(self, data, **kwargs):
        """No NUL byte or lone surrogate in any string of the input (keys included)."""
        bad = _bad_text_paths(data)
        if bad:
            raise ma.ValidationError({path: ["含有无效字符"] for path in bad})
        return data


def _bad_text_paths(data, path: str = "", depth: int = 0) -> list[str]:
    if isinstance(data, str):
        return [path or "_"] if has_bad_text(data) else []
    if depth > 64:  # request_guards bounds JSON depth long before this
        return []
    found = []
    if isinstance(data, (list, tuple)):
        for item in data:
            found += _bad_text_paths(item, path, depth + 1)
    elif hasattr(data, "keys"):
        for key in list(data.keys()):
            label = key if isinstance(key, str) and not has_bad_text(key) else "_"
            if isinstance(key, str) and has_bad_text(key):
                found.append(label)
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            for value in values:
                found += _bad_text_paths(value, path or label, depth + 1)
    return sorted(set(found))


class Scalar(ma.fields.Field):
    """A free-form value: a string (at most `max_length`), a finite number within the INTEGER
    range, a boolean or null — never a list or an object."""

    default_error_messages = {"invalid": "应为文字、数字或是否", "too_long": "内容过长"}

    def __init__(self, max_length: int = 3000, **kwargs):
        kwargs.setdefault("allow_none", True)
        metadata = {"description": f"文字（至多{max_length}字）、数字或是否", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, str):
            if len(value) > self.max_length:
                raise self.make_error("too_long")
            return value
        if isinstance(value, int) and INT_MIN <= value <= INT_MAX:
            return value
        if isinstance(value, float) and math.isfinite(value) and abs(value) < 1e15:
            return value
        raise self.make_error("invalid")


def utc(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


class UtcDateTime(ma.fields.DateTime):
    """Stored times are naive UTC; say so on the way out."""

    def _serialize(self, value, attr, obj, **kwargs):
        return utc(value)


class OutSchema(ma.Schema):
    """What we answer (dumped, never loaded from clients). Every date-time leaves as UTC with a Z
    (RFC 3339, as the document's format: date-time promises), whichever DateTime field declared it."""

    def on_bind_field(self, field_name, field_obj):
        if type(field_obj) is ma.fields.DateTime:
            field_obj._serialize = types.MethodType(UtcDateTime._serialize, field_obj)


class ErrorBodyOut(OutSchema):
    code = ma.fields.String(required=True, metadata={"description": "机器可读的错误码，如 validation_error"})
    message = ma.fields.String(required=True, metadata={"description": "给人看的中文说明"})
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(),
                            metadata={"description": "按字段的中文说明（仅校验错误）"})


class ErrorOut(OutSchema):
    """Every 4xx/5xx: {"error": {"code", "message", "fields"?}} (service/errors.py)."""

    error = ma.fields.Nested(ErrorBodyOut, required=True)


def length(maximum: int, minimum: int = 0) -> validate.Length:
    """A length rule with its Chinese message."""
    return validate.Length(min=minimum or None, max=maximum,
                           error=f"长度应为{minimum}至{maximum}个字符" if minimum else f"不超过{maximum}个字符")

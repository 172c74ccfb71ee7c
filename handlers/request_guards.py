"""Checks every request passes before any view or parser sees it, so that no input can reach a
database or a parser it would break:

- ids in paths: `<int:…>` is bounded to what an INTEGER column holds (1 … 2^31−1); a larger or
  zero id is a 404 like any id that does not exist, before the view runs (PostgreSQL would
  refuse to compare 2^31 with an INTEGER column, SQLite anything past 2^63);
- the path, query string and form fields (names, values, file names) may not hold a NUL byte or
  a lone UTF-16 surrogate (PostgreSQL refuses to store or compare either; both are 400);
- a JSON body is at most MAX_JSON_BYTES and nests at most MAX_JSON_DEPTH arrays/objects deep,
  checked on the raw bytes before the JSON parser recurses (5,000 levels crash Python's).

JSON strings are checked by the schemas (handlers/schemas/base.py) where they are loaded."""
import re

from flask import Flask, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from service.errors import HTTP_MESSAGES, BadRequest

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
# A JSON string (possibly unterminated: then it runs to the end, so the scan stays linear) or a bracket.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.S)
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class IdConverter(IntegerConverter):
    """`<int:…>` for ids: 1 … 2^31−1; any other number is a 404 whatever the method (an id
    that cannot exist, not a route that does not: no 405 for a PATCH of a huge id)."""

    def __init__(self, map, fixed_digits=0, min=1, max=INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        number = int(value)
        if not self.min <= number <= self.max:
            raise NotFound()
        return number


def has_bad_text(value: str) -> bool:
    """True when `value` holds a NUL byte or a lone surrogate (not storable text)."""
    return bool(_BAD_TEXT.search(value))


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the arrays/objects in `raw` nest deeper than `limit` (strings are skipped)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def _check_text() -> None:
    if has_bad_text(request.path):
        raise BadRequest("地址中含有无效字符", code="invalid_characters")
    for source, label in ((request.args, "查询参数"), (request.form, "表单")):
        for key, values in source.lists():
            if has_bad_text(key) or any(has_bad_text(v) for v in values):
                raise BadRequest(f"{label}中含有无效字符", code="invalid_characters",
                                 fields={key if not has_bad_text(key) else "_": "含有无效字符"})
    for key, upload in request.files.items(multi=True):
        if has_bad_text(key) or has_bad_text(upload.filename or ""):
            raise BadRequest("文件名中含有无效字符", code="invalid_characters", fields={"file": "文件名含有无效字符"})


def _check_json() -> None:
    if not request.is_json or request.content_length == 0:
        return
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise _TooLarge()
    raw = request.get_data(cache=True)  # kept for the parser that runs next
    if len(raw) > MAX_JSON_BYTES:
        raise _TooLarge()
    if json_too_deep(raw):
        raise BadRequest(f"提交的内容嵌套过深（至多{MAX_JSON_DEPTH}层）", code="json_too_deep")


class _TooLarge(BadRequest):
    status = 413
    code = "payload_too_large"
    message = HTTP_MESSAGES[413]


def guard_request():
    _check_text()
    _check_json()


def install_request_guards(app: Flask) -> None:
    """Bound `<int:…>` (call before any blueprint is registered) and check every request."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(guard_request)


"""Domain errors and the one error shape: {"error": {"code", "message", "fields"?}}.

Services raise the AppError subclasses below; every 4xx/5xx leaves the app through
``register_error_handlers`` in that shape, with a message in Chinese for people.
"""
import logging

from flask import jsonify
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from service.extensions import db

log = logging.getLogger(__name__)


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.fields = fields or None


class BadRequest(AppError):
    pass


class Invalid(AppError):
    """Input that breaks a rule; ``fields`` maps field names to messages."""

    status = 422
    code = "validation_error"
    message = "提交的内容有误，请检查后重试"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    message = "请先登录"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    message = "没有权限执行此操作"


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = "找不到该记录"


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = "操作与当前状态冲突"


# Chinese texts for the HTTP errors Flask/werkzeug raise on their own.
HTTP_MESSAGES = {
    400: "请求格式有误",
    401: "请先登录",
    403: "没有权限执行此操作",
    404: "页面或记录不存在",
    405: "不支持该请求方法",
    409: "操作与当前状态冲突",
    413: "提交的内容过大",
    415: "不支持的内容类型",
    422: "提交的内容有误，请检查后重试",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后再试",
    503: "服务暂时不可用，请稍后再试",
}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


# Messages webargs makes itself, before any schema runs (the schemas' own are Chinese already).
WEBARGS_MESSAGES = {"Invalid JSON body.": "请求内容不是有效的 JSON"}


def _chinese(messages):
    if isinstance(messages, str):
        return WEBARGS_MESSAGES.get(messages, messages)
    if isinstance(messages, list):
        return [_chinese(m) for m in messages]
    if isinstance(messages, dict):
        return {key: _chinese(value) for key, value in messages.items()}
    return messages


def _flatten(messages) -> dict:
    """webargs puts body errors under a location key ("json", "query"); drop that level."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "files", "headers", "cookies"}:
        merged: dict = {}
        for value in messages.values():
            merged.update(value if isinstance(value, dict) else {"_": value})
        messages = merged
    messages = _chinese(messages)
    out = {}
    for key, value in (messages or {}).items():
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out[key] = "；".join(value)
        else:
            out[key] = value
    return out


def register_error_handlers(app):
    @app.errorhandler(AppError)
    def handle_app_error(error: AppError):
        return error_response(error.status, error.code, error.message, error.fields)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        return error_response(400, "csrf_failed", "页面已过期或来源不明，请刷新页面后重试")

    @app.errorhandler(RateLimitExceeded)
    def handle_rate_limited(error: RateLimitExceeded):
        message = error.description if error.limit and error.limit.error_message else HTTP_MESSAGES[429]
        return error_response(429, "rate_limited", message)  # Flask-Limiter adds Retry-After

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        fields = _flatten(data.get("messages")) if "messages" in data else None
        code = "validation_error" if status == 422 else (error.name or "error").lower().replace(" ", "_")
        message = HTTP_MESSAGES.get(status, error.name)
        response = error_response(status, code, message, fields)
        for key, value in (data.get("headers") or {}).items():
            response.headers[key] = value
        if status == 405 and error.get_headers():
            for key, value in error.get_headers():
                if key.lower() == "allow":
                    response.headers[key] = value
        return response

    # Safety nets: the schemas and services refuse such input first; if one slips through, the
    # database's refusal is the client's error (a 4xx), never a 500.
    @app.errorhandler(IntegrityError)
    def handle_integrity_error(error: IntegrityError):
        db.session.rollback()
        log.warning("integrity error answered 409: %s", type(error.orig).__name__)
        return error_response(409, "conflict", "数据已被他人修改或重复提交，请刷新后重试")

    @app.errorhandler(DataError)
    def handle_data_error(error: DataError):
        db.session.rollback()
        log.warning("data error answered 422: %s", type(error.orig).__name__)
        return error_response(422, "validation_error", "提交的数据超出允许的范围")

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error")
        db.session.rollback()
        return error_response(500, "internal_error", HTTP_MESSAGES[500])

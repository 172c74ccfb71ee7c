"""Logs: one JSON object per line (python-json-logger) or plain text, each with a request id.

The request id comes from the X-Request-Id header (nginx sets it: `proxy_set_header X-Request-Id
$request_id`) or is made here, is sent back in the response and is on every record logged while
the request runs. No personal data: ID and mobile numbers are masked by service.privacy.pii's
record factory, and nothing here logs a query string or a body.
"""
import contextvars
import logging
import re
import sys
import uuid

from flask import Flask, request

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_configured = {"done": False}
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


def configure(fmt: str = "text") -> None:
    """Give every record a request id; log to stderr in `fmt` unless logging is set up already."""
    if _configured["done"]:
        return
    _configured["done"] = True
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    logging.setLogRecordFactory(factory)
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                             json_ensure_ascii=False)
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")


def register_request_id(app: Flask) -> None:
    @app.before_request
    def _take_request_id():
        given = request.headers.get("X-Request-Id", "")
        request.environ["gonglian.request_id"] = rid = given if _VALID_ID.match(given) else uuid.uuid4().hex
        request.environ["gonglian.request_id_token"] = REQUEST_ID.set(rid)

    @app.after_request
    def _send_request_id(response):
        rid = request.environ.get("gonglian.request_id")
        if rid:
            response.headers["X-Request-Id"] = rid
        return response

    @app.teardown_request
    def _forget_request_id(error=None):
        token = request.environ.pop("gonglian.request_id_token", None)
        if token is not None:
            REQUEST_ID.reset(token)

"""Logs: one JSON object per line (python-json-logger) or plain text, each with a request id.

The request id comes from the X-Request-Id header (nginx sets it: `proxy_set_header X-Request-Id
$request_id`) or is made here, is sent back in the response and is on every record logged while
the request runs. No personal data: ID and mobile numbers are masked by service.privacy.pii's
record factory, and nothing here logs a query string or a body.
"""
import contextvars
import itertools
import os
import logging
import re
import sys
import uuid

from flask import Flask, request

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_configured = {"done": False}
_ids = {"pid": None, "prefix": "", "count": itertools.count()}


def new_request_id() -> str:
    """A unique id without a system call per request: a random per-process prefix and a counter."""
    if _ids["pid"] != os.getpid():
        _ids.update(pid=os.getpid(), prefix=uuid.uuid4().hex[:16], count=itertools.count())
    return f"{_ids['prefix']}{next(_ids['count']):016x}"
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


def take_request_id(environ: dict) -> str:
    """Take the request id from X-Request-Id (when well formed) or make one; start the timer for
    service.metrics. Also called by the callback's edge (handlers/wechat/edge.py)."""
    import time

    given = environ.get("HTTP_X_REQUEST_ID", "")
    environ["gonglian.request_id"] = rid = given if given and _VALID_ID.match(given) else new_request_id()
    environ["gonglian.started"] = time.perf_counter()
    REQUEST_ID.set(rid)
    return rid


def register_request_id(app: Flask) -> None:
    """One hook before and one after each request: take or make the request id, start the timer."""

    @app.before_request
    def _take_request_id():
        take_request_id(request.environ)

    @app.after_request
    def _send_request_id(response):
        rid = request.environ.get("gonglian.request_id")
        if rid:
            response.headers["X-Request-Id"] = rid
        REQUEST_ID.set("-")
        return response

"""The callback's edge: WeChat's POST and GET /wechat, served ahead of Flask's request machinery.

The callback is a server-to-server call signed by WeChat, answered inside WeChat's 5 seconds and
by far the busiest path. None of what Flask runs around a browser's request applies to it: no
cookie session, no CSRF token (WeChat signs instead), no per-address rate limit (the only caller
is WeChat's servers), no content-security policy on an XML answer. So a WSGI layer in front of the
app answers it with the same two functions the Flask routes call (handlers/wechat/__init__.py),
inside the app's context, with what every request gets: a request id (X-Request-Id and every log
line), the request counted and timed in /metrics by the same endpoint names, and no exception
left unanswered. It speaks WSGI itself for the usual answer (a text or XML body: the query parsed
once, the body read from a bounded stream, the status line and three headers written directly);
errors are Flask responses as everywhere else. Everything else, /wechat with any other method
included, goes to Flask.
"""
import logging
from urllib.parse import parse_qsl

from flask import current_app, has_app_context
from werkzeug.wsgi import get_content_length, get_input_stream

from handlers.wechat import Text, receive_delivery, verify_url

from service.errors import HTTP_MESSAGES, error_response
from service.extensions import db
from service.logs import REQUEST_ID, take_request_id
from service.metrics import observe_request

log = logging.getLogger(__name__)
PATH = "/wechat"
ENDPOINTS = {"POST": "wechat.receive", "GET": "wechat.verify"}


class CallbackEdge:
    def __init__(self, app, inner):
        self.app = app
        self.inner = inner

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != PATH or method not in ENDPOINTS:
            return self.inner(environ, start_response)
        rid = take_request_id(environ)
        # Like Flask: use the app context already pushed for this app (tests), else push one.
        reuse = has_app_context() and current_app._get_current_object() is self.app
        context = None if reuse else self.app.app_context()
        if context is not None:
            context.push()
        try:
            args = _query(environ.get("QUERY_STRING", ""))
            try:
                if method == "POST":
                    length = get_content_length(environ)
                    # With a length, read the server's input up to it (as werkzeug's limited stream
                    # would, without wrapping it); else werkzeug decides what may be read.
                    stream = environ["wsgi.input"] if length is not None else get_input_stream(environ)
                    answer = receive_delivery(args, stream, length)
                else:
                    answer = verify_url(args)
            except Exception:  # never a bare 500: the same JSON error every other route answers
                log.exception("wechat callback failed")
                db.session.rollback()
                answer = error_response(500, "internal_error", HTTP_MESSAGES[500])
            status = 200 if isinstance(answer, Text) else answer.status_code
            observe_request(ENDPOINTS[method], method, status, environ.get("gonglian.started"))
            if not isinstance(answer, Text):
                answer.headers["X-Request-Id"] = rid
                return answer(environ, start_response)
        finally:
            REQUEST_ID.set("-")
            if context is not None:
                context.pop()
        body = answer.body.encode()
        start_response("200 OK", [("Content-Type", answer.content_type), ("Content-Length", str(len(body))),
                                  ("X-Request-Id", rid)])
        return [body]


def _query(query_string: str) -> dict[str, str]:
    """The query's parameters, the first value of each (WeChat sends each once). WeChat's query is
    plain (hex, digits, an openid of letters, digits, - and _): split directly; anything escaped
    goes through parse_qsl."""
    args: dict[str, str] = {}
    if "%" in query_string or "+" in query_string:
        pairs = parse_qsl(query_string, keep_blank_values=True)
    else:
        pairs = (part.partition("=")[::2] for part in query_string.split("&") if part)
    for key, value in pairs:
        args.setdefault(key, value)
    return args


"""The callback's edge: WeChat's POST and GET /wechat, served ahead of Flask's request machinery.

The callback is a server-to-server call signed by WeChat, answered inside WeChat's 5 seconds and
by far the busiest path. None of what Flask runs around a browser's request applies to it: no
cookie session, no CSRF token (WeChat signs instead), no per-address rate limit (the only caller
is WeChat's servers), no content-security policy on an XML answer. So a WSGI layer in front of the
app answers it with the same two functions the Flask routes call (handlers/wechat/__init__.py),
inside the app's context, with what every request gets: a request id (X-Request-Id and every log
line), the request counted and timed in /metrics by the same endpoint names, and no exception
left unanswered. Everything else, /wechat with any other method included, goes to Flask.
"""
import logging

from flask import current_app, has_app_context
from werkzeug.wrappers import Request

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
        from handlers.wechat import receive_delivery, verify_url

        rid = take_request_id(environ)
        # Like Flask: use the app context already pushed for this app (tests), else push one.
        reuse = has_app_context() and current_app._get_current_object() is self.app
        context = None if reuse else self.app.app_context()
        if context is not None:
            context.push()
        try:
            request = Request(environ)
            try:
                response = receive_delivery(request) if method == "POST" else verify_url(request)
            except Exception:  # never a bare 500: the same JSON error every other route answers
                log.exception("wechat callback failed")
                db.session.rollback()
                response = error_response(500, "internal_error", HTTP_MESSAGES[500])
            response.headers["X-Request-Id"] = rid
            observe_request(ENDPOINTS[method], method, response.status_code, environ.get("gonglian.started"))
        finally:
            REQUEST_ID.set("-")
            if context is not None:
                context.pop()
        return response(environ, start_response)

"""The gunicorn worker we run (gunicorn.conf.py): gunicorn's threaded worker, except that what
gunicorn refuses itself, before the app sees the request (a request line past
limit_request_line, too many or too large headers, a malformed request), is answered in our one
error shape, {"error": {"code", "message"}}, instead of gunicorn's HTML page."""
import json

from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine, ParseException
from gunicorn.workers.gthread import ThreadWorker

REFUSALS = {  # exception → (status, reason phrase, code, message)
    LimitRequestLine: (414, "URI Too Long", "request_line_too_long", "请求地址过长"),
    LimitRequestHeaders: (431, "Request Header Fields Too Large", "headers_too_large", "请求头过大"),
}
BAD_REQUEST = (400, "Bad Request", "bad_request", "请求格式有误")
SERVER_ERROR = (500, "Internal Server Error", "internal_error", "服务器内部错误，请稍后再试")


def error_bytes(status: int, reason: str, code: str, message: str) -> bytes:
    """A complete HTTP/1.1 answer carrying the error shape."""
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class JsonErrorsWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        refusal = next((v for k, v in REFUSALS.items() if isinstance(exc, k)), None)
        if refusal is None and isinstance(exc, ParseException):
            refusal = BAD_REQUEST
        if refusal is None:  # not a refusal of gunicorn's: its own handling (logs the traceback)
            self.log.exception("Error handling request")
            refusal = SERVER_ERROR
        else:
            self.log.warning("refused a request from %s: %s", (addr or ("",))[0], type(exc).__name__)
        try:
            client.sendall(error_bytes(*refusal))
        except Exception:
            self.log.debug("Failed to send error message.")

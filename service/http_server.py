"""The gunicorn worker we run (gunicorn.conf.py): gunicorn's threaded worker, except that what
gunicorn refuses itself, before the app sees the request (a request line past
limit_request_line, too many or too large headers, a malformed request), is answered in our one
error shape, {"error": {"code", "message"}}, instead of gunicorn's HTML page. And gunicorn's
logger, except that an access-log line is made from the atoms its format names only."""
import json
import traceback

from gunicorn.glogging import Logger
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine, ParseException
from gunicorn.workers.gthread import ThreadWorker

from service.privacy.pii import scrub

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


class _Atoms(dict):
    """gunicorn's access-log atoms, each made when the format asks for it: gunicorn's own
    `atoms()` formats every request header, response header and environ entry for every line,
    which cost more than answering a WeChat callback. The common atoms are made directly (with
    the same escaping of '"' as gunicorn's SafeAtoms); any other falls back to gunicorn's.

    Every value that comes from the request (the path, headers…) is scrubbed of personal numbers
    here, one short value at a time, so the line is not scrubbed again as a whole
    (service/privacy/pii.py skips a record whose arguments say `scrubbed`)."""

    scrubbed = True
    OURS = frozenset("tmsBM")  # made here: no personal data

    def __init__(self, logger, resp, req, environ, request_time):
        super().__init__(h=environ.get("REMOTE_ADDR", "-"))  # never empty: logging unwraps a mapping only then
        self._made = (logger, resp, req, environ, request_time)
        self._all = None

    def __missing__(self, key: str):
        logger, resp, req, environ, request_time = self._made
        if key == "t":
            value = logger.now()
        elif key == "m":
            value = environ.get("REQUEST_METHOD")
        elif key == "U":
            value = environ.get("PATH_INFO")
        elif key == "s":
            value = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        elif key == "B":
            value = getattr(resp, "sent", None)
        elif key == "M":
            value = request_time.seconds * 1000 + request_time.microseconds // 1000
        elif key.startswith("{") and key.endswith("}o"):
            wanted = key[1:-2].lower()
            value = next((v for k, v in resp.headers if k.lower() == wanted), "-")
        else:
            if self._all is None:
                from gunicorn.glogging import SafeAtoms

                self._all = SafeAtoms(logger.atoms(resp, req, environ, request_time))
            value = self._all[key]  # escaped already
            self[key] = value = scrub(value) if isinstance(value, str) else value
            return value
        if isinstance(value, str):
            value = value.replace('"', '\\"')
            if key not in self.OURS:
                value = scrub(value)
        self[key] = value
        return value


class AccessLogger(Logger):
    """gunicorn's logger, with atoms made on demand (the same lines, for a fraction of the cost)."""

    def access(self, resp, req, environ, request_time):
        cfg = self.cfg
        if not (cfg.accesslog or cfg.logconfig or cfg.logconfig_dict or cfg.logconfig_json
                or (cfg.syslog and not cfg.disable_redirect_access_to_syslog)):
            return
        try:
            self.access_log.info(cfg.access_log_format, _Atoms(self, resp, req, environ, request_time))
        except Exception:
            self.error(traceback.format_exc())

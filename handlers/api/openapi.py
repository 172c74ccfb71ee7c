"""What /api/openapi.json says beyond the schemas: who may call each operation and the files some
operations answer.

- Security schemes: `session` (the signed Flask session cookie: a staff login, or a worker's
  openid learned through WeChat OAuth) and `csrf` (the X-CSRF-Token header, which every change —
  POST, PUT, PATCH, DELETE — must carry; the token comes from GET /api/auth/session or the login
  answer and is bound to the session cookie). `login_required(view, "staff" | "worker")` marks an
  operation (handlers/api/staff_auth.py does it in its decorators); the plugin below turns marks and
  methods into each operation's `security` and an `x-login` saying who must be logged in.
- `file_response(...)`: the 200 of an operation that answers a CSV, SVG or PNG file.
- Errors: every documented error response is `ErrorOut` (handlers/schemas/base.py), set in the
  factory as flask-smorest's ERROR_SCHEMA.
- Limits below the app (gunicorn.conf.py, answered in the same error shape by
  service/http_server.py): a request line over 8190 bytes is a 414 request_line_too_long, more
  than 100 headers or one over 8190 bytes a 431 headers_too_large; a JSON body over 1 MiB is a
  413 and one nested over 32 levels a 400 json_too_deep (handlers/request_guards.py)."""
from apispec import BasePlugin
from flask_smorest import Blueprint

WRITES = {"post", "put", "patch", "delete"}
SECURITY_SCHEMES = {
    "session": {"type": "apiKey", "in": "cookie", "name": "session",
                "description": "登录会话（员工登录，或职工经微信网页授权）：签名的 Flask 会话 Cookie"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
             "description": "每个修改请求（POST/PUT/PATCH/DELETE）必须带上；取自 GET /api/auth/session 或登录的回答，"
                            "与会话 Cookie 绑定"},
}


def login_required(view, who: str):
    """Mark `view` as needing a logged-in `who` ("staff" or "worker") in the OpenAPI document."""
    return Blueprint.doc(**{"x-login": who})(view)


def file_response(*content_types: str, description: str) -> dict:
    """`responses` for @bp.doc: a 200 that is a file of one of `content_types`."""
    return {"200": {"description": description, "content": {
        kind: {"schema": {"type": "string", "format": "binary"}} for kind in content_types}}}


class SecurityPlugin(BasePlugin):
    """Each operation's `security`: the session for marked operations, the session and the CSRF
    header for every change."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict) or method == "parameters":
                continue
            if method in WRITES:
                operation["security"] = [{"session": [], "csrf": []}]
            elif operation.get("x-login"):
                operation["security"] = [{"session": []}]
            else:
                operation["security"] = [{}]


def register_security_schemes(api) -> None:
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)


def json_object(description: str) -> dict:
    """`responses` for @bp.doc: a 200 that is a JSON object not (yet) described by a schema."""
    return {"200": {"description": description,
                    "content": {"application/json": {"schema": {"type": "object"}}}}}

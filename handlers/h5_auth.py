"""WeChat OAuth (snsapi_base) for the worker H5 pages: learn the openid, keep it in the
signed session (session["openid"]), go back to the page that asked.

GET /h5/auth/start?next=/h5/join.html?fed=3 → WeChat's authorize page
GET /h5/auth/callback?code=…&state=…         → back to `next` (same-site /h5/ paths only)
"""
import logging
import secrets
import string
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, current_app, redirect, request, session
from markupsafe import escape

from handlers.api.staff_auth import WORKER_SESSION_KEY
from service.wechat import client as wechat_client

log = logging.getLogger(__name__)
bp = Blueprint("h5_auth", __name__, url_prefix="/h5/auth")

STATE_KEY = "oauth_states"
STATE_CHARS = string.ascii_letters + string.digits
STATE_LENGTH = 32  # WeChat allows [A-Za-z0-9], at most 128 bytes
MAX_PENDING = 5  # a few tabs may be authorising at once
DEFAULT_NEXT = "/h5/join.html"


def safe_next(value: str | None) -> str:
    """`value` if it is a path of this site under /h5/ (not the auth routes), else the default."""
    value = (value or "").strip()
    if not value or any(c in value for c in "\\\r\n\t") or any(ord(c) < 32 for c in value):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/h5/") or value.startswith("//"):
        return DEFAULT_NEXT
    if parts.path.startswith("/h5/auth/") or ".." in parts.path:
        return DEFAULT_NEXT
    return value


def new_state() -> str:
    return "".join(secrets.choice(STATE_CHARS) for _ in range(STATE_LENGTH))


def _page(message: str, status: int, retry: str | None = None) -> Response:
    link = f'<p><a href="{escape(retry)}">重新打开</a></p>' if retry else ""
    html = ('<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<title>工联</title><body style="font:16px sans-serif;padding:2em;text-align:center;color:#555">'
            f'<p>{escape(message)}</p>{link}</body></html>')
    return Response(html, status=status, content_type="text/html; charset=utf-8")


@bp.get("/start")
def start():
    """Remember a random state with where to go afterwards; send the browser to WeChat."""
    state = new_state()
    pending = dict(list((session.get(STATE_KEY) or {}).items())[-(MAX_PENDING - 1):])
    pending[state] = safe_next(request.args.get("next"))
    session[STATE_KEY] = pending
    redirect_uri = f"{current_app.config['PUBLIC_BASE_URL']}/h5/auth/callback"
    return redirect(wechat_client.oauth_authorize_url(redirect_uri, state), code=302)


@bp.get("/callback")
def callback():
    """Check the state, exchange the code once for the openid, go back to the page."""
    state = request.args.get("state", "")
    pending = dict(session.get(STATE_KEY) or {})
    next_path = pending.pop(state, None) if state else None
    if next_path is None:
        return _page("授权已失效或来源不明，请重新打开页面。", 400, "/h5/auth/start?next=" + quote(DEFAULT_NEXT, safe="/"))
    session[STATE_KEY] = pending
    retry = "/h5/auth/start?next=" + quote(next_path, safe="/")
    code = request.args.get("code", "")
    if not code:
        return _page("未获得微信授权，无法办理。", 400, retry)
    try:
        openid = wechat_client.fetch_oauth_openid(code)
    except Exception as error:  # an invalid or used code, or WeChat unreachable
        log.warning("h5 oauth: code exchange failed: %s", type(error).__name__)
        return _page("微信授权失败，请重新打开页面。", 502, retry)
    session[WORKER_SESSION_KEY] = openid
    return redirect(next_path, code=302)

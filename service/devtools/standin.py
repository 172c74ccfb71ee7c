"""The local WeChat stand-in's rules and state (development and tests only).

Plays WeChat's API server for the adapter (service/wechat/client.py): issues and checks
access tokens, keeps QR codes, knows which simulated user follows and when they last wrote,
enforces the customer-service window, records every message the service sends and injects
faults on demand. Functions flush; the stand-in's HTTP handlers commit.
"""
import secrets
import time
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from models.base import utcnow
from models.simulator import (
    SimCall, SimFault, SimMedia, SimMenu, SimMessage, SimOAuthCode, SimQrCode, SimToken, SimUser,
)
from service.extensions import db

WINDOW_AFTER_MESSAGE = timedelta(hours=48)
WINDOW_AFTER_EVENT = timedelta(minutes=1)
QUOTA_AFTER_MESSAGE = 5
QUOTA_AFTER_EVENT = 3
OLD_TOKEN_GRACE = timedelta(minutes=5)  # a new /cgi-bin/token leaves the old one this long
OAUTH_CODE_LIFE = timedelta(minutes=5)
CLIENT_MSG_ID_LIFE = timedelta(minutes=10)
ERRMSG = {
    0: "ok", -1: "system error", 40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid", 40013: "invalid appid", 40016: "invalid button size", 40029: "invalid code",
    40037: "invalid template_id", 40125: "invalid appsecret", 40163: "code been used",
    41001: "access_token missing", 42001: "access_token expired", 43004: "require subscribe",
    45015: "response out of time limit or subscription is canceled", 45047: "out of response count limit",
    47001: "data format error", 47003: "argument invalid", 40007: "invalid media_id",
}
MENU_MAX_BUTTONS, MENU_MAX_SUB_BUTTONS = 3, 5


def error(errcode: int, errmsg: str | None = None) -> dict:
    return {"errcode": errcode, "errmsg": errmsg or ERRMSG.get(errcode, "error")}


# --- calls and faults ----------------------------------------------------------------------
def record_call(endpoint: str, errcode: int = 0) -> None:
    db.session.execute(insert(SimCall).values(endpoint=endpoint, errcode=errcode))  # no ORM object to flush


def count_calls(endpoint: str) -> int:
    return db.session.scalar(select(func.count()).select_from(SimCall).where(SimCall.endpoint == endpoint)) or 0


def add_fault(endpoint: str, *, errcode: int | None = None, http_status: int | None = None,
              delay: float | None = None, times: int = 1) -> SimFault:
    fault = SimFault(endpoint=endpoint.strip("/"), errcode=errcode, http_status=http_status, delay=delay,
                     times_left=max(1, int(times)))
    db.session.add(fault)
    db.session.flush()
    return fault


def take_fault(endpoint: str) -> SimFault | None:
    """Consume one injected fault for `endpoint`: one UPDATE that decrements the oldest fault
    still left (`times_left = times_left - 1`, guarded by `times_left > 0`), so concurrent calls
    each take one use and nobody retries on a stale count. Another caller that takes the last
    use between our SELECT and UPDATE makes the UPDATE miss: look again (the fault is gone)."""
    while True:
        fault_id = db.session.scalar(select(SimFault.id).where(SimFault.endpoint == endpoint, SimFault.times_left > 0)
                                     .order_by(SimFault.id).limit(1))
        if fault_id is None:
            return None
        taken = db.session.execute(
            update(SimFault).where(SimFault.id == fault_id, SimFault.times_left > 0)
            .values(times_left=SimFault.times_left - 1).execution_options(synchronize_session=False)
        ).rowcount
        if taken:
            return db.session.get(SimFault, fault_id)


def apply_delay(seconds: float) -> None:
    """Wait out an injected fault's delay or the stand-in's latency per call (WECHAT_SIM_LATENCY:
    WeChat's round trip, for benchmarks), at most 30 seconds."""
    if seconds > 0:
        time.sleep(min(seconds, 30.0))


def reset(everything: bool = False) -> None:
    """Clear injected faults; with `everything`, forget all stand-in state."""
    db.session.execute(delete(SimFault))
    if everything:
        for model in (SimCall, SimToken, SimQrCode, SimUser, SimMessage, SimMedia, SimOAuthCode, SimMenu):
            db.session.execute(delete(model))
    db.session.flush()


# --- access tokens --------------------------------------------------------------------------
def _new_token(kind: str, ttl: int) -> SimToken:
    token = SimToken(token=f"SIM_{kind.upper()}_{secrets.token_urlsafe(24)}", kind=kind,
                     expires_at=utcnow() + timedelta(seconds=ttl))
    db.session.add(token)
    db.session.flush()
    return token


def issue_token(ttl: int) -> SimToken:
    """/cgi-bin/token: always a new token; the previous ones stay valid about 5 more minutes."""
    now = utcnow()
    db.session.execute(update(SimToken).where(SimToken.kind == "token", SimToken.expires_at > now + OLD_TOKEN_GRACE)
                       .values(expires_at=now + OLD_TOKEN_GRACE))
    return _new_token("token", ttl)


def stable_token(ttl: int, force_refresh: bool = False) -> SimToken:
    """/cgi-bin/stable_token: the same token while it is valid, unless force_refresh."""
    now = utcnow()
    current = db.session.scalar(select(SimToken).where(SimToken.kind == "stable", SimToken.expires_at > now)
                                .order_by(SimToken.expires_at.desc()))
    if current is not None and not force_refresh:
        return current
    return _new_token("stable", ttl)


def check_token(token: str | None) -> int:
    """0 when usable, else WeChat's errcode: 41001 missing, 40001 unknown, 42001 expired."""
    if not token:
        return 41001
    expires_at = db.session.scalar(select(SimToken.expires_at).where(SimToken.token == token))
    if expires_at is None:
        return 40001
    return 42001 if expires_at <= utcnow() else 0


def expire_tokens() -> int:
    return db.session.execute(update(SimToken).values(expires_at=utcnow() - timedelta(seconds=1))).rowcount or 0


def seconds_left(token: SimToken) -> int:
    return max(1, int((token.expires_at - utcnow()).total_seconds()))


# --- QR codes -------------------------------------------------------------------------------
def create_qrcode(scene: str, permanent: bool, expire_seconds: int | None, base_url: str) -> SimQrCode:
    """A permanent QR code is created once per scene (WeChat returns the same ticket again)."""
    if permanent:
        existing = db.session.scalar(select(SimQrCode).where(SimQrCode.scene == scene, SimQrCode.permanent.is_(True)))
        if existing is not None:
            return existing
    ticket = "gQ" + secrets.token_urlsafe(30)
    expires = None if permanent else utcnow() + timedelta(seconds=expire_seconds or 2592000)
    code = SimQrCode(ticket=ticket, scene=scene, permanent=permanent, expires_at=expires,
                     url=f"{base_url}/q/{ticket}")
    db.session.add(code)
    db.session.flush()
    return code


def qrcode_for(ticket: str) -> SimQrCode | None:
    code = db.session.get(SimQrCode, ticket)
    if code is None or (code.expires_at is not None and code.expires_at <= utcnow()):
        return None
    return code


# --- simulated users ------------------------------------------------------------------------
def get_user(openid: str, create: bool = False) -> SimUser | None:
    user = db.session.get(SimUser, openid)
    if user is None and create:
        user = SimUser(openid=openid, following=False)
        db.session.add(user)
        db.session.flush()
    return user


def note_action(openid: str, action: str) -> SimUser:
    """What the user just did, as WeChat tracks it: writing opens the 48-hour window, a click,
    scan or follow the 1-minute window; follow/unfollow change `following`."""
    user = get_user(openid, create=True)
    now = utcnow()
    if action in ("text", "image", "voice", "location"):
        user.last_wrote_at = now
    elif action in ("subscribe", "scan", "click", "view"):
        user.last_event_at = now
    if action == "subscribe":
        user.following = True
    elif action == "unsubscribe":
        user.following = False
    db.session.flush()
    return user


def _custom_sent_since(openid: str, since: datetime) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SimMessage)
        .where(SimMessage.openid == openid, SimMessage.source == "custom", SimMessage.created_at >= since)
    ) or 0


def custom_send_errcode(openid: str) -> int:
    """WeChat's rules for a customer-service message to `openid` (0: allowed)."""
    user = get_user(openid)
    if user is None:
        return 40003
    if not user.following:
        return 43004
    now = utcnow()
    after_message = user.last_wrote_at is not None and now - user.last_wrote_at < WINDOW_AFTER_MESSAGE
    after_event = user.last_event_at is not None and now - user.last_event_at < WINDOW_AFTER_EVENT
    if not after_message and not after_event:
        return 45015
    if after_message and _custom_sent_since(openid, user.last_wrote_at) < QUOTA_AFTER_MESSAGE:
        return 0
    if after_event and _custom_sent_since(openid, user.last_event_at) < QUOTA_AFTER_EVENT:
        return 0
    return 45047


def template_errcode(openid: str, template_id: str, data: dict, known_templates) -> int:
    following = db.session.scalar(select(SimUser.following).where(SimUser.openid == openid))
    if following is None:
        return 40003
    if not following:
        return 43004
    if not template_id or template_id not in set(known_templates):
        return 40037
    if not isinstance(data, dict):
        return 47001
    for item in data.values():
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or len(value) > 20 or "\n" in value:
            return 47003  # since 2023: ≤ 20 characters, no newlines
    return 0


def recent_template_id(openid: str, client_msg_id: str) -> int | None:
    """The msgid of a template sent to `openid` with this client_msg_id in the last 10 minutes."""
    return db.session.scalar(select(SimMessage.id).where(
        SimMessage.openid == openid, SimMessage.client_msg_id == client_msg_id,
        SimMessage.created_at > utcnow() - CLIENT_MSG_ID_LIFE))


# --- the conversation -----------------------------------------------------------------------
def record_message(openid: str, source: str, kind: str, payload: dict, client_msg_id: str | None = None) -> int:
    """A message of the conversation (one INSERT, no ORM object); returns its id (WeChat's msgid)."""
    return db.session.scalar(insert(SimMessage).values(
        openid=openid, source=source, kind=kind, payload=payload, client_msg_id=client_msg_id).returning(SimMessage.id))


def messages_since(openid: str, after: int = 0, sources: tuple[str, ...] | None = None, limit: int = 200):
    query = select(SimMessage).where(SimMessage.openid == openid, SimMessage.id > after)
    if sources:
        query = query.where(SimMessage.source.in_(sources))
    return list(db.session.scalars(query.order_by(SimMessage.id).limit(limit)))


# --- media, menu, OAuth ---------------------------------------------------------------------
def store_media(data: bytes, content_type: str, openid: str | None) -> SimMedia:
    media = SimMedia(media_id=secrets.token_urlsafe(24), openid=openid, content_type=content_type, data=data)
    db.session.add(media)
    db.session.flush()
    return media


# Button types whose tap reaches the server with the button's key (WeChat: key is required).
KEYED_BUTTONS = ("click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin",
                 "location_select")


def menu_errcode(menu: dict) -> int:
    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MENU_MAX_BUTTONS:
        return 40016
    for button in buttons:
        subs = button.get("sub_button") or []
        if len(subs) > MENU_MAX_SUB_BUTTONS:
            return 40016
        for item in [button] if not subs else subs:
            if not item.get("name") or (item.get("type") in KEYED_BUTTONS and not item.get("key")):
                return 47001
    return 0


def save_menu(menu: dict) -> SimMenu:
    row = SimMenu(menu=menu)
    db.session.add(row)
    db.session.flush()
    return row


def current_menu() -> dict | None:
    row = db.session.scalar(select(SimMenu).order_by(SimMenu.id.desc()))
    return row.menu if row else None


def issue_oauth_code(openid: str) -> str:
    code = secrets.token_urlsafe(24)
    db.session.add(SimOAuthCode(code=code, openid=openid, expires_at=utcnow() + OAUTH_CODE_LIFE))
    db.session.flush()
    return code


def redeem_oauth_code(code: str) -> tuple[int, str | None]:
    """(0, openid) once per code; 40163 when already used, 40029 when unknown or expired."""
    row = db.session.get(SimOAuthCode, code or "")
    if row is None or row.expires_at <= utcnow():
        return 40029, None
    used = db.session.execute(update(SimOAuthCode).where(SimOAuthCode.code == code, SimOAuthCode.used_at.is_(None))
                              .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    return (0, row.openid) if used else (40163, None)

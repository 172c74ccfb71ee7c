"""The phone simulator's user: what a simulated WeChat user does, delivered to our callback
over real HTTP exactly as WeChat's server would (built, signed and, in safe mode, encrypted
by service/wechat_peer.WeChatPeer). Development and tests only.

A push is three steps so no database write is held open across the HTTP call:
`prepare_push` (flush; the handler commits), `deliver` (HTTP), `record_reply` (flush).

A location_select menu button is two deliveries, as WeChat makes them: the `location_select`
event with the place in SendLocationInfo, then the same place as an ordinary `location`
message (the bubble the user sees in the chat). `Push.then` holds the second.
"""
import calendar
import re
import time
from dataclasses import dataclass
from datetime import datetime

import requests

from service.devtools import standin
from service.errors import Invalid, NotFound
from service.devtools.wechat_peer import WeChatPeer
from service.positions.geo import valid_point

ACTIONS = ("text", "click", "scan", "subscribe", "unsubscribe", "image", "location", "location_select")
# Places the simulated user can send (GCJ-02, as WeChat's location picker gives them).
PLACES = [
    {"label": "石家庄市长安区中山东路（快递网点）", "latitude": 38.04201, "longitude": 114.53795},
    {"label": "石家庄市长安区建设北大街", "latitude": 38.05122, "longitude": 114.52603},
    {"label": "石家庄市裕华区槐安东路", "latitude": 38.00570, "longitude": 114.56930},
    {"label": "石家庄站", "latitude": 38.01080, "longitude": 114.48210},
    {"label": "唐山市路南区", "latitude": 39.62500, "longitude": 118.17400},
]
OPENID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
NO_SERVICE = "该公众号暂时无法提供服务，请稍后再试"


@dataclass
class Push:
    openid: str
    xml: str
    safe: bool
    then: str | None = None  # a second delivery right after the first (location_select's location)


def peer_for(config) -> WeChatPeer:
    return WeChatPeer(config["WECHAT_TOKEN"], config["WECHAT_APPID"], config["WECHAT_AES_KEY"])


def check_openid(openid: str | None) -> str:
    if not openid or not OPENID.match(openid):
        raise Invalid(fields={"openid": "openid 只能包含字母、数字、- 和 _，最长 64 位"})
    return openid


def _event_time(user) -> int:
    """Events are de-duplicated by sender + CreateTime: give each event of a user its own second."""
    now = int(time.time())
    if user.last_event_at is not None:
        now = max(now, calendar.timegm(user.last_event_at.utctimetuple()) + 1)
    return now


def _note_event(user, action: str) -> int:
    create_time = _event_time(user)
    standin.note_action(user.openid, action)
    user.last_event_at = datetime.utcfromtimestamp(create_time)
    return create_time


def prepare_push(config, openid: str, action: str, *, content: str | None = None, key: str | None = None,
                 ticket: str | None = None, media_id: str | None = None, pic_url: str = "",
                 location: dict | None = None, safe: bool = False) -> Push:
    """Build the delivery for a user action and note it as WeChat would (window, following)."""
    openid = check_openid(openid)
    if action not in ACTIONS:
        raise Invalid(fields={"action": "不支持的操作"})
    if safe and not config["WECHAT_AES_KEY"]:
        raise Invalid(fields={"safe": "未配置 WECHAT_AES_KEY，无法使用安全模式"})
    peer = peer_for(config)
    user = standin.get_user(openid, create=True)
    if action == "text":
        if not (content or "").strip():
            raise Invalid(fields={"content": "请输入内容"})
        standin.note_action(openid, "text")
        xml, shown = peer.text(openid, content), {"text": content}
    elif action == "image":
        if not media_id:
            raise Invalid(fields={"media_id": "缺少图片"})
        standin.note_action(openid, "image")
        xml, shown = peer.image(openid, media_id, pic_url), {"media_id": media_id}
    elif action == "scan":
        code = standin.qrcode_for(ticket or "")
        if code is None:
            raise NotFound("二维码不存在或已过期")
        new_follower = not user.following
        create_time = _note_event(user, "subscribe" if new_follower else "scan")
        xml = peer.scan(openid, code.scene, new_follower=new_follower, ticket=code.ticket, create_time=create_time)
        shown = {"event": "subscribe" if new_follower else "SCAN", "scene": code.scene}
    elif action in ("location", "location_select"):
        place = _place(location)
        if action == "location":
            standin.note_action(openid, "location")
            xml = peer.location(openid, place["latitude"], place["longitude"], label=place["label"])
            shown = {"location": place}
        else:
            if not key:
                raise Invalid(fields={"key": "缺少菜单 key"})
            create_time = _note_event(user, "click")
            xml = peer.location_select(openid, key, place["latitude"], place["longitude"], label=place["label"],
                                       create_time=create_time)
            then = peer.location(openid, place["latitude"], place["longitude"], label=place["label"])
            standin.record_message(openid, "user", "location", {"location": place, "key": key, "safe": safe})
            return Push(openid, xml, safe, then=then)
        standin.record_message(openid, "user", "location", {**shown, "safe": safe})
        return Push(openid, xml, safe)
    elif action == "click":
        if not key:
            raise Invalid(fields={"key": "缺少菜单 key"})
        create_time = _note_event(user, "click")
        xml, shown = peer.event(openid, "CLICK", key, create_time=create_time), {"event": "CLICK", "key": key}
    else:  # subscribe / unsubscribe
        create_time = _note_event(user, action)
        xml, shown = peer.event(openid, action, create_time=create_time), {"event": action}
    standin.record_message(openid, "user", "event" if "event" in shown else action, {**shown, "safe": safe})
    return Push(openid, xml, safe)


def _place(location) -> dict:
    """A location the user picked: latitude and longitude in range, a label of up to 100 characters."""
    if not isinstance(location, dict):
        raise Invalid(fields={"location": "请选择位置"})
    point = valid_point(location.get("latitude"), location.get("longitude"))
    if point is None:
        raise Invalid(fields={"location": "纬度应在 -90 至 90、经度应在 -180 至 180 之间"})
    label = location.get("label") if isinstance(location.get("label"), str) else ""
    return {"latitude": point[0], "longitude": point[1], "label": label.strip()[:100] or "地图选点"}


def deliver(config, push: Push, server_url: str, timeout: float = 10.0) -> dict:
    """POST the delivery to `server_url`/wechat; the passive reply as a dict (or None)."""
    peer = peer_for(config)
    delivery = peer.deliver(push.xml, encrypt=push.safe)
    started = time.perf_counter()
    try:
        response = requests.post(f"{server_url.rstrip('/')}/wechat", params=delivery.args,
                                 data=delivery.body.encode("utf-8"),
                                 headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=timeout)
    except requests.RequestException as error:
        return {"status": None, "reply": None, "error": type(error).__name__, "encrypted": push.safe,
                "elapsed_ms": int((time.perf_counter() - started) * 1000)}
    elapsed = int((time.perf_counter() - started) * 1000)
    reply = None
    if response.status_code == 200:
        try:
            reply = peer.read_reply(response.text, delivery)
        except Exception:  # a reply we cannot read is what WeChat shows as "no service"
            reply = {"MsgType": "unreadable"}
    return {"status": response.status_code, "reply": reply, "encrypted": "<Encrypt>" in response.text,
            "elapsed_ms": elapsed}


def record_reply(openid: str, result: dict) -> None:
    """Put the passive reply into the conversation, or WeChat's «no service» note on failure."""
    reply = result.get("reply")
    if result.get("status") != 200 or (reply or {}).get("MsgType") == "unreadable" or result["elapsed_ms"] > 5000:
        standin.record_message(openid, "reply", "error", {"text": NO_SERVICE, "status": result.get("status")})
        return
    if not reply:
        return  # "success": WeChat shows nothing
    kind = reply.get("MsgType", "text")
    if kind == "text":
        payload = {"text": reply.get("Content", "")}
    elif kind == "news":
        item = ((reply.get("Articles") or {}).get("item")) or {}
        item = item[0] if isinstance(item, list) else item
        payload = {"title": item.get("Title"), "description": item.get("Description"), "url": item.get("Url"),
                   "image": item.get("PicUrl")}
    else:
        payload = {"raw": reply}
    standin.record_message(openid, "reply", kind, payload)


def message_out(message) -> dict:
    return {"id": message.id, "source": message.source, "kind": message.kind, "payload": message.payload,
            "at": message.created_at.isoformat() + "Z"}

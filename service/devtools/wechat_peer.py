"""Plays WeChat's server towards our callback: builds message XML, signs it and, in safe mode,
encrypts it exactly as WeChat does. Used by the tests' `wechat` fixture, the phone simulator
and `flask wechat send`, so all three speak the real protocol."""
import base64
import itertools
import secrets
import time
from dataclasses import dataclass
from xml.sax.saxutils import escape

import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from service.wechat.inbound import sign

_msg_ids = itertools.count(int(time.time() * 1000) * 1000)


@dataclass
class SignedDelivery:
    args: dict  # query string WeChat adds: signature, timestamp, nonce[, encrypt_type, msg_signature]
    body: str
    encrypted: bool


class WeChatPeer:
    def __init__(self, token: str, appid: str, aes_key: str | None = None, account: str = "gh_gonglian"):
        self.token = token
        self.appid = appid
        self.aes_key = aes_key
        self.account = account

    # --- messages as WeChat would send them -------------------------------------------------
    def xml(self, openid: str, msg_type: str, create_time: int | None = None, **fields) -> str:
        parts = [
            f"<ToUserName><![CDATA[{self.account}]]></ToUserName>",
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
            f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
            f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
        ]
        for key, value in fields.items():
            if value is None:
                continue
            if isinstance(value, int):
                parts.append(f"<{key}>{value}</{key}>")
            else:  # WeChat wraps strings in CDATA; escape instead so any text survives
                parts.append(f"<{key}>{escape(str(value))}</{key}>")
        return "<xml>" + "".join(parts) + "</xml>"

    def text(self, openid: str, content: str, msg_id: int | None = None, **kw) -> str:
        return self.xml(openid, "text", Content=content, MsgId=msg_id or next(_msg_ids), **kw)

    def image(self, openid: str, media_id: str, pic_url: str = "", msg_id: int | None = None) -> str:
        return self.xml(openid, "image", PicUrl=pic_url, MediaId=media_id, MsgId=msg_id or next(_msg_ids))

    def event(self, openid: str, event: str, key: str | None = None, ticket: str | None = None,
              create_time: int | None = None) -> str:
        return self.xml(openid, "event", create_time=create_time, Event=event, EventKey=key, Ticket=ticket)

    def location(self, openid: str, latitude: float, longitude: float, label: str = "", scale: int = 15,
                 msg_id: int | None = None) -> str:
        """A location the user sent from the chat (＋ → 位置): Location_X is the latitude."""
        return self.xml(openid, "location", Location_X=_number(latitude), Location_Y=_number(longitude),
                        Scale=scale, Label=label, MsgId=msg_id or next(_msg_ids))

    def location_select(self, openid: str, key: str, latitude: float, longitude: float, label: str = "",
                        poiname: str = "", scale: int = 15, create_time: int | None = None) -> str:
        """The event of a location_select menu button: the picked place inside SendLocationInfo."""
        inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in (
            ("Location_X", _number(latitude)), ("Location_Y", _number(longitude)), ("Scale", scale),
            ("Label", label), ("Poiname", poiname)))
        xml = self.xml(openid, "event", create_time=create_time, Event="location_select", EventKey=key)
        return xml.replace("</xml>", f"<SendLocationInfo>{inner}</SendLocationInfo></xml>")

    def location_report(self, openid: str, latitude: float, longitude: float, precision: float = 65.0,
                        create_time: int | None = None) -> str:
        """WeChat's periodic LOCATION report (when the account asks users for their location)."""
        return self.xml(openid, "event", create_time=create_time, Event="LOCATION", Latitude=_number(latitude),
                        Longitude=_number(longitude), Precision=_number(precision))

    def scan(self, openid: str, scene: str, new_follower: bool, ticket: str | None = None,
             create_time: int | None = None) -> str:
        """A QR scan: `subscribe` with qrscene_<scene> for a new follower, `SCAN` for an existing one."""
        if new_follower:
            return self.event(openid, "subscribe", f"qrscene_{scene}", ticket, create_time)
        return self.event(openid, "SCAN", scene, ticket, create_time)

    # --- signing and encryption -------------------------------------------------------------
    def deliver(self, xml: str, encrypt: bool = False, timestamp: int | None = None,
                nonce: str | None = None) -> SignedDelivery:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or secrets.token_hex(5)
        args = {"signature": sign(self.token, ts, nonce), "timestamp": ts, "nonce": nonce,
                "openid": _openid_of(xml)}
        if not encrypt:
            return SignedDelivery(args, xml, False)
        if not self.aes_key:
            raise ValueError("safe mode needs an AES key")
        encrypted = PrpCrypto(base64.b64decode(self.aes_key + "=")).encrypt(xml, self.appid)
        encrypted = encrypted.decode() if isinstance(encrypted, bytes) else encrypted
        body = f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        args.update(encrypt_type="aes", msg_signature=sign(self.token, ts, nonce, encrypted))
        return SignedDelivery(args, body, True)

    def read_reply(self, body: str, delivery: SignedDelivery) -> dict | None:
        """The reply as a dict (decrypted in safe mode); None for 'success' or an empty body."""
        body = (body or "").strip()
        if body in ("", "success"):
            return None
        if delivery.encrypted:
            outer = xmltodict.parse(body)["xml"]
            crypto = WeChatCrypto(self.token, self.aes_key, self.appid)
            body = crypto.decrypt_message(body, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        return xmltodict.parse(body)["xml"]


def _number(value) -> str:
    """Coordinates as WeChat writes them (23.134521); anything else (a test's hostile value) as is."""
    return f"{value:.6f}" if isinstance(value, float) else str(value)


def _openid_of(xml: str) -> str:
    start = xml.find("<FromUserName><![CDATA[")
    if start < 0:
        return ""
    start += len("<FromUserName><![CDATA[")
    return xml[start:xml.find("]]>", start)]


def new_aes_key() -> str:
    """A 43-character EncodingAESKey like the one WeChat's console generates."""
    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")

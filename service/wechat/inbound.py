"""The one adapter between WeChat's callback protocol and our code, built on wechatpy.

It checks signatures (constant time) and timestamps, decrypts safe-mode bodies, parses the
XML defensively and renders replies that stay valid XML whatever the user typed.
wechatpy's own checks are not enough on their own (see shared/WECHAT.md): it compares with
``!=``, ignores the timestamp's age and lets a wrong AES key surface as struct.error.
"""
import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from xml.etree import ElementTree

from wechatpy.events import EVENT_TYPES
from wechatpy.messages import MESSAGE_TYPES, UnknownMessage
from wechatpy.crypto import PrpCrypto, WeChatCrypto


class CallbackRejected(Exception):
    """The delivery is refused: 403 for authentication, 400 for a malformed body."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class WeChatSettings:
    token: str
    appid: str
    aes_key: str | None
    max_skew: int = 300
    max_body: int = 64 * 1024


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the sorted parts joined together."""
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode()).hexdigest()


def verify_signature(expected_parts: tuple[str, ...], signature: str | None) -> None:
    if not signature or not hmac.compare_digest(sign(*expected_parts), signature.lower()):
        raise CallbackRejected(403, "bad signature")


def verify_timestamp(timestamp: str | None, max_skew: int, now: float | None = None) -> None:
    try:
        ts = int(timestamp or "")
    except ValueError:
        raise CallbackRejected(403, "bad timestamp") from None
    if abs((now if now is not None else time.time()) - ts) > max_skew:
        raise CallbackRejected(403, "stale timestamp")


def verify_url(settings: WeChatSettings, args) -> str:
    """GET /wechat: the URL check. Returns echostr when the signature is right."""
    verify_signature((settings.token, args.get("timestamp", ""), args.get("nonce", "")), args.get("signature"))
    return args.get("echostr", "")


def _fields(element) -> dict | str | None:
    """An element as xmltodict would give it: text for a leaf, a dict (lists for repeats) else."""
    children = list(element)
    if not children:
        return element.text
    out: dict = {}
    for child in children:
        value = _fields(child)
        if child.tag in out:
            previous = out[child.tag]
            out[child.tag] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            out[child.tag] = value
    return out


def _safe_xml(raw: bytes | str) -> dict:
    """Parse an XML document with no DTD, no entities and a root named <xml>.

    ElementTree's C parser (expat) instead of xmltodict's Python callbacks: the same fields in a
    fraction of the time. With declarations refused there is nothing for expat to expand."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if "<!" in text.replace("<![CDATA[", ""):
        raise CallbackRejected(400, "DTD or declarations are not allowed")
    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, ValueError, TypeError):
        raise CallbackRejected(400, "malformed XML") from None
    fields = _fields(root)
    if root.tag != "xml" or not isinstance(fields, dict):
        raise CallbackRejected(400, "missing <xml> root")
    return fields


def read_body(settings: WeChatSettings, args, raw: bytes) -> tuple[str, bool]:
    """Authenticate a POST and return (plaintext message XML, was it encrypted)."""
    if len(raw) > settings.max_body:
        raise CallbackRejected(400, "body too large")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CallbackRejected(400, "body is not UTF-8") from None
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    verify_signature((settings.token, timestamp, nonce), args.get("signature"))
    verify_timestamp(timestamp, settings.max_skew)
    if args.get("encrypt_type", "raw") != "aes":
        return raw.decode("utf-8"), False
    if not settings.aes_key:
        raise CallbackRejected(400, "safe mode is not configured")
    outer = _safe_xml(raw)
    encrypted = outer.get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise CallbackRejected(400, "missing Encrypt")
    verify_signature((settings.token, timestamp, nonce, encrypted), args.get("msg_signature"))
    try:
        key = base64.b64decode(settings.aes_key + "=")
        plain = PrpCrypto(key).decrypt(encrypted, settings.appid)
    except Exception:  # wrong key, bad padding, wrong appid: struct.error, UnicodeDecodeError, …
        raise CallbackRejected(403, "cannot decrypt") from None
    return plain if isinstance(plain, str) else plain.decode("utf-8"), True


# The longest value WeChat sends in each field that names a delivery or a user (an openid is 28
# characters, an account id gh_ and 12 more, MsgId a 64-bit number): longer is not from WeChat, and
# would not fit the dedup key or the workers table.
FIELD_LIMITS = {"FromUserName": 64, "ToUserName": 64, "MsgType": 32, "MsgId": 32, "CreateTime": 16,
                "Event": 48}


def parse(xml_text: str):
    """The wechatpy message object for a plaintext body; 400 for anything malformed.
    The XML is parsed once (here) and handed to wechatpy's message classes."""
    fields = _safe_xml(xml_text)
    if not fields.get("MsgType") or not fields.get("FromUserName") or not fields.get("ToUserName"):
        raise CallbackRejected(400, "missing MsgType, FromUserName or ToUserName")
    for name, limit in FIELD_LIMITS.items():
        value = fields.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise CallbackRejected(400, f"{name} is not a short text")
    try:
        return message_from_fields(fields)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CallbackRejected(400, "unparseable message") from None


def message_from_fields(message: dict):
    """wechatpy 1.8.18's parse_message after its xmltodict.parse: the same classes and the same
    rewriting of a scan-to-subscribe event, from the fields we already parsed."""
    message_type = message["MsgType"].lower()
    if message_type == "event" or message_type.startswith("device_"):
        event_type = message["Event"].lower() if "Event" in message else None
        if event_type is None and message_type.startswith("device_"):
            event_type = message_type
        elif message_type.startswith("device_"):
            event_type = f"device_{event_type}"
        if event_type == "subscribe" and message.get("EventKey"):
            event_key = message["EventKey"]
            if event_key.startswith(("scanbarcode|", "scanimage|")):
                event_type = message["Event"] = "subscribe_scan_product"
            elif event_key.startswith("qrscene_"):
                event_type = message["Event"] = "subscribe_scan"
                message["EventKey"] = event_key[len("qrscene_"):]
        return EVENT_TYPES.get(event_type, UnknownMessage)(message)
    return MESSAGE_TYPES.get(message_type, UnknownMessage)(message)


def dedup_key(message) -> str:
    """WeChat retries a delivery up to three times; this key names the delivery."""
    source = message.source
    if message.type == "event":
        raw_event = message._data.get("Event", "")
        return f"e:{source}:{message._data.get('CreateTime', '')}:{raw_event}"
    return f"m:{source}:{message._data.get('MsgId', '')}"


def _cdata(value: str) -> str:
    # "]]>" cannot appear inside CDATA: split it across two sections.
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _envelope(message, msg_type: str, body: str) -> str:
    return (
        "<xml>"
        f"<ToUserName>{_cdata(message.source)}</ToUserName>"
        f"<FromUserName>{_cdata(message.target)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType>{_cdata(msg_type)}</MsgType>"
        f"{body}</xml>"
    )


def text_reply(message, content: str) -> str:
    return _envelope(message, "text", f"<Content>{_cdata(content)}</Content>")


def news_reply(message, title: str, description: str, url: str, image: str = "") -> str:
    """A news reply; WeChat now shows only one article, so it carries exactly one."""
    item = (
        f"<item><Title>{_cdata(title)}</Title><Description>{_cdata(description)}</Description>"
        f"<PicUrl>{_cdata(image)}</PicUrl><Url>{_cdata(url)}</Url></item>"
    )
    return _envelope(message, "news", f"<ArticleCount>1</ArticleCount><Articles>{item}</Articles>")


def encrypt_reply(settings: WeChatSettings, reply_xml: str, nonce: str, timestamp: str) -> str:
    crypto = WeChatCrypto(settings.token, settings.aes_key, settings.appid)
    return crypto.encrypt_message(reply_xml, nonce, timestamp)

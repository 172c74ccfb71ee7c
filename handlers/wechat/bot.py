"""What the bot says. Every reply is short, in Chinese, and sent within WeChat's 5 seconds:
nothing here calls out over the network."""
import time

from flask import current_app
from sqlalchemy import bindparam, select

from handlers.wechat.registry import (fallback, idempotent_if, is_pure, on_click, on_event, on_keyword, on_scene,
                                     pure, scene_handler)
from models.federation import Federation
from models.worker import Worker
from service.wechat import followers as workers
from service.wechat import autocommit
from service.extensions import db
from service.links import h5_url
from service.routing import cache as routing_cache

MENU_TEXT = (
    "您可以点击下方菜单，或直接说出您要办的事，例如：\n"
    "【我要入会】在线申请加入工会\n"
    "【欠薪】【工伤】法律援助、劳动争议调解\n"
    "【竞赛】报名劳动和技能竞赛\n"
    "【会员卡】【我的】会员卡、我的诉求和报名\n"
    "【人工客服】请工会工作人员回复您\n"
    "【驿站】发送位置，查找附近的职工驿站"
)
WELCOME = "您好，欢迎关注工联！这里是区域性、行业性工会联合会的服务平台。\n" + MENU_TEXT
HELP_TEXT = "您目前没有正在办理的诉求，这条消息工作人员看不到。\n" + MENU_TEXT
POLITE_ERROR = "抱歉，系统暂时繁忙，请稍后再试。" + "您也可以点击下方菜单继续办理。"


def link(url: str, label: str) -> str:
    return f'<a href="{url}">{label}</a>'


def _read_name(federation_id: int) -> str | None:
    return db.session.scalar(select(Federation.name).where(Federation.id == federation_id,
                                                           Federation.status != "dissolved"))


class FederationNames:
    """Names of federations that are not dissolved, cached per process: a burst of scans at one
    poster reads the federation once, not once per scan.

    Entries hold under the routing token they were read with: a rename or a dissolution replaces
    the token (models/federation.py), and the token is read again at most every
    WECHAT_NAME_TOKEN_SECONDS (a scan in a burst costs no statement), so a scan that much later
    reads the new name. Entries also expire after WECHAT_NAME_CACHE_SECONDS, for changes made
    behind the ORM's back; 0 reads every time."""

    def __init__(self, max_entries: int = 10000):
        self.max_entries = max_entries
        self._state: tuple[str | None, dict[int, tuple[float, str | None]]] = (None, {})
        self._token_read_at = float("-inf")

    def _token(self, now: float) -> str | None:
        seen = self._state[0]
        if seen is None or now - self._token_read_at >= current_app.config["WECHAT_NAME_TOKEN_SECONDS"]:
            seen, self._token_read_at = routing_cache.current_token(), now
        return seen

    def get(self, federation_id: int) -> str | None:
        """The federation's name, or None if there is no such federation or it is dissolved."""
        max_age = current_app.config["WECHAT_NAME_CACHE_SECONDS"]
        now = time.monotonic()
        token = self._token(now) if max_age > 0 else None
        if token is None:
            return _read_name(federation_id)
        seen, entries = self._state
        if seen != token or len(entries) >= self.max_entries:
            entries = {}
            self._state = (token, entries)  # one swap: a token never meets entries of another
        cached = entries.get(federation_id)
        if cached is None or now - cached[0] >= max_age:
            cached = entries[federation_id] = (now, _read_name(federation_id))
        return cached[1]

    def clear(self) -> None:
        """Forget every name (tests)."""
        self._state = (None, {})
        self._token_read_at = float("-inf")


federation_names = FederationNames()


def _federation_name(value: str) -> tuple[int, str] | None:
    """(id, name) of the federation a `fed:` scene names, if it is not dissolved."""
    if not value.isdigit() or len(value) > 18:
        return None
    federation_id = int(value)
    name = federation_names.get(federation_id)
    return (federation_id, name) if name else None


@on_scene("fed")
@pure  # reads the federation's name
def welcome_to_federation(message, value: str) -> str:
    found = _federation_name(value)
    if found is None:
        return WELCOME
    federation_id, name = found
    return (
        f"您好，欢迎关注！您扫描的是「{name}」的二维码。\n"
        f"{link(h5_url('join', fed=federation_id), '点此申请加入' + name)}\n\n" + MENU_TEXT
    )


def _scan(message, scene: str) -> str:
    handler, value = scene_handler(scene)
    return handler(message, value) if handler else WELCOME


def _follow_only(message) -> bool:
    """A follow, or a scan whose scene only reads (a federation's or a contest's poster): the
    follow's upsert is the only write. A staff member's binding scene writes more."""
    return is_pure(scene_handler(getattr(message, "scene_id", None) or "")[0])


@on_event("subscribe")
@idempotent_if(_follow_only)
def subscribe(message) -> str:
    workers.follow(message.source)
    return WELCOME


@on_event("subscribe_scan")
@idempotent_if(_follow_only)
def subscribe_by_scan(message) -> str:
    scene = message.scene_id or ""
    workers.follow(message.source, scene or None)
    return _scan(message, scene)


@on_event("scan")
@idempotent_if(_follow_only)
def scan(message) -> str:
    scene = message.scene_id or ""
    workers.follow(message.source, scene or None)
    return _scan(message, scene)


@on_event("unsubscribe")
def unsubscribe(message) -> None:
    workers.unfollow(message.source)
    return None


_LAST_SCENE = select(Worker.last_scene).where(Worker.openid == bindparam("openid"))


def _last_federation(openid: str) -> int | None:
    scene = autocommit.scalar(_LAST_SCENE, {"openid": openid})
    prefix, _, value = (scene or "").partition(":")
    return int(value) if prefix == "fed" and value.isdigit() else None


@on_click("JOIN")
@on_keyword("入会", "我要入会", "加入工会", "申请入会", "怎么入会", "入工会")
@pure  # reads the federation last scanned, writes nothing
def join(message) -> str:
    return "加入工会，享受会员服务：\n" + link(h5_url("join", fed=_last_federation(message.source)), "在线申请入会")


HELP_AFTER = "\n提交后，您在对话框发送的文字、语音和图片都会转给办理人。"


@on_click("HELP")
@on_keyword("求助", "我要求助", "法律援助", "法律咨询", "劳动争议", "调解", "维权", "投诉")
@pure
def ask_for_help(message) -> str:
    return (
        "遇到欠薪、工伤、劳动争议？工会联合会为您提供法律援助和调解：\n"
        + link(h5_url("help"), "我要求助") + HELP_AFTER
    )


@on_click("WAGE")
@on_keyword("欠薪", "拖欠工资", "不发工资", "工资没发", "讨薪", "欠工资", "拿不到工资")
@pure
def wage_arrears(message) -> str:
    return "被拖欠工资？工会联合会帮您讨薪：\n" + link(h5_url("help", type="wage_arrears"), "我要反映欠薪") + HELP_AFTER


@on_click("INJURY")
@on_keyword("工伤", "受伤", "工伤认定", "工伤赔偿", "干活受伤")
@pure
def work_injury(message) -> str:
    return "工作中受伤？工会联合会帮您申请工伤认定和赔偿：\n" + link(h5_url("help", type="work_injury"), "我要反映工伤") + HELP_AFTER


@on_click("CONTESTS")
@on_keyword("竞赛", "技能竞赛", "比赛", "报名比赛")
@pure
def contests(message) -> str:
    return "劳动和技能竞赛正在报名：\n" + link(h5_url("contests"), "查看竞赛并报名")


@on_click("ME")
@on_keyword("我的", "会员卡", "我的会员卡", "电子会员卡", "我的诉求", "办理进度", "进度查询")
@pure
def mine(message) -> str:
    return "会员卡（或入会申请进度）、我的诉求和竞赛报名都在这里：\n" + link(h5_url("me"), "打开我的")


@on_click("CARD")
@pure
def card(message) -> str:
    return link(h5_url("card"), "我的会员卡")


@fallback
@pure
def help_text(message) -> str | None:
    if message.type == "event":
        return None  # view clicks, location reports…: nothing to say
    return HELP_TEXT

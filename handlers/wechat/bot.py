"""What the bot says. Every reply is short, in Chinese, and sent within WeChat's 5 seconds:
nothing here calls out over the network."""
from sqlalchemy import select

from handlers.wechat.registry import fallback, on_click, on_event, on_keyword, on_scene, scene_handler
from models.federation import Federation
from service.wechat import followers as workers
from service.extensions import db
from service.links import h5_url

MENU_TEXT = (
    "您可以点击下方菜单（“竞赛”“我的”“附近驿站”在“更多”里），或回复关键词：\n"
    "【入会】在线申请加入工会\n"
    "【求助】法律援助、劳动争议调解、欠薪、工伤\n"
    "【竞赛】报名劳动和技能竞赛\n"
    "【我的】会员卡和我的诉求\n"
    "【驿站】发送位置，查找附近的职工驿站"
)
WELCOME = "您好，欢迎关注工联！这里是区域性、行业性工会联合会的服务平台。\n" + MENU_TEXT
HELP_TEXT = "抱歉，暂时无法识别您的消息。\n" + MENU_TEXT
POLITE_ERROR = "抱歉，系统暂时繁忙，请稍后再试。" + "您也可以点击下方菜单继续办理。"


def link(url: str, label: str) -> str:
    return f'<a href="{url}">{label}</a>'


def _federation_for(value: str) -> Federation | None:
    if not value.isdigit():
        return None
    return db.session.scalar(
        select(Federation).where(Federation.id == int(value), Federation.status != "dissolved")
    )


@on_scene("fed")
def welcome_to_federation(message, value: str) -> str:
    federation = _federation_for(value)
    if federation is None:
        return WELCOME
    return (
        f"您好，欢迎关注！您扫描的是「{federation.name}」的二维码。\n"
        f"{link(h5_url('join', fed=federation.id), '点此申请加入' + federation.name)}\n\n" + MENU_TEXT
    )


def _scan(message, scene: str) -> str:
    handler, value = scene_handler(scene)
    return handler(message, value) if handler else WELCOME


@on_event("subscribe")
def subscribe(message) -> str:
    workers.follow(message.source)
    return WELCOME


@on_event("subscribe_scan")
def subscribe_by_scan(message) -> str:
    scene = message.scene_id or ""
    workers.follow(message.source, scene or None)
    return _scan(message, scene)


@on_event("scan")
def scan(message) -> str:
    scene = message.scene_id or ""
    workers.follow(message.source, scene or None)
    return _scan(message, scene)


@on_event("unsubscribe")
def unsubscribe(message) -> None:
    workers.unfollow(message.source)
    return None


def _last_federation(openid: str) -> int | None:
    worker = workers.get_or_create_worker(openid)
    prefix, _, value = (worker.last_scene or "").partition(":")
    return int(value) if prefix == "fed" and value.isdigit() else None


@on_click("JOIN")
@on_keyword("入会")
def join(message) -> str:
    return "加入工会，享受会员服务：\n" + link(h5_url("join", fed=_last_federation(message.source)), "在线申请入会")


@on_click("HELP")
@on_keyword("求助")
def ask_for_help(message) -> str:
    return (
        "遇到欠薪、工伤、劳动争议？工会联合会为您提供法律援助和调解：\n"
        + link(h5_url("help"), "我要求助")
        + "\n提交后，您可以直接在对话框发送图片作为证据材料。"
    )


@on_click("CONTESTS")
@on_keyword("竞赛")
def contests(message) -> str:
    return "劳动和技能竞赛正在报名：\n" + link(h5_url("contests"), "查看竞赛并报名")


@on_click("ME")
@on_keyword("我的")
def mine(message) -> str:
    return (
        link(h5_url("card"), "我的会员卡") + "\n" + link(h5_url("me"), "我的诉求和报名")
    )


@fallback
def help_text(message) -> str | None:
    if message.type == "event":
        return None  # view clicks, location reports…: nothing to say
    return HELP_TEXT

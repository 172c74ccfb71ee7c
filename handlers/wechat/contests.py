"""The bot's answer to a contest poster's QR code (scene "contest:<id>"): the title, where
registration stands and a sign-up link. Reads the database only; no network calls."""
from handlers.wechat.bot import MENU_TEXT, link
from handlers.wechat.registry import on_scene, pure
from models.base import utcnow
from models.contest import Contest
from service.contests import rules
from service.extensions import db
from service.links import h5_url


@on_scene("contest")
@pure  # reads the contest
def contest_scene(message, value: str) -> str:
    contest = db.session.get(Contest, int(value)) if value.isdigit() else None
    if contest is None or contest.status == "draft":
        return "您好，欢迎关注！该竞赛暂未开放，您可以查看其他竞赛：\n" + link(h5_url("contests"), "查看竞赛") + "\n\n" + MENU_TEXT
    now = utcnow()
    url = h5_url("contest", id=contest.id)
    head = f"您好，欢迎关注！您扫描的是「{contest.title}」的报名二维码（{contest.federation.name}主办）。\n"
    if contest.status == "cancelled":
        return head + "很抱歉，该竞赛已取消。\n" + link(h5_url("contests"), "查看其他竞赛")
    if contest.status == "finished":
        return head + "该竞赛已结束。\n" + link(url, "查看竞赛详情")
    reason = rules.window_reason(contest, now)
    if reason:
        return head + f"{reason}。\n" + link(url, "查看竞赛详情")
    places = f"剩余名额{contest.places_left}个" if contest.places_left else "名额已满，可报名候补"
    return (head + f"报名截止：{rules.fmt(contest.registration_closes_at)}，{places}。\n"
            + link(url, "点此查看详情并报名"))

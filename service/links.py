"""Stable links to the worker H5 pages, used by the bot, templates and notifications."""
from urllib.parse import urlencode

from flask import current_app

PAGES = {
    "join": "join.html",  # 入会
    "help": "help.html",  # 求助
    "contests": "contests.html",  # 竞赛
    "me": "me.html",  # 我的
    "card": "card.html",
    "request": "request.html",
    "contest": "contest.html",
    "positions": "positions.html",  # 服务阵地 near the worker or by region
    "position": "position.html",
}


def h5_url(page: str, **params) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    query = {k: v for k, v in params.items() if v is not None}
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{base}/h5/{PAGES[page]}{suffix}"

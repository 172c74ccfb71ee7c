"""The account's custom menu. Its click keys are what handlers/wechat/bot.py answers.

WeChat allows at most three top-level buttons (more is errcode 40016), so 竞赛 and 我的 sit
under a third button, 更多; the phone simulator draws whatever menu was last pushed.
"""
MENU = {
    "button": [
        {"type": "click", "name": "入会", "key": "JOIN"},
        {"type": "click", "name": "求助", "key": "HELP"},
        {"name": "更多", "sub_button": [
            {"type": "click", "name": "竞赛", "key": "CONTESTS"},
            {"type": "click", "name": "我的", "key": "ME"},
        ]},
    ]
}


def sync_menu(wechat=None) -> dict:
    """Push MENU to WeChat through the adapter; returns WeChat's answer."""
    if wechat is None:
        from service.wechat import client as wechat_client

        wechat = wechat_client.api()
    return wechat.create_menu(MENU)

"""The account's custom menu. Its click keys are what handlers/wechat/bot.py answers.

WeChat allows at most three top-level buttons (more is errcode 40016) and five sub-buttons
each, so 竞赛, 我的 and 附近驿站 (a location_select button) sit under a third button, 更多; the
phone simulator draws whatever menu was last pushed.
"""
MENU = {
    "button": [
        {"type": "click", "name": "入会", "key": "JOIN"},
        {"type": "click", "name": "求助", "key": "HELP"},
        {"name": "更多", "sub_button": [
            {"type": "click", "name": "竞赛", "key": "CONTESTS"},
            {"type": "click", "name": "我的", "key": "ME"},
            # WeChat opens its location picker and sends the choice as a location_select event
            {"type": "location_select", "name": "附近驿站", "key": "NEARBY_POSITIONS"},
        ]},
    ]
}


def sync_menu(wechat=None) -> dict:
    """Push MENU to WeChat through the adapter; returns WeChat's answer."""
    if wechat is None:
        from service.wechat import client as wechat_client

        wechat = wechat_client.api()
    return wechat.create_menu(MENU)

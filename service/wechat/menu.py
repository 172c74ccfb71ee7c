"""The account's custom menu. Its click keys are what handlers/wechat/bot.py answers.

WeChat allows at most three top-level buttons (more is errcode 40016), each with up to five
sub-buttons: 入会 (apply, card, contests), 求助 (the kinds of help, a person, and 附近驿站 — a
location_select button: WeChat opens its location picker and sends the choice as an event, then
as a location message, which handlers/wechat/positions.py answers), and
我的 — one page for card or application, requests and sign-ups — on its own. The phone simulator
draws whatever menu was last pushed.
"""
MENU = {
    "button": [
        {"name": "入会", "sub_button": [
            {"type": "click", "name": "申请入会", "key": "JOIN"},
            {"type": "click", "name": "会员卡", "key": "CARD"},
            {"type": "click", "name": "技能竞赛", "key": "CONTESTS"},
        ]},
        {"name": "求助", "sub_button": [
            {"type": "click", "name": "我要求助", "key": "HELP"},
            {"type": "click", "name": "欠薪", "key": "WAGE"},
            {"type": "click", "name": "工伤", "key": "INJURY"},
            {"type": "click", "name": "人工客服", "key": "HUMAN"},
            {"type": "location_select", "name": "附近驿站", "key": "NEARBY_POSITIONS"},
        ]},
        {"type": "click", "name": "我的", "key": "ME"},
    ]
}


def sync_menu(wechat=None) -> dict:
    """Push MENU to WeChat through the adapter; returns WeChat's answer."""
    if wechat is None:
        from service.wechat import client as wechat_client

        wechat = wechat_client.api()
    return wechat.create_menu(MENU)

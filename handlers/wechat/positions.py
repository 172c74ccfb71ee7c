"""Service positions in the chat: a worker sends their location (the `location` message) or
picks it from the menu (`location_select`) and gets the three nearest open positions at once;
WeChat's periodic `LOCATION` report only updates where the worker was last seen, and gets no
reply (the platform allows none, and a message every few seconds would be spam).

A `location_select` button is two deliveries: WeChat pushes the event (the place inside
SendLocationInfo) and then the same place as an ordinary `location` message, the bubble the user
sees in the chat. Only the message is answered, so the worker gets one list, not two: the event
is answered "success" at once, with no database work."""
from handlers.wechat.registry import on_event, on_keyword, on_message, pure
from service.wechat import followers as workers
from service.links import h5_url
from service.positions.answers import link, nearest_reply, note_location
from service.positions.geo import valid_point

HOW_TO = ("发送您的位置，即可查看离您最近的服务阵地（职工驿站）：点击输入框旁的“＋”→“位置”，"
          "或点击菜单“求助”→“附近驿站”。\n")


def _remember(openid: str, latitude, longitude) -> None:
    point = valid_point(latitude, longitude)
    if point is not None:
        note_location(workers.get_or_create_worker(openid), *point)


@on_message("location")
def location_message(message) -> str:
    """Location_X is the latitude, Location_Y the longitude (WeChat's naming)."""
    _remember(message.source, message.location_x, message.location_y)
    return nearest_reply(message.location_x, message.location_y)


@on_event("location_select")
@pure
def location_selected(message) -> None:
    """The menu's 附近驿站: the location message that follows carries the answer (see above)."""
    return None


@on_event("location")
def location_report(message) -> None:
    """WeChat's automatic report (when the account asks for it): remember, answer nothing."""
    _remember(message.source, message._data.get("Latitude"), message._data.get("Longitude"))
    return None


@on_keyword("驿站", "职工驿站", "服务阵地", "附近驿站")
def how_to_find(message) -> str:
    return HOW_TO + link(h5_url("positions"), "按地区查找服务阵地")

"""What the bot answers when a worker sends their location: the three nearest open positions,
each with its distance, what it offers, whether it is open now (or when it opens) and a link to
its page. Reads the database only; nothing here calls out, so it stays inside WeChat's 5 s."""
from datetime import datetime

from models.base import utcnow
from models.worker import Worker
from service.links import h5_url
from service.positions import areas
from service.positions.geo import format_distance, valid_point
from service.positions.hours import open_state
from service.positions.nearby import MAX_KM, find_nearest

ANSWERED = 3
MAX_FACILITIES_SHOWN = 5
MAX_NAME_SHOWN = 40  # three answers stay well inside a text reply's 2,048 bytes
BAD_LOCATION = "抱歉，没能识别您发送的位置，请点击“＋”→“位置”重新发送。"


def link(url: str, label: str) -> str:
    return f'<a href="{url}">{label}</a>'


def note_location(worker: Worker, latitude: float, longitude: float, at: datetime | None = None) -> None:
    """Remember where the worker last was, and the county it falls in (flushes with the caller)."""
    worker.last_latitude, worker.last_longitude = latitude, longitude
    worker.last_located_at = at or utcnow()
    worker.last_area_code = areas.area_of(latitude, longitude)


def nearest_reply(latitude, longitude, *, now: datetime | None = None) -> str:
    """The bot's text for a location (strings as WeChat sends them are fine)."""
    point = valid_point(latitude, longitude)
    if point is None:
        return BAD_LOCATION
    lat, lng = point
    now = now or utcnow()
    hits = find_nearest(lat, lng, limit=ANSWERED)
    more = link(h5_url("positions", lat=f"{lat:.6f}", lng=f"{lng:.6f}"), "查看附近全部服务阵地")
    if not hits:
        return (f"您附近{int(MAX_KM)}公里内暂时没有开放的服务阵地（职工驿站）。\n"
                + link(h5_url("positions"), "按地区查找服务阵地"))
    lines = ["离您最近的服务阵地（职工驿站）："]
    for number, hit in enumerate(hits, 1):
        position = hit.position
        _, state = open_state(position.hours, now)
        facilities = "、".join(position.facility_labels[:MAX_FACILITIES_SHOWN]) or position.kind_label
        name = position.name if len(position.name) <= MAX_NAME_SHOWN else position.name[:MAX_NAME_SHOWN - 1] + "…"
        lines.append(f"\n{number}. {name}（{format_distance(hit.km)}）")
        lines.append(f"{state}｜{facilities}")
        lines.append(link(h5_url("position", id=position.id, lat=f"{lat:.6f}", lng=f"{lng:.6f}"), "详情和导航"))
    lines.append("\n" + more)
    return "\n".join(lines)

"""Demo service positions for `flask demo seed`: outdoor-worker stations and union rooms around
石家庄市长安区 (region 130102), so a courier there who sends their location gets three answers.
Idempotent: a position that exists (by name) is left as it is."""
from sqlalchemy import select

from models.base import utcnow
from models.federation import Federation
from models.position import Position
from service.extensions import db
from service.positions.hours import normalise_hours

COURIER = "石家庄市长安区快递行业工会联合会"
DISTRICT = "石家庄市长安区总工会"
YUHUA = "石家庄市裕华区货车司机行业工会联合会"

DAYTIME = {"weekly": {str(d): ["08:00-20:00"] for d in range(1, 8)}}
ROUND_THE_CLOCK = {"weekly": {str(d): ["00:00-24:00"] for d in range(1, 8)}}
NIGHT = {"weekly": {str(d): ["18:00-08:00"] for d in range(1, 8)}}  # runs past midnight
OFFICE = {"weekly": {**{str(d): ["08:30-12:00", "14:30-17:30"] for d in range(1, 6)}, "6": [], "7": []},
          "holidays": "closed"}
WEEKEND_LEGAL = {"weekly": {"1": [], "2": [], "3": ["14:00-17:00"], "4": [], "5": [], "6": ["09:00-12:00"], "7": []},
                 "holidays": "closed"}

# (owner, name, kind, host unit, address, region, latitude, longitude, hours, facilities, services, status note)
POSITIONS = [
    (COURIER, "长安区快递小哥爱心驿站（中山东路）", "outdoor_station", "中国邮政石家庄市长安区分公司",
     "石家庄市长安区中山东路 180 号邮政营业厅东侧", "130102", 38.04391, 114.53572, DAYTIME,
     ["water", "charging", "microwave", "toilet", "rest", "first_aid", "wifi"], "快递行业工会联合会每周五下午在此接待会员", None),
    (COURIER, "长安区户外劳动者服务站（建设北大街）", "outdoor_station", "河北银行长安支行",
     "石家庄市长安区建设北大街 56 号河北银行一楼", "130102", 38.04852, 114.52519, ROUND_THE_CLOCK,
     ["water", "charging", "toilet", "rest", "air_conditioning", "umbrella"], None, None),
    (DISTRICT, "长安区职工服务中心", "federation_office", None,
     "石家庄市长安区广安大街 26 号", "130102", 38.03688, 114.54301, OFFICE,
     ["water", "toilet", "rest", "legal_consultation", "reading", "wifi"], "入会、法律咨询、困难职工帮扶", None),
    (COURIER, "胜利北街夜间驿站", "outdoor_station", "胜利北街社区党群服务中心",
     "石家庄市长安区胜利北街 339 号社区党群服务中心", "130102", 38.05461, 114.55380, NIGHT,
     ["water", "charging", "microwave", "rest"], "夜间配送、网约车司机歇脚", None),
    (DISTRICT, "长安区职工法律援助工作站", "legal_aid_point", "长安区司法局",
     "石家庄市长安区中山东路 39 号司法局一楼", "130102", 38.04217, 114.52702, WEEKEND_LEGAL,
     ["legal_consultation", "water"], "周三下午、周六上午律师值班，劳动争议免费咨询", None),
    (COURIER, "和平东路党群共享驿站", "shared_space", "和平东路街道党工委",
     "石家庄市长安区和平东路 269 号", "130102", 38.05893, 114.56602, DAYTIME,
     ["water", "charging", "toilet", "rest", "reading"], None, "内部装修，预计下月恢复开放"),
    (YUHUA, "裕华区货车司机之家（槐安东路）", "outdoor_station", "石家庄东货运站",
     "石家庄市裕华区槐安东路 501 号货运站内", "130108", 38.00862, 114.57521, ROUND_THE_CLOCK,
     ["water", "charging", "microwave", "toilet", "rest", "repair"], "货车司机停车休息、车辆简易维修", None),
]


def _federation(name: str) -> Federation | None:
    return db.session.scalar(select(Federation).where(Federation.name == name))


def seed_demo_positions() -> list[Position]:
    """Create the demo positions that are missing; returns all of them."""
    out = []
    for owner, name, kind, host, address, region, lat, lng, hours, facilities, services, note in POSITIONS:
        position = db.session.scalar(select(Position).where(Position.name == name))
        federation = _federation(owner)
        if position is None and federation is not None:
            position = Position(
                federation_id=federation.id, name=name, kind=kind, host_unit=host, address=address,
                region_code=region, latitude=lat, longitude=lng, hours=normalise_hours(hours),
                facilities=facilities, services=services, contact_name="驿站值班员", contact_phone="0311-86000000",
                photos=[], status="suspended" if note else "open", status_note=note, status_changed_at=utcnow())
            db.session.add(position)
        if position is not None:
            out.append(position)
    db.session.flush()
    return out

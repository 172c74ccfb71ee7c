"""The demo contest for `flask demo seed` (called from service/devtools/demo.py). Idempotent."""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from models.base import utcnow
from models.contest import Contest
from models.federation import Federation
from service.extensions import db
from service import clock

FEDERATION = "石家庄市长安区快递行业工会联合会"
TITLE = "快递员职业技能竞赛"


def _china_morning(day) -> datetime:
    """09:00 China time on `day`, stored as naive UTC."""
    return clock.to_utc(datetime.combine(day, time(9, 0), tzinfo=clock.CHINA))


def seed_demo_contest() -> Contest | None:
    """A published contest of the demo courier federation, registration open for 14 days."""
    federation = db.session.scalar(select(Federation).where(Federation.name == FEDERATION))
    if federation is None:
        return None
    contest = db.session.scalar(select(Contest).where(Contest.federation_id == federation.id, Contest.title == TITLE))
    if contest is not None:
        return contest
    now = utcnow().replace(second=0, microsecond=0)
    day = clock.to_china(now).date()
    contest = Contest(
        federation_id=federation.id, title=TITLE, industry_code="G6020",
        description=("为弘扬劳模精神、劳动精神、工匠精神，提升快递从业人员职业技能，长安区快递行业工会联合会"
                     "举办快递员职业技能竞赛。竞赛分理论知识和实操技能两部分，实操包括快件收寄、分拣、"
                     "包装和派送服务。获奖选手按规定推荐参加市级竞赛。"),
        venue="石家庄市长安区中山东路 快递行业职工服务站", starts_at=_china_morning(day + timedelta(days=21)),
        ends_at=_china_morning(day + timedelta(days=21)) + timedelta(hours=8),
        registration_opens_at=now, registration_closes_at=_china_morning(day + timedelta(days=14)),
        cancel_cutoff_at=_china_morning(day + timedelta(days=17)), capacity=30,
        confirmed_count=0, waitlisted_count=0, last_seq=0, members_only=False,
        eligibility={"scope": "any", "region_prefix": None, "industry_prefix": None, "age_min": 18, "age_max": 60},
        exclusions="近三年内获得过市级及以上快递员技能竞赛一等奖者不参加本次竞赛。",
        questions=[
            {"key": "years", "label": "从事快递工作年限", "kind": "single",
             "options": ["1年以下", "1至3年", "3至5年", "5年以上"], "required": True},
            {"key": "company", "label": "所在快递企业及网点", "kind": "text", "options": [], "required": True},
        ],
        scoring_note="理论知识30% + 实操技能70%", status="published", published_at=now,
    )
    db.session.add(contest)
    db.session.flush()
    return contest

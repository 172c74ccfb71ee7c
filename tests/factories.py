"""Test data builders, one place for every test module."""
import itertools
from datetime import timedelta

from models.base import utcnow
from service.federations import tree as federations
from service.devtools import standin
from service.extensions import db


def later_today(now=None, hours: float = 1):
    """`hours` from now, or the last second of today in China time if that comes first: a contest
    starting "later today" (check-in opens on its China day; an hour after 23:00 there is tomorrow)."""
    from service import clock

    now = now or utcnow()
    return min(now + timedelta(hours=hours), clock.day_start(clock.china_date(now) + timedelta(days=1)) - timedelta(seconds=1))


_seq = itertools.count(1)


def make_upper(name: str = "石家庄市长安区总工会", level: str | None = None, region: str = "130102", parent=None,
               **kw):
    node = federations.create_federation(
        name=name, kind="upper", level=level, region_code=region,
        parent_id=parent.id if parent else None, **kw,
    )
    db.session.commit()
    return node


def make_federation(name: str | None = None, kind: str = "industry", level: str | None = None,
                    region: str = "130102", industry: str | None = "G6020", parent=None,
                    status: str = "active", **kw):
    name = name or f"{_division(region)}测试{next(_seq)}行业工会联合会"
    if parent is None:  # every federation has an upper union: the nearest one, or a new one
        parent = _upper_for(region)
    node = federations.create_federation(
        name=name, kind=kind, level=level, region_code=region,
        industry_code=industry if kind == "industry" else None,
        parent_id=parent.id if parent else None, status=status, **kw,
    )
    db.session.commit()
    return node


def _division(region: str) -> str:
    """The name prefix we suggest for a region: 130102 → 石家庄市长安区."""
    from service.federations.names import example_prefix

    return example_prefix(region)


def _upper_for(region: str):
    """The nearest existing upper union whose region contains `region`, else a new one."""
    from sqlalchemy import select

    from models.federation import Federation
    from service import refdata

    for code in [region] + refdata.region_ancestors_codes(region):
        found = db.session.scalar(select(Federation).where(Federation.kind == "upper",
                                                           Federation.region_code == code).order_by(Federation.id))
        if found is not None:
            return found
    level = refdata.get_region(region).level
    return make_upper(f"{_division(region)}测试{next(_seq)}总工会", level=level, region=region)


def make_coverage(federation, region: str | None = None, industry: str | None = None):
    """Add a coverage rule through the service (validated, normalised)."""
    from service.federations import coverage

    rule = coverage.add_rule(federation, region_code=region or federation.region_code, industry_code=industry)
    db.session.commit()
    return rule


def make_staff(federation, role: str = "caseworker", username: str | None = None,
               password: str = "password123", **kw):
    from service.staff import accounts as staff

    account = staff.create_staff(username=username or f"staff{next(_seq)}", password=password,
                                 federation_id=federation.id, role=role, **kw)
    db.session.commit()
    return account


def sim_user(openid: str, *, following: bool = True, wrote_ago: timedelta | None = timedelta(minutes=1),
             event_ago: timedelta | None = None):
    """A simulated WeChat user as the stand-in knows them (committed)."""
    user = standin.get_user(openid, create=True)
    user.following = following
    user.last_wrote_at = utcnow() - wrote_ago if wrote_ago is not None else None
    user.last_event_at = utcnow() - event_ago if event_ago is not None else None
    db.session.commit()
    return user


def make_resident_id(birth: str = "19900307", seq: str = "123", region: str = "130102") -> str:
    """A resident ID number with a correct GB 11643 check character (seq odd: male)."""
    from service.privacy.fields import id_check_char

    first17 = f"{region}{birth}{seq}"
    return first17 + id_check_char(first17)


def join_form(**overrides) -> dict:
    """A valid join form (the body of POST /api/join/applications)."""
    from service.privacy.retention import NOTICE_VERSION

    form = {
        "name": "张三", "id_number": make_resident_id(), "phone": "13812345678",
        "employment_form": "platform", "employer": "某某快递公司", "region_code": "130102",
        "industry_code": "G6020", "declaration": True, "constitution": True,
        "privacy_consent": True, "notice_version": NOTICE_VERSION,
    }
    form.update(overrides)
    return form


# --- contests (workers, members, contests) ---------------------------------------------------
def make_worker(openid: str | None = None, *, name: str | None = "张三", phone: str | None = None,
                birth_date=None):
    from models.worker import Worker

    n = next(_seq)
    worker = Worker(openid=openid or f"o-worker-{n}", name=name, phone=phone or f"139{n:08d}",
                    birth_date=birth_date, subscribed=True)
    db.session.add(worker)
    db.session.commit()
    return worker


def cover(federation, region_prefix: str, industry_prefix: str | None = None):
    """Give `federation` a coverage rule so routing sends matching workplaces to it."""
    from models.federation import CoverageRule

    db.session.add(CoverageRule(federation_id=federation.id, region_prefix=region_prefix,
                                industry_prefix=industry_prefix))
    db.session.commit()
    return federation


def make_member(federation, worker=None, *, openid: str | None = None, member_no: str | None = None,
                birth_date=None, status: str = "active"):
    """An active member of `federation` (what the joining flow leaves behind on approval)."""
    from models.base import utcnow
    from models.membership import Membership

    worker = worker or make_worker(openid, birth_date=birth_date)
    membership = Membership(worker_id=worker.id, federation_id=federation.id,
                            member_no=member_no or f"M{next(_seq):09d}", status=status,
                            live_key=worker.id if status != "withdrawn" else None, joined_at=utcnow())
    db.session.add(membership)
    db.session.commit()
    return membership


def make_contest(federation, *, status: str = "published", capacity: int = 3, members_only: bool = False,
                 eligibility: dict | None = None, questions: list | None = None, **fields):
    """A contest taking sign-ups now (registration open for 7 more days, contest in 10)."""
    from datetime import timedelta

    from models.base import utcnow
    from models.contest import Contest

    now = utcnow()
    values = dict(
        title="快递员职业技能竞赛", industry_code="G6020", description="", venue="长安区职工服务站",
        starts_at=now + timedelta(days=10), registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=7), cancel_cutoff_at=None,
    )
    values.update(fields)
    rule = {"scope": "federation" if members_only else "any", "region_prefix": None, "industry_prefix": None,
            "age_min": None, "age_max": None}
    rule.update(eligibility or {})
    contest = Contest(federation_id=federation.id, status=status, capacity=capacity, members_only=members_only,
                      eligibility=rule, questions=questions or [], confirmed_count=0, waitlisted_count=0,
                      last_seq=0, **values)
    db.session.add(contest)
    db.session.commit()
    return contest


HELP_DETAILS = {
    "mediation": {"employer_address": "石家庄市长安区中山东路1号", "legal_representative": "王经理"},
    "legal_aid": {"migrant_worker": True, "claim": "wages"},
    "wage_arrears": {"months": 3, "workers_affected": 12},
    "work_injury": {"recognised": "pending"},  # injury_date: 40 days ago (help_payload)
    "consultation": {},
}


def help_payload(type: str = "wage_arrears", **overrides) -> dict:
    """A valid help request as the H5 page submits it (workplace 130102, industry G6020),
    learned of 30 days ago."""
    from datetime import date, timedelta

    details = dict(HELP_DETAILS[type])
    if type == "work_injury":
        details["injury_date"] = (date.today() - timedelta(days=40)).isoformat()
    payload = {
        "type": type, "employer_name": "石家庄某某快递有限公司", "region": "130102", "industry": "G6020",
        "facts": "公司自去年十月起拖欠工资，多次催讨未果。", "wants": "请求支付拖欠的工资", "amount": "15000",
        "learned_on": (date.today() - timedelta(days=30)).isoformat(), "name": "张三", "phone": "13812345678",
        "consent": True, "details": details,
    }
    payload.update(overrides)
    return payload


def make_request(worker=None, *, type: str = "wage_arrears", now=None, **overrides):
    """A submitted help request (routed by the real rules; give the tree coverage first)."""
    from service.help_requests import worker as help_requests

    worker = worker or make_worker()
    if now is not None and "learned_on" not in overrides:  # keep the default "30 days ago" before `now`
        from datetime import timedelta

        overrides["learned_on"] = (now.date() - timedelta(days=30)).isoformat()
        if type == "work_injury" and "details" not in overrides:
            overrides["details"] = {"recognised": "pending",
                                    "injury_date": (now.date() - timedelta(days=40)).isoformat()}
    request = help_requests.submit(worker, help_payload(type, **overrides), now=now)
    db.session.commit()
    return request


def make_position(federation, *, name: str | None = None, latitude: float = 38.0420, longitude: float = 114.5380,
                  region: str = "130102", status: str = "open", facilities=("water", "charging"), hours=None, **kw):
    """A service position stored directly (the registry's checks are tested on their own)."""
    from models.position import Position
    from service.positions.hours import normalise_hours

    every_day = {"weekly": {str(d): ["00:00-24:00"] for d in range(1, 8)}}
    position = Position(federation_id=federation.id, name=name or f"测试驿站{next(_seq)}", kind=kw.pop("kind", "outdoor_station"),
                        address=kw.pop("address", "石家庄市长安区中山东路1号"), region_code=region, latitude=latitude,
                        longitude=longitude, hours=normalise_hours(hours or every_day), facilities=list(facilities),
                        photos=[], status=status, **kw)
    db.session.add(position)
    db.session.commit()
    return position

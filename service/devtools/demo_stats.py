"""Demo activity for the 统计 page (`flask demo seed`): a year of members, applications, help
requests (with responses, outcomes, amounts recovered, ratings), transfers, escalations and a
finished contest across the demo tree, some of it routed to upper unions because no federation
covers the workplace; a provincial admin account; then the rollups and the reports of the last
ended periods. Idempotent: does nothing once its first worker exists. Deterministic (seeded)."""
import random
from datetime import datetime, timedelta

from sqlalchemy import select

from models.base import utcnow
from models.contest import Contest, Signup
from models.federation import Federation
from models.membership import Application, Membership
from models.request import HelpRequest, Transfer
from models.staff import Staff
from models.worker import Worker
from service.staff import accounts as staff_service
from service.help_requests.deadlines import TARGETS
from service.extensions import db
from service.stats import reports, rollup
from service.stats.periods import add_months, china_today, day_start_utc, month_start, next_month

MARKER = "o-demo-stats-1"
PROVINCE_ADMIN = ("hb-admin", "孙伟（省总工会管理员）")
TYPES = ("wage_arrears", "mediation", "legal_aid", "work_injury", "consultation")
FORMS = ("employee", "platform", "platform", "flexible")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
# Workplaces no federation covers, and the union that then receives them (by name).
UNCOVERED = [("130102", "I6510", "石家庄市长安区总工会"), ("130102", "H6210", "石家庄市长安区总工会"),
             ("130108", "C3311", "石家庄市裕华区总工会"), ("130104", "G5430", "石家庄市总工会"),
             ("130105", "E4710", "石家庄市总工会"), ("130203", "G6020", "河北省总工会"),
             ("130602", "H6242", "河北省总工会"), ("130702", "O8010", "河北省总工会")]
MONTHS = 12


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < .5 else "")


class _Seeder:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now, self.n = rng, now, 0
        self.staff = {s.federation_id: s.id for s in db.session.scalars(
            select(Staff).where(Staff.role == "caseworker").order_by(Staff.id))}

    def worker(self) -> Worker:
        self.n += 1
        found = Worker(openid=f"o-demo-stats-{self.n}", name=_name(self.rng), subscribed=True)
        db.session.add(found)
        db.session.flush()
        return found

    def moment(self, month) -> datetime:
        start = day_start_utc(month)
        end = min(day_start_utc(next_month(month)), self.now - timedelta(hours=1))
        return start + timedelta(seconds=self.rng.randrange(max(1, int((end - start).total_seconds()))))

    def request(self, fed: Federation, month, region: str, industry: str, fallback: bool) -> HelpRequest:
        rng, created = self.rng, self.moment(month)
        kind = rng.choice(TYPES)
        age = (self.now - created).days
        target = TARGETS[kind]
        roll = rng.random()
        status = ("new" if roll < .2 else "in_progress" if roll < .55 else "resolved") if age < 10 else \
            ("closed" if roll < .6 else "resolved" if roll < .92 else "withdrawn")
        worker = self.worker()
        item = HelpRequest(
            number=f"QZD{self.n:08d}", worker_id=worker.id, federation_id=fed.id, type=kind, status=status,
            worker_name=worker.name, employer_name=rng.choice(("某快递公司", "某建筑劳务公司", "某物流公司", "某餐饮公司")),
            region_code=region, industry_code=industry, facts="（演示数据）", wants="（演示数据）",
            created_at=created, first_response_due=created + target.first_response,
            resolution_due=created + target.first_response + target.resolution,
            routing={"reason": "fallback" if fallback else "coverage", "federation_id": fed.id},
            assignee_id=self.staff.get(fed.id) if status != "new" else None)
        if status != "new":
            item.first_responded_at = min(created + timedelta(hours=rng.expovariate(1 / 14)), self.now)
            item.accepted_at = item.first_responded_at
        if status in ("resolved", "closed"):
            item.resolved_at = min(created + timedelta(hours=rng.expovariate(1 / (target.resolution.days * 14))),
                                   self.now)
            item.outcome = self.outcome(kind)
            if rng.random() < .6:
                item.rating = rng.choice((1, 2, 3, 4, 4, 5, 5, 5, 5))
                item.rated_at = item.resolved_at
                item.rating_comment = {1: "一直没人联系我", 2: "办得太慢了"}.get(item.rating)
        if status == "withdrawn":
            item.withdrawn_at = created + timedelta(days=2)
        if rng.random() < .05 and status != "new":
            item.escalated, item.escalated_at = True, created + target.first_response + timedelta(days=3)
        db.session.add(item)
        return item

    def outcome(self, kind: str) -> dict:
        rng = self.rng
        if kind == "wage_arrears":
            return {"result": rng.choice(("resolved", "resolved", "partial", "referred")), "summary": "（演示）",
                    "amount_recovered": f"{rng.randrange(3, 900) * 100}.00", "workers_covered": rng.randrange(1, 25)}
        if kind == "mediation":
            if rng.random() < .65:
                return {"result": "agreement", "amount": f"{rng.randrange(20, 500) * 100}.00", "pay_by": "2026-12-31"}
            return {"result": rng.choice(("no_agreement", "withdrawn"))}
        if kind == "legal_aid":
            return {"result": rng.choice(("granted", "granted", "refused"))}
        return {"result": rng.choice(("resolved", "resolved", "referred")), "summary": "（演示）"}

    def member(self, fed: Federation, month, region: str, industry: str, fallback: bool) -> None:
        rng, submitted = self.rng, self.moment(month)
        worker = self.worker()
        roll = rng.random()
        status = "approved" if roll < .82 else "rejected" if roll < .9 else "pending"
        decided = min(submitted + timedelta(days=rng.choice((1, 2, 3, 5, 8, 12, 20, 25))), self.now)
        application = Application(
            worker_id=worker.id, federation_id=fed.id, status=status, name=worker.name,
            employment_form=rng.choice(FORMS), region_code=region, industry_code=industry, declaration=True,
            constitution=True, consent_version="2025-01", consent_at=submitted, submitted_at=submitted,
            due_at=submitted + timedelta(days=21), decided_at=decided if status != "pending" else None,
            routing={"reason": "fallback" if fallback else "coverage", "federation_id": fed.id},
            open_key=worker.id if status == "pending" else None)
        db.session.add(application)
        db.session.flush()
        if status == "approved":
            withdrawn = rng.random() < .04
            db.session.add(Membership(
                worker_id=worker.id, federation_id=fed.id, member_no=f"HYD{self.n:08d}", application_id=application.id,
                status="withdrawn" if withdrawn else "active", live_key=None if withdrawn else worker.id,
                joined_at=decided, region_code=region, industry_code=industry,
                withdrawn_at=min(decided + timedelta(days=30), self.now) if withdrawn else None))


def _contest(seeder: _Seeder, fed: Federation, month) -> None:
    starts = seeder.moment(month)
    contest = Contest(federation_id=fed.id, title="快递员分拣技能比武（演示）", industry_code="G6020",
                      description="（演示数据）", venue="长安区快递行业职工服务站", starts_at=starts,
                      registration_opens_at=starts - timedelta(days=20), registration_closes_at=starts - timedelta(days=5),
                      capacity=20, confirmed_count=20, waitlisted_count=3, last_seq=25, status="finished",
                      published_at=starts - timedelta(days=20), finished_at=starts + timedelta(hours=8))
    db.session.add(contest)
    db.session.flush()
    for seq in range(1, 26):
        worker = seeder.worker()
        created = starts - timedelta(days=19) + timedelta(hours=seq)
        status = "confirmed" if seq <= 22 else "waitlisted"
        if seq in (4, 9):
            status = "cancelled"  # their places went to 21 and 22 from the waitlist
        promoted = seq in (21, 22)
        db.session.add(Signup(
            contest_id=contest.id, worker_id=worker.id, status=status, seq=seq, name=worker.name,
            phone=f"1390000{seq:04d}", created_at=created,
            confirmed_at=(created + timedelta(days=3)) if promoted else (created if seq <= 20 else None),
            cancelled_at=created + timedelta(days=2) if status == "cancelled" else None,
            checked_in_at=starts if status == "confirmed" and seq % 6 else None))


def seed_demo_stats(today=None) -> int:
    """Seed the demo activity once; answers the help requests created (0 when already seeded)."""
    if db.session.scalar(select(Worker.id).where(Worker.openid == MARKER)):
        return 0
    by_name = {f.name: f for f in db.session.scalars(select(Federation))}
    province = by_name.get("河北省总工会")
    if province is None:
        return 0
    if not db.session.scalar(select(Staff.id).where(Staff.username == PROVINCE_ADMIN[0])):
        from service.devtools.demo import DEMO_PASSWORD

        staff_service.create_staff(username=PROVINCE_ADMIN[0], password=DEMO_PASSWORD, federation_id=province.id,
                                   role="admin", display_name=PROVINCE_ADMIN[1])
    now = utcnow()
    seeder = _Seeder(random.Random(15), now)
    federations = [f for f in by_name.values() if f.kind != "upper" and f.status == "active"]
    first = add_months(month_start(today or china_today(now)), -(MONTHS - 1))
    made = 0
    for index in range(MONTHS):
        month = add_months(first, index)
        growth = 1 + index / MONTHS  # more activity lately
        for fed in sorted(federations, key=lambda f: f.id):
            industry = fed.industry_code or "G6020"
            region = fed.region_code if len(fed.region_code) >= 6 else fed.region_code + "0" * (6 - len(fed.region_code))
            for _ in range(int(seeder.rng.randrange(2, 6) * growth)):
                seeder.request(fed, month, region, industry, False)
                made += 1
            for _ in range(int(seeder.rng.randrange(3, 9) * growth)):
                seeder.member(fed, month, region, industry, False)
        for region, industry, union in UNCOVERED:
            for _ in range(seeder.rng.randrange(0, 4)):
                seeder.request(by_name[union], month, region, industry, True)
                made += 1
            for _ in range(seeder.rng.randrange(0, 3)):
                seeder.member(by_name[union], month, region, industry, True)
    db.session.flush()
    kd, hc = by_name["石家庄市长安区快递行业工会联合会"], by_name["石家庄市裕华区货车司机行业工会联合会"]
    for month in (add_months(first, MONTHS - 2), add_months(first, MONTHS - 8)):
        _contest(seeder, kd, month)
    members = list(db.session.scalars(select(Membership).where(Membership.federation_id == kd.id).limit(4)))
    for index, m in enumerate(members):
        db.session.add(Transfer(subject_type="membership", subject_id=m.id, kind="transfer", from_federation_id=kd.id,
                                to_federation_id=hc.id, reason="换了工作单位（演示）", created_at=m.joined_at + timedelta(days=20 + index)))
    for r in db.session.scalars(select(HelpRequest).where(HelpRequest.escalated).limit(12)):
        upper = db.session.get(Federation, r.federation_id).parent_id
        if upper:
            db.session.add(Transfer(subject_type="request", subject_id=r.id, kind="escalate", from_federation_id=r.federation_id,
                                    to_federation_id=upper, reason="超期自动上报（演示）", created_at=r.escalated_at))
    db.session.flush()
    rollup.refresh_rollups(now, rebuild=True)
    reports.generate_due_reports(now)  # the reports of the last ended month and half-year
    return made

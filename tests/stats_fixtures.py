"""A small union tree with items placed around the China-time edges of May 2026, counted by
hand in tests/test_stats_figures.py (every figure there is written out from this list).

    河北省总工会 P ─ 石家庄市总工会 C ─┬─ 长安区总工会 K ─┬─ 快递联合会 F1
                                    │                   └─ 建筑联合会 F2
                                    └─ 裕华区总工会 K2 ─── 货车司机联合会 F3
"""
import itertools
from datetime import datetime, timedelta
from types import SimpleNamespace

from models.contest import Contest, Signup
from models.membership import Application, Membership
from models.request import HelpRequest, Transfer
from models.worker import Worker
from service.extensions import db
from tests.factories import make_federation, make_staff, make_upper

H, D = timedelta(hours=1), timedelta(days=1)
_n = itertools.count(1)


def utc(*parts) -> datetime:
    return datetime(*parts)


def worker() -> Worker:
    n = next(_n)
    found = Worker(openid=f"o-stats-{n}", name=f"职工{n}", subscribed=True)
    db.session.add(found)
    db.session.flush()
    return found


def request(fed, created, kind="consultation", status="new", **kw) -> HelpRequest:
    item = HelpRequest(number=f"QZT{next(_n):08d}", worker_id=worker().id, federation_id=fed.id, type=kind,
                       status=status, employer_name="某公司", region_code=kw.pop("region", fed.region_code),
                       industry_code=kw.pop("industry", fed.industry_code or "G6020"), facts="欠薪", wants="支付",
                       created_at=created, first_response_due=kw.pop("response_due", created + 24 * H),
                       resolution_due=kw.pop("resolution_due", created + 15 * D),
                       routing={"reason": kw.pop("reason", "coverage")}, **kw)
    db.session.add(item)
    return item


def member(fed, joined, form, application=None, **kw) -> Membership:
    who = worker()
    if application is None:
        application = Application(worker_id=who.id, federation_id=fed.id, status="approved", employment_form=form,
                                  region_code=fed.region_code, industry_code=fed.industry_code or "G6020",
                                  consent_version="v1", consent_at=joined - D, submitted_at=joined - D,
                                  decided_at=joined, due_at=joined + 10 * D)
        db.session.add(application)
        db.session.flush()
    item = Membership(worker_id=who.id, federation_id=fed.id, member_no=f"HY{next(_n):08d}", joined_at=joined,
                      application_id=application.id, region_code=fed.region_code,
                      industry_code=fed.industry_code or "G6020", **kw)
    db.session.add(item)
    return item


def application(fed, submitted, status, form="platform", **kw) -> Application:
    item = Application(worker_id=worker().id, federation_id=fed.id, status=status, employment_form=form,
                       region_code=kw.pop("region", fed.region_code),
                       industry_code=kw.pop("industry", fed.industry_code or "G6020"), consent_version="v1",
                       consent_at=submitted, submitted_at=submitted,
                       routing={"reason": kw.pop("reason", "coverage")}, **kw)
    db.session.add(item)
    return item


def build() -> SimpleNamespace:
    P = make_upper("河北省总工会", level="province", region="130000")
    C = make_upper("石家庄市总工会", level="city", region="130100", parent=P)
    K = make_upper("石家庄市长安区总工会", level="county", region="130102", parent=C)
    K2 = make_upper("石家庄市裕华区总工会", level="county", region="130108", parent=C)
    F1 = make_federation("石家庄市长安区快递行业工会联合会", region="130102", industry="G6020", parent=K)
    F2 = make_federation("石家庄市长安区建筑行业工会联合会", region="130102", industry="E", parent=K)
    F3 = make_federation("石家庄市裕华区货车司机行业工会联合会", region="130108", industry="G543", parent=K2)
    cw = make_staff(F1, "caseworker", username="kd-case")
    chair = make_staff(F1, "chair", username="kd-chair")
    t = SimpleNamespace(P=P, C=C, K=K, K2=K2, F1=F1, F2=F2, F3=F3, cw=cw, chair=chair)

    may1 = utc(2026, 4, 30, 16)  # 2026-05-01 00:00 China time
    june1 = utc(2026, 5, 31, 16)  # 2026-06-01 00:00 China time
    # r1 F1 wage arrears, first second of May: answered in 2 h, resolved in 5 days (on time),
    #    1200.50 yuan recovered for 3 workers, rated 5; handled by the caseworker.
    t.r1 = request(F1, may1, "wage_arrears", "resolved", first_responded_at=may1 + 2 * H,
                   resolved_at=may1 + 5 * D, rating=5, assignee_id=cw.id,
                   outcome={"result": "resolved", "summary": "已支付", "amount_recovered": "1200.50",
                            "workers_covered": 3})
    # r2 F1, the last second of April China time: not in May.
    request(F1, may1 - timedelta(seconds=1), "wage_arrears", "resolved", resolved_at=may1 + D,
            outcome={"result": "resolved", "amount_recovered": "999.00", "workers_covered": 1})
    # r3 F1 mediation, the last second of May: answered in 30 h (target 48 h), agreement of 3000
    #    yuan after 479 h (late: due after 17 days), rated 2 with a comment.
    t.r3 = request(F1, june1 - timedelta(seconds=1), "mediation", "resolved", response_due=june1 + 48 * H,
                   resolution_due=june1 + 17 * D, first_responded_at=june1 + 29 * H,
                   resolved_at=june1 + 20 * D - H, rating=2, rating_comment="太慢了", assignee_id=cw.id,
                   outcome={"result": "agreement", "amount": "3000.00", "pay_by": "2026-07-01"})
    # r4 F1, the first second of June: not in May.
    request(F1, june1, "consultation")
    # r5 F2 legal aid in progress, answered late (50 h against 48 h), escalated.
    request(F2, utc(2026, 5, 10, 2), "legal_aid", "in_progress", response_due=utc(2026, 5, 12, 2),
            first_responded_at=utc(2026, 5, 12, 4), escalated=True)
    # r6 F3 consultation never answered, its first-response due date long past: late.
    request(F3, utc(2026, 5, 15), "consultation")
    # r7 county inbox K (routing fell back), resolved "partial" with unreadable amounts: not recorded.
    request(K, utc(2026, 5, 20), "wage_arrears", "resolved", reason="fallback", industry="F5123",
            resolved_at=utc(2026, 5, 22), outcome={"result": "partial", "amount_recovered": "约两千元",
                                                   "workers_covered": "若干"})
    # r8 province inbox P (fell back): a workplace in 唐山市路北区, industry H.
    request(P, utc(2026, 5, 5), "consultation", reason="fallback", region="130203", industry="H6242")
    # r9 F1, open, assigned to the caseworker, in June (load only).
    request(F1, utc(2026, 6, 2), "consultation", "in_progress", assignee_id=cw.id)

    # Members: m1 F1 joined 00:30 on 1 May (platform); m2 F1 23:00 on 30 April (flexible, April);
    # m3 F3 joined 20 May (employee), withdrew 25 May.
    m1 = member(F1, may1 + timedelta(minutes=30), "platform")
    member(F1, may1 - H, "flexible")
    member(F3, utc(2026, 5, 20), "employee", status="withdrawn", withdrawn_at=utc(2026, 5, 25))
    # Applications submitted in May besides the members' own: a4 at K (fell back, pending, O8010);
    # a5 F1 rejected late. The members' applications were submitted a day before joining:
    # m1's on 30 April 00:30 China time (April), m3's on 19 May (decided on time).
    application(K, utc(2026, 5, 3), "pending", reason="fallback", industry="O8010")
    application(F1, utc(2026, 5, 5), "rejected", decided_at=utc(2026, 6, 1), due_at=utc(2026, 5, 26))
    db.session.flush()
    # A member's transfer F1 → F3 on 22 May.
    db.session.add(Transfer(subject_type="membership", subject_id=m1.id, kind="transfer", from_federation_id=F1.id,
                            to_federation_id=F3.id, reason="换工作", created_at=utc(2026, 5, 22)))
    # A contest of F1 published 2 May: 2 places, s1 confirmed at once and checked in, s2 came off
    # the waitlist a day later, s3 still waiting.
    contest = Contest(federation_id=F1.id, title="快递技能大赛", starts_at=utc(2026, 5, 20),
                      registration_opens_at=utc(2026, 5, 2), registration_closes_at=utc(2026, 5, 15), capacity=2,
                      confirmed_count=2, waitlisted_count=1, last_seq=3, status="finished",
                      published_at=utc(2026, 5, 2))
    db.session.add(contest)
    db.session.flush()
    for seq, (status, confirmed, checked) in enumerate(
            [("confirmed", timedelta(0), True), ("confirmed", D, False), ("waitlisted", None, False)], 1):
        created = utc(2026, 5, 3)
        db.session.add(Signup(contest_id=contest.id, worker_id=worker().id, status=status, seq=seq,
                              name=f"选手{seq}", phone=f"1390000000{seq}", created_at=created,
                              confirmed_at=created + confirmed if confirmed is not None else None,
                              checked_in_at=utc(2026, 5, 20, 1) if checked else None))
    db.session.commit()
    return t

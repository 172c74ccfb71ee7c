"""Demo governance records for `flask demo seed` (called from service/devtools/demo.py), so the
board shows federations in every state. Everything goes through the governance services (the
opinion's rules apply to the demo too), dated relative to `today`. Idempotent: a federation that
already has a governance record is left as it is.

- 快递: well run; one member to replace (替补) and a collective contract in its 15-day review;
- 建筑: term expired, no funds review committee although it manages its own funds, congress
  and reports overdue;
- 建北街道: a covered unit's administrative head sits on the committee;
- 外卖送餐: many women and no women workers' committee; an unanswered opinion letter (red
  warning) and a red warning raised by staff, past its response deadline;
- 货车司机: everything in order; 邮政: congress due soon, report to the upper union overdue;
- 道路运输: late renewal approved by the upper union; 槐底街道: term ends within six months;
- 家政服务: preparing, the preparing group not yet set up; 电子信息: nothing recorded.
"""
from datetime import date, timedelta

from sqlalchemy import select

from models.federation import Federation
from models.governance import CommitteeTerm, FormationStep, Meeting
from service import clock
from service.extensions import db
from service.governance import (committee, contracts, early_warning, employers, formation, letters, meetings,
                                register, terms)


def _fed(name: str) -> Federation | None:
    return db.session.scalar(select(Federation).where(Federation.name == name))


def _untouched(federation: Federation) -> bool:
    for model in (CommitteeTerm, FormationStep, Meeting):
        if db.session.scalar(select(model.id).where(model.federation_id == federation.id).limit(1)):
            return False
    return True


def _years_ago(today: date, years: int, days: int = 0) -> date:
    return today.replace(year=today.year - years, day=min(today.day, 28)) + timedelta(days=days)


def _unions(federation: Federation, rows: list[tuple], units: list[tuple] = ()) -> list:
    """rows: (name, kind, chair, members, women); units: (name, head, workers, union index | None, direct)."""
    made = [register.add_base_union(federation, name=n, kind=k, chair_name=c, member_count=m, women_count=w, staff=None)
            for n, k, c, m, w in rows]
    for name, head, workers, index, direct in units:
        register.add_unit(federation, name=name, head_name=head, workers=workers,
                          base_union_id=made[index].id if index is not None else None, covered_directly=direct,
                          staff=None)
    return made


def _elect(federation: Federation, on: date, years: int, chair: tuple, members: list, today: date,
           elected_by: str = "congress"):
    """chair: (name, body); members: (name, role, base union or None, body)."""
    people = [{"name": chair[0], "role": "chair", "source": "representative", "body": chair[1], "full_time": True}]
    for name, role, union, body in members:
        person = {"name": name, "role": role, "chosen_how": f"{elected_by}_election"}
        person.update({"source": "base_union", "base_union_id": union.id} if union is not None else
                      {"source": "representative", "body": body})
        people.append(person)
    return terms.elect_committee(federation, elected_on=on, years=years, elected_by=elected_by, members=people,
                                 minutes_file=f"第一届会员代表大会选举结果（{on.isoformat()}）.pdf", staff=None, today=today)


def _meetings(federation: Federation, today: date, *, congress: int = 120, plenary: int = 110,
              report_party: int | None = 50, report_upper: int | None = 50) -> None:
    """Meetings held this many days ago (None: not held); the whole committee at the plenary."""
    attendance = committee.member_count(committee.current_term(federation).id)
    meetings.record_meeting(federation, kind="congress", held_on=today - timedelta(days=congress), attendance=86,
                            expected=100, minutes_file="会员代表大会纪要.pdf", staff=None, today=today)
    meetings.record_meeting(federation, kind="plenary", held_on=today - timedelta(days=plenary), attendance=attendance,
                            minutes_file="委员会全体会议纪要.pdf", staff=None, today=today)
    for days, to_party, to_upper in ((report_party, True, False), (report_upper, False, True)):
        if days is not None:
            meetings.record_meeting(federation, kind="report", held_on=today - timedelta(days=days), to_party=to_party,
                                    to_upper=to_upper, summary="半年工作汇报：组织建设、维权服务、技能竞赛",
                                    staff=None, today=today)


def _supervision(federation: Federation, today: date, chair: str) -> None:
    register.record_special_committee(federation, kind="labour_law_supervision", established_on=today - timedelta(days=300),
                                      chair_name=chair, members=["刘律师", "陈监督员"], staff=None, today=today)


def _courier(f: Federation, today: date) -> None:
    a, b, c = _unions(f, [("顺丰速运长安营业部工会委员会", "committee", "王芳", 45, 12),
                          ("长安区快递网点联合工会委员会", "joint_committee", "李强", 80, 20),
                          ("中通快递长安分部工会委员会", "committee", "孙伟", 30, 8)],
                      [("顺丰速运长安营业部", "周经理", 48, 0, False), ("韵达快递中山路网点", "钱站长", 12, 1, False),
                       ("申通快递建设路网点", "郑站长", 9, 1, False), ("中通快递长安分部", "冯经理", 33, 2, False),
                       ("小件快递驿站", None, 3, None, True)])
    register.add_unit(f, name="零散快递从业人员", kind="scattered", workers=120, staff=None)
    _elect(f, _years_ago(today, 1), 5, ("李建华", "长安区总工会派出的社会化工会工作者"),
           [("王芳", "vice_chair", a, None), ("李强", "member", b, None), ("孙伟", "member", c, None)], today)
    _meetings(f, today)
    register.record_special_committee(f, kind="funds_review", established_on=_years_ago(today, 1), chair_name="刘会计",
                                      members=["王芳"], staff=None, today=today)
    _supervision(f, today, "李强")
    committee.change_base_union_chair(f, c.id, chair_name="吴刚", since=today - timedelta(days=20), staff=None,
                                      today=today)
    contract = contracts.start_negotiation(f, {"title": "长安区快递行业劳动报酬专项集体合同", "chief_representative": "李建华",
                                               "employer_side": "长安区快递行业协会",
                                               "negotiation_started_on": today - timedelta(days=80)},
                                           staff=None, today=today)
    for step, days, extra in (("draft", 60, {}), ("vote", 40, {"votes_for": 68, "votes_total": 80}),
                              ("file", 5, {"term_years": 3})):
        contracts.advance(f, contract.id, step, {"on": today - timedelta(days=days), **extra}, staff=None, today=today)
    contracts.advance(f, contract.id, "cover", {"employers_covered": 36, "workers_covered": 1260}, staff=None, today=today)
    letter = letters.issue_letter(f, {"kind": "reminder", "source": "inspection", "employer_name": "石家庄某某快递分拨中心",
                                      "issued_on": today - timedelta(days=50), "due_on": today - timedelta(days=35),
                                      "facts": "夏季高温期间未落实防暑降温措施", "demands": "按规定发放高温津贴、调整作业时间"},
                                  staff=None, today=today)
    letters.record_response(f, letter.id, response_on=today - timedelta(days=40), response="已发放高温津贴并调整排班",
                            resolved=True, staff=None, today=today)


def _construction(f: Federation, today: date) -> None:
    a, = _unions(f, [("长安建工集团工会委员会", "committee", "郭志刚", 210, 18)],
                 [("长安建工集团", "韩总", 230, 0, False), ("宏达劳务有限公司", "邓经理", 60, None, False)])
    _elect(f, _years_ago(today, 3, -40), 3, ("田卫东", "长安区总工会"), [("郭志刚", "vice_chair", a, None)], today)
    _meetings(f, today, congress=400, plenary=200, report_party=200, report_upper=200)


def _street(f: Federation, today: date) -> None:
    a, b = _unions(f, [("建北商厦工会委员会", "committee", "杨柳", 60, 35), ("建北街道小微企业联合工会委员会",
                                                                        "joint_committee", "何平", 90, 40)],
                   [("建北商厦", "许总", 65, 0, False), ("街道餐饮店（12家）", None, 70, 1, False)])
    _elect(f, _years_ago(today, 2), 5, ("曹敏", "建北街道总工会"),
           [("杨柳", "vice_chair", a, None), ("何平", "member", b, None), ("马国庆", "member", None, "辖区企业代表")], today)
    _meetings(f, today)
    _supervision(f, today, "何平")
    register.record_special_committee(f, kind="women", established_on=_years_ago(today, 2), chair_name="杨柳",
                                      staff=None, today=today)
    # recorded after the election: the committee now breaks the unit-head rule
    register.add_unit(f, name="国庆建材商行", head_name="马国庆", workers=8, covered_directly=True, staff=None)


def _delivery(f: Federation, today: date) -> None:
    _unions(f, [("美团外卖石家庄站点联合工会委员会", "joint_committee", "高洁", 300, 190)],
            [("美团外卖石家庄配送站（20个）", None, 320, 0, False)])
    _elect(f, _years_ago(today, 1), 5, ("罗静", "石家庄市总工会派出"), [("高洁", "vice_chair", None, "骑手代表")], today)
    _meetings(f, today)
    _supervision(f, today, "高洁")
    letters.issue_letter(f, {"kind": "opinion", "source": "inspection", "employer_name": "石家庄美味餐饮管理有限公司",
                             "issued_on": today - timedelta(days=30), "due_on": today - timedelta(days=10),
                             "facts": "以“个体工商户”名义与骑手签约，规避缴纳工伤保险", "demands": "为骑手办理职业伤害保障",
                             "legal_basis": "《工伤保险条例》第二条"}, staff=None, today=today)
    early_warning.scan_employers(today)
    early_warning.raise_warning(f, employer_name="石家庄速达配送站", level="red",
                                reason="站点负责人失联，30余名骑手两个月工资未结", staff=None, today=today - timedelta(days=5))
    employers.add_employer(f, name="石家庄快乐送餐饮有限公司", workers=40, staff=None)


def _orderly(f: Federation, today: date, company: str, chair: tuple, elected_on: date, years: int,
             **meeting_days) -> None:
    a, = _unions(f, [(f"{company}工会委员会", "committee", "林海", 120, 20)], [(company, "沈总", 130, 0, False)])
    _elect(f, elected_on, years, chair, [("林海", "vice_chair", a, None)], today)
    _meetings(f, today, **meeting_days)
    _supervision(f, today, "林海")


def _road(f: Federation, today: date) -> None:
    """The term ran out 30 days ago; the upper union approved a late renewal."""
    _orderly(f, today, "石家庄裕华客运有限公司", ("董建国", "裕华区总工会"), _years_ago(today, 5, -30), 5)
    terms.approve_renewal(f, kind="late", approved_on=today - timedelta(days=60), renew_by=today + timedelta(days=60),
                          reason="覆盖企业重组合并，待新覆盖单位建会后换届", document="裕工字〔2026〕12号", staff=None,
                          today=today)


def _huaidi(f: Federation, today: date) -> None:
    """The term ends in 60 days: inside the six months' reminder window."""
    elected_on = _years_ago(today, 3, 60)
    _orderly(f, today, "槐底商业广场", ("韩雪", "槐底街道总工会"), elected_on, 3)
    register.record_special_committee(f, kind="women", established_on=elected_on, chair_name="韩雪",
                                      staff=None, today=today)


def _preparing(f: Federation, today: date) -> None:
    formation.record_step(f, step="consultation", occurred_on=today - timedelta(days=40), note="征求12家家政企业意见",
                          staff=None, today=today)
    formation.record_step(f, step="party_consent", occurred_on=today - timedelta(days=30), document="裕华区家政行业党委同意函",
                          staff=None, today=today)
    formation.record_step(f, step="upper_approval", occurred_on=today - timedelta(days=20), document="裕工字〔批复〕3号",
                          staff=None, today=today)


def seed_demo_governance(today: date | None = None) -> int:
    """Seed what is missing; the number of federations seeded."""
    today = today or clock.today()
    plan = {
        "石家庄市长安区快递行业工会联合会": _courier,
        "石家庄市长安区建筑行业工会联合会": _construction,
        "石家庄市长安区建北街道工会联合会": _street,
        "石家庄市外卖送餐行业工会联合会": _delivery,
        "石家庄市裕华区货车司机行业工会联合会": lambda f, t: _orderly(
            f, t, "河北顺通物流有限公司", ("邱志强", "裕华区总工会"), _years_ago(t, 2), 5),
        "石家庄市长安区邮政行业工会联合会": lambda f, t: _orderly(
            f, t, "中国邮政长安分公司", ("蒋红", "长安区总工会"), _years_ago(t, 1), 3, congress=340, report_upper=200),
        "石家庄市裕华区道路运输行业工会联合会": _road,
        "石家庄市裕华区槐底街道工会联合会": _huaidi,
        "石家庄市裕华区家政服务行业工会联合会": _preparing,
    }
    seeded = 0
    for name, fill in plan.items():
        federation = _fed(name)
        if federation is None or federation.status == "dissolved" or not _untouched(federation):
            continue
        fill(federation, today)
        seeded += 1
    db.session.flush()
    return seeded


"""Committee rules (Hebei opinion §二.3–4), formation steps (§二.1) and terms (§二.3), allowed and
refused, with the dates given explicitly (time frozen by argument)."""
from datetime import date

import pytest

from models.governance import CommitteeMember, CommitteeTerm
from service.errors import Conflict, Forbidden, Invalid
from service.extensions import db
from service.governance import committee, formation, register, terms
from tests.factories import make_federation, make_staff

TODAY = date(2026, 6, 1)


@pytest.fixture
def tree(gov_tree):
    return {"county": gov_tree["changan"], "fed": gov_tree["kd"]}


@pytest.fixture
def unions(tree):
    fed = tree["fed"]
    a = register.add_base_union(fed, name="顺达快递有限公司工会委员会", kind="committee", chair_name="王芳",
                                member_count=40, women_count=10, staff=None)
    b = register.add_base_union(fed, name="长安区快递网点联合工会委员会", kind="joint_committee", chair_name="李强",
                                member_count=60, women_count=20, staff=None)
    register.add_unit(fed, name="顺达快递有限公司", head_name="赵总", workers=45, base_union_id=a.id, staff=None)
    db.session.commit()
    return {"a": a, "b": b}


def chair(**kw):
    return {"name": "李建华", "role": "chair", "source": "representative", "body": "长安区总工会派出", **kw}


def from_union(union, **kw):
    return {"name": union.chair_name, "role": "member", "source": "base_union", "base_union_id": union.id,
            "chosen_how": "committee_election", **kw}


def elect(fed, members, on=date(2025, 3, 1), years=5, **kw):
    term = terms.elect_committee(fed, elected_on=on, years=years, elected_by="committee", members=members,
                                 staff=None, today=kw.pop("today", TODAY), **kw)
    db.session.commit()
    return term


def errors_of(excinfo) -> str:
    return "；".join(f"{k}:{v}" for k, v in (excinfo.value.fields or {}).items())


# ---------------------------------------------------------------- committee rules

def test_an_elected_committee_from_base_union_chairs_and_a_representative(tree, unions):
    term = elect(tree["fed"], [chair(), from_union(unions["a"]), from_union(unions["b"], role="vice_chair")])
    assert (term.number, term.ends_on, term.renewal) == (1, date(2030, 3, 1), "first")
    assert [(m.name, m.role) for m in term.members] == [("李建华", "chair"), ("王芳", "member"), ("李强", "vice_chair")]
    assert term.members[0].chosen_how == "committee_election"  # chairs default to the election that chose them
    assert (tree["fed"].term_start, tree["fed"].term_years) == (date(2025, 3, 1), 5)


def test_a_covered_units_administrative_head_cannot_be_a_member(tree, unions):
    with pytest.raises(Invalid) as refused:
        elect(tree["fed"], [chair(), {"name": "赵总", "role": "member", "source": "representative",
                                      "chosen_how": "committee_election"}])
    assert "members.1.name" in refused.value.fields
    assert refused.value.fields["members.1.name"].startswith("赵总是覆盖单位“顺达快递有限公司”的行政主要负责人")


def test_an_association_president_may_be_a_member_but_not_chair_or_vice_chair(tree, unions):
    with pytest.raises(Invalid) as refused:
        elect(tree["fed"], [chair(association_post="vice_president")])
    assert "不得担任联合会主席、副主席" in refused.value.fields["members.0.association_post"]
    term = elect(tree["fed"], [chair(), {"name": "孙会长", "role": "member", "source": "representative",
                                         "body": "长安区快递协会", "association_post": "president",
                                         "chosen_how": "committee_election"}])
    assert [m.association_post for m in term.members] == [None, "president"]


def test_chair_and_vice_chairs_need_an_election(tree, unions):
    with pytest.raises(Invalid) as refused:
        elect(tree["fed"], [chair(chosen_how="democratic_recommendation", procedure="推选会")])
    assert "必须履行民主程序" in refused.value.fields["members.0.chosen_how"]
    with pytest.raises(Invalid) as refused:
        elect(tree["fed"], [from_union(unions["a"])])
    assert refused.value.fields["members"] == "新一届委员会应选举产生主席"
    with pytest.raises(Invalid) as refused:
        elect(tree["fed"], [chair(), chair(name="另一人")])
    assert "已有主席" in refused.value.fields["members.1.role"]


def test_a_base_union_member_is_its_chair(tree, unions):
    with pytest.raises(Invalid) as refused:
        elect(tree["fed"], [chair(), from_union(unions["a"], name="张三")])
    assert refused.value.fields["members.1.name"] == "来自基层工会的委员应为该基层工会的主席（顺达快递有限公司工会委员会现任主席：王芳）"


def test_democratic_recommendation_needs_the_procedure_recorded(tree, unions):
    with pytest.raises(Invalid) as refused:
        elect(tree["fed"], [chair(), from_union(unions["a"], chosen_how="democratic_recommendation")])
    assert "须履行民主程序" in refused.value.fields["members.1.procedure"]
    term = elect(tree["fed"], [chair(), from_union(unions["a"], chosen_how="democratic_recommendation",
                                                   procedure="2025-02-20 基层工会主席推选会，12票同意")])
    assert term.members[1].procedure.startswith("2025-02-20")


def test_a_member_who_stops_being_chair_is_flagged_and_replaced_by_the_successor(tree, unions):
    fed = tree["fed"]
    elect(fed, [chair(), from_union(unions["a"])])
    flagged = committee.change_base_union_chair(fed, unions["a"].id, chair_name="陈静", since=date(2026, 1, 10),
                                                staff=None, today=TODAY)
    assert [m.name for m in flagged] == ["王芳"]
    problems = committee.committee_problems(fed, committee.current_term(fed))
    assert [(p["code"], p["message"]) for p in problems] == [
        ("member_to_replace", "委员王芳已不再担任顺达快递有限公司工会委员会主要负责人，应由新任主要负责人陈静经民主程序替补")]
    old = flagged[0]
    base = {"name": "陈静", "role": "member", "source": "base_union", "base_union_id": unions["a"].id,
            "chosen_how": "replacement", "chosen_on": date(2026, 2, 1)}
    with pytest.raises(Invalid) as refused:  # no procedure, no member named
        committee.add_member(fed, base, staff=None, today=TODAY)
    assert set(refused.value.fields) == {"procedure", "replaces_id"}
    with pytest.raises(Invalid) as refused:  # the successor is the base union's new chair, nobody else
        committee.add_member(fed, {**base, "name": "路人甲", "replaces_id": old.id, "procedure": "会议"}, staff=None,
                             today=TODAY)
    assert "现任主席：陈静" in refused.value.fields["name"]
    new = committee.add_member(fed, {**base, "replaces_id": old.id, "procedure": "2026-02-01 委员会会议确认"},
                               staff=None, today=TODAY)
    db.session.commit()
    assert (new.replaces_id, old.left_on) == (old.id, date(2026, 2, 1))
    assert "由陈静替补" in old.left_reason
    assert committee.committee_problems(fed, committee.current_term(fed)) == []


def test_a_new_base_unions_chair_is_added_after_a_democratic_procedure(tree, unions):
    fed = tree["fed"]
    elect(fed, [chair(), from_union(unions["a"])])
    added = {"name": "李强", "role": "member", "source": "base_union", "base_union_id": unions["b"].id,
             "chosen_how": "addition", "chosen_on": date(2026, 3, 1)}
    with pytest.raises(Invalid) as refused:
        committee.add_member(fed, added, staff=None, today=TODAY)
    assert set(refused.value.fields) == {"procedure"}
    member = committee.add_member(fed, {**added, "procedure": "委员会全体会议表决通过"}, staff=None, today=TODAY)
    assert member.chosen_how == "addition"
    with pytest.raises(Invalid) as refused:  # a union already represented is not "new"
        committee.add_member(fed, {**added, "name": "王芳", "base_union_id": unions["a"].id, "procedure": "x"},
                             staff=None, today=TODAY)
    assert "增补适用于新覆盖的基层工会" in refused.value.fields["base_union_id"]


def test_a_unit_head_recorded_after_the_election_shows_as_a_broken_rule(tree, unions):
    fed = tree["fed"]
    elect(fed, [chair(), {"name": "钱经理", "role": "member", "source": "representative", "body": "快递企业",
                          "chosen_how": "committee_election"}])
    register.add_unit(fed, name="飞速物流有限公司", head_name="钱经理", staff=None)
    codes = [p["code"] for p in committee.committee_problems(fed, committee.current_term(fed))]
    assert codes == ["unit_head_member"]


# ---------------------------------------------------------------- terms

@pytest.mark.parametrize("years, ok", [(3, True), (5, True), (4, False), (0, False)])
def test_a_term_is_three_or_five_years(tree, unions, years, ok):
    if ok:
        assert elect(tree["fed"], [chair()], years=years).years == years
    else:
        with pytest.raises(Invalid) as refused:
            elect(tree["fed"], [chair()], years=years)
        assert refused.value.fields["years"] == "联合会每届任期三年或五年（《实施意见》二.3）"


@pytest.mark.parametrize("today, code", [
    (date(2027, 8, 31), None),  # the day before the six months' window of 2028-03-01
    (date(2027, 9, 1), "term_expiring"),
    (date(2028, 3, 1), "term_expiring"),  # the last day of the term
    (date(2028, 3, 2), "term_expired"),
])
def test_term_reminders_start_six_months_before_expiry(tree, unions, today, code):
    term = elect(tree["fed"], [chair()], years=3)
    check = terms.term_check(tree["fed"], term, [], today)
    assert (check["code"] if check else None) == code


def test_renewal_on_time_replaces_the_committee_and_starts_the_next_term(tree, unions):
    fed = tree["fed"]
    first = elect(fed, [chair(), from_union(unions["a"])], on=date(2023, 3, 1), years=3)
    second = elect(fed, [chair(name="周敏"), from_union(unions["b"])], on=date(2026, 2, 1), years=5)
    assert (second.number, second.renewal, second.ends_on) == (2, "on_time", date(2031, 2, 1))
    assert first.closed_on == date(2026, 2, 1)
    assert all(m.left_on == date(2026, 2, 1) and m.left_reason == "换届" for m in first.members)
    assert [m.name for m in committee.sitting_members(committee.current_term(fed))] == ["周敏", "李强"]


def test_early_renewal_needs_the_upper_unions_recorded_approval(tree, unions):
    fed = tree["fed"]
    elect(fed, [chair()], on=date(2024, 3, 1), years=3)  # ends 2027-03-01; on time from 2026-09-01
    with pytest.raises(Conflict) as refused:
        elect(fed, [chair(name="周敏")], on=date(2026, 5, 1))
    assert "属于提前换届，须报上一级工会批准" in refused.value.message
    upper_admin = make_staff(tree["county"], role="admin")
    own_admin = make_staff(fed, role="admin")
    with pytest.raises(Forbidden) as refused:
        terms.approve_renewal(fed, kind="early", approved_on=date(2026, 4, 20), reason="覆盖范围调整",
                              staff=own_admin, today=TODAY)
    assert refused.value.message == "批准提前或延期换届须由上一级工会的管理员办理"
    approval = terms.approve_renewal(fed, kind="early", approved_on=date(2026, 4, 20), reason="覆盖范围调整",
                                     document="长工字〔2026〕8号", staff=upper_admin, today=TODAY)
    term = elect(fed, [chair(name="周敏")], on=date(2026, 5, 1))
    assert (term.renewal, term.approval_id) == ("early", approval.id)


def test_late_renewal_needs_an_approval_that_covers_the_election_date(tree, unions):
    fed = tree["fed"]
    elect(fed, [chair()], on=date(2023, 3, 1), years=3)  # ends 2026-03-01
    upper_admin = make_staff(tree["county"], role="admin")
    with pytest.raises(Invalid) as refused:
        terms.approve_renewal(fed, kind="late", approved_on=date(2026, 2, 1), reason="疫情", staff=upper_admin,
                              today=TODAY)
    assert refused.value.fields["renew_by"] == "延期换届请填写最迟换届日期"
    approval = terms.approve_renewal(fed, kind="late", approved_on=date(2026, 2, 1), renew_by=date(2026, 5, 1),
                                     reason="覆盖企业重组", staff=upper_admin, today=TODAY)
    check = terms.term_check(fed, committee.current_term(fed), [approval], date(2026, 4, 1))
    assert check["code"] == "term_extended" and "2026-05-01前完成换届" in check["message"]
    assert terms.term_check(fed, committee.current_term(fed), [approval], date(2026, 5, 2))["code"] == "term_expired"
    with pytest.raises(Conflict):  # after the approved date: a new approval is needed
        elect(fed, [chair(name="周敏")], on=date(2026, 5, 20))
    term = elect(fed, [chair(name="周敏")], on=date(2026, 4, 28))
    assert (term.renewal, term.approval_id) == ("late", approval.id)


# ---------------------------------------------------------------- formation

def test_a_federation_is_formed_step_by_step_and_activated_by_its_first_election(tree):
    fed = make_federation("石家庄市长安区外卖行业工会联合会", parent=tree["county"], industry="H6242", status="preparing")
    upper_admin = make_staff(tree["county"], role="admin")
    with pytest.raises(Conflict) as refused:  # the party organisation first
        formation.record_step(fed, step="upper_approval", occurred_on=date(2026, 1, 5), document="批复",
                              staff=upper_admin, today=TODAY)
    assert "须经同级党组织同意并报上一级工会批准" in refused.value.message
    with pytest.raises(Conflict) as refused:  # nor an election before the preparing group
        elect(fed, [chair()], on=date(2026, 3, 1))
    assert refused.value.message.startswith("筹备程序未完成（缺：同级党组织同意、上一级工会批准成立筹备组、筹备组成立）")
    formation.record_step(fed, step="no_party_org", occurred_on=date(2026, 1, 2), note="区域内未建立党组织",
                          staff=None, today=TODAY)
    with pytest.raises(Forbidden):
        formation.record_step(fed, step="upper_approval", occurred_on=date(2026, 1, 5), document="批复",
                              staff=make_staff(fed, role="admin"), today=TODAY)
    formation.record_step(fed, step="upper_approval", occurred_on=date(2026, 1, 5), document="长工字〔2026〕1号",
                          staff=upper_admin, today=TODAY)
    with pytest.raises(Invalid) as refused:
        formation.record_step(fed, step="preparing_group", occurred_on=date(2026, 1, 10), staff=None, today=TODAY)
    assert refused.value.fields == {"people": "请填写人员"}
    formation.record_step(fed, step="preparing_group", occurred_on=date(2026, 1, 10), people="李建华（组长）、王芳",
                          staff=None, today=TODAY)
    assert fed.status == "preparing"
    elect(fed, [chair()], on=date(2026, 3, 1))
    assert fed.status == "active" and fed.activated_at is not None
    assert not formation.has_party_org(formation.steps(fed))


def test_preparing_group_only_after_the_upper_unions_approval(tree):
    fed = make_federation("石家庄市长安区外卖行业工会联合会", parent=tree["county"], industry="H6242", status="preparing")
    formation.record_step(fed, step="party_consent", occurred_on=date(2026, 1, 2), document="党委同意函",
                          staff=None, today=TODAY)
    with pytest.raises(Conflict) as refused:
        formation.record_step(fed, step="preparing_group", occurred_on=date(2026, 1, 10), people="甲、乙",
                              staff=None, today=TODAY)
    assert refused.value.message == "筹备组须在上一级工会批准后成立（《实施意见》二.1）"


def test_db_rows_match(tree, unions):
    elect(tree["fed"], [chair(), from_union(unions["a"])])
    assert db.session.query(CommitteeTerm).count() == 1 and db.session.query(CommitteeMember).count() == 2


def test_members_of_an_election_default_to_the_congress(tree, unions):
    term = elect(tree["fed"], [chair(), {"name": "王芳", "role": "member", "source": "base_union",
                                         "base_union_id": unions["a"].id}])
    assert [m.chosen_how for m in term.members] == ["committee_election", "congress_election"]

"""Meetings and reports due (Hebei opinion §三.3), the register and the committees it calls for
(§二.2–3), and the reminders sent through the outbox — across dates given explicitly."""
from datetime import date

import pytest
from sqlalchemy import select

from models.outbox import OutboxMessage
from service.errors import Invalid
from service.extensions import db
from service.governance import board, formation, meetings, register, reminders, terms
from tests.factories import make_federation, make_position, make_staff

TODAY = date(2026, 6, 1)


@pytest.fixture
def fed(gov_tree):
    fed = gov_tree["kd"]
    terms.elect_committee(fed, elected_on=date(2025, 3, 1), years=5, elected_by="congress", staff=None, today=TODAY,
                          members=[{"name": "李建华", "role": "chair", "source": "representative", "body": "区总工会"},
                                   {"name": "王芳", "role": "member", "source": "representative", "body": "企业",
                                    "chosen_how": "congress_election"},
                                   {"name": "李强", "role": "member", "source": "representative", "body": "企业",
                                    "chosen_how": "congress_election"}])
    db.session.commit()
    make_position(fed)  # it has a service position (a federation without one: tests/test_positions_api.py)
    return fed


def codes(fed, today):
    records = board.load([fed.id])[fed.id]
    return sorted(c["code"] for c in board.federation_checks(fed, records, today))


def meeting(fed, kind, on, **kw):
    m = meetings.record_meeting(fed, kind=kind, held_on=on, staff=None, today=TODAY, **kw)
    db.session.commit()
    return m


def test_duties_fall_due_a_year_and_half_a_year_after_the_first_election(fed):
    base = {"supervision_committee_missing"}
    assert set(codes(fed, date(2025, 8, 1))) == base
    assert set(codes(fed, date(2025, 8, 2))) == base | {"report_party_due", "report_upper_due"}  # 30 days before
    assert set(codes(fed, date(2025, 9, 2))) == base | {"report_party_overdue", "report_upper_overdue"}
    assert set(codes(fed, date(2026, 3, 2))) == base | {"congress_overdue", "plenary_overdue", "report_party_overdue",
                                                         "report_upper_overdue"}


def test_a_recorded_congress_plenary_and_report_reset_the_clock(fed):
    meeting(fed, "congress", date(2026, 1, 15), attendance=80, expected=100, minutes_file="2026职代会纪要.pdf")
    meeting(fed, "plenary", date(2026, 1, 16), attendance=3, minutes_file="全委会纪要.pdf")
    meeting(fed, "report", date(2026, 1, 20), to_party=True, to_upper=True, summary="2025年下半年工作汇报")
    assert codes(fed, date(2026, 6, 1)) == ["supervision_committee_missing"]
    assert codes(fed, date(2026, 7, 21)) == ["report_party_overdue", "report_upper_overdue",
                                             "supervision_committee_missing"]
    # 2027-01-16: the congress (due 01-15) is a day late, the plenary falls due today
    assert codes(fed, date(2027, 1, 16)) == ["congress_overdue", "plenary_due", "report_party_overdue",
                                             "report_upper_overdue", "supervision_committee_missing"]


def test_no_party_organisation_means_reports_to_the_upper_union_only(fed):
    from models.governance import FormationStep

    db.session.add(FormationStep(federation_id=fed.id, step="no_party_org", occurred_on=date(2025, 1, 1)))
    db.session.commit()
    assert "report_party_overdue" not in codes(fed, date(2025, 9, 2))
    assert "report_upper_overdue" in codes(fed, date(2025, 9, 2))


def test_a_plenary_needs_more_than_half_the_committee(fed):
    with pytest.raises(Invalid) as refused:
        meeting(fed, "plenary", date(2026, 1, 16), attendance=1, minutes_file="x.pdf")
    assert refused.value.fields["attendance"] == "委员会全体会议须有半数以上委员出席（应出席3人，出席1人）"
    assert meeting(fed, "plenary", date(2026, 1, 16), attendance=2, minutes_file="x.pdf").expected == 3


@pytest.mark.parametrize("data, field, message", [
    ({"kind": "congress", "held_on": date(2026, 7, 1), "attendance": 5, "minutes_file": "a"}, "held_on", "日期不能晚于今天"),
    ({"kind": "congress", "held_on": date(2026, 1, 1), "minutes_file": "a"}, "attendance", "请填写出席人数"),
    ({"kind": "congress", "held_on": date(2026, 1, 1), "attendance": 5}, "minutes_file", "请填写会议记录文件"),
    ({"kind": "report", "held_on": date(2026, 1, 1), "summary": "x"}, "to_upper", "请选择汇报对象：本级党组织、上级工会（可都选）"),
    ({"kind": "congress", "held_on": date(2026, 1, 1), "attendance": 2**63, "minutes_file": "a"}, "attendance",
     "出席人数应为0到100000之间的整数"),
])
def test_meeting_records_are_checked(fed, data, field, message):
    kind, held_on = data.pop("kind"), data.pop("held_on")
    with pytest.raises(Invalid) as refused:
        meetings.record_meeting(fed, kind=kind, held_on=held_on, staff=None, today=TODAY, **data)
    assert refused.value.fields[field] == message


def test_funds_and_women_committees_are_required_as_records(fed):
    fed.own_funds = True
    register.add_base_union(fed, name="某公司工会委员会", kind="committee", member_count=100, women_count=50, staff=None)
    db.session.commit()
    assert {"funds_committee_missing", "women_committee_missing"} <= set(codes(fed, TODAY))
    register.record_special_committee(fed, kind="funds_review", established_on=date(2025, 3, 1), chair_name="刘会计",
                                      members=["甲", "乙"], staff=None, today=TODAY)
    register.record_special_committee(fed, kind="women", established_on=date(2025, 3, 1), chair_name="王芳",
                                      staff=None, today=TODAY)
    db.session.commit()
    assert fed.has_funds_committee and fed.has_women_committee  # the old flags follow the records
    assert not {"funds_committee_missing", "women_committee_missing"} & set(codes(fed, TODAY))


def test_women_committee_not_required_when_few_women(fed):
    register.add_base_union(fed, name="某公司工会委员会", kind="committee", member_count=100, women_count=49, staff=None)
    db.session.commit()
    assert "women_committee_missing" not in codes(fed, TODAY)


def test_coverage_rate_and_units_neither_unionised_nor_covered_directly(fed):
    union = register.add_base_union(fed, name="甲公司工会委员会", kind="committee", staff=None)
    register.add_unit(fed, name="甲公司", base_union_id=union.id, staff=None)
    register.add_unit(fed, name="乙小店", covered_directly=True, workers=3, staff=None)
    register.add_unit(fed, name="丙商行", staff=None)
    register.add_unit(fed, name="网约配送员", kind="scattered", workers=120, staff=None)
    db.session.commit()
    records = board.load([fed.id])[fed.id]
    figures = register.coverage_figures(records["units"], records["unions"])
    assert (figures["units"], figures["units_with_union"], figures["units_covered_directly"],
            figures["units_uncovered"], figures["scattered_workers"]) == (3, 1, 1, 1, 120)
    assert figures["coverage_rate"] == 0.3333
    check = next(c for c in board.federation_checks(fed, records, TODAY) if c["code"] == "units_uncovered")
    assert check["evidence"] == "丙商行" and check["link"].endswith(f"id={fed.id}#register")


def linked(federation, role, openid):
    """A staff member who linked their WeChat (alerts go to Staff.openid)."""
    account = make_staff(federation, role=role)
    account.openid = openid
    db.session.commit()
    return account


def test_reminders_reach_the_federation_and_its_upper_union_once_a_month(fed):
    own = linked(fed, "chair", "o-own-chair")
    upper = linked(fed.parent, "admin", "o-upper-admin")
    linked(fed.parent, "caseworker", "o-caseworker")  # caseworkers are not alerted
    make_staff(fed.parent, role="admin")  # no WeChat linked: nothing to send
    queued = reminders.send_reminders(date(2029, 9, 15))  # term ends 2030-03-01: inside six months
    db.session.commit()
    messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    term = [m for m in messages if "任期将于2030-03-01届满" in m.payload["text"]]
    assert sorted(m.openid for m in term) == [own.openid, upper.openid]
    assert term[0].payload["template"] == "staff_alert"
    assert term[0].payload["url"].endswith(f"/console/federation-governance.html?id={fed.id}#terms")
    assert reminders.send_reminders(date(2029, 9, 20)) == queued  # same month: the same messages (dedup)
    db.session.commit()
    assert db.session.query(OutboxMessage).count() == len(messages)
    reminders.send_reminders(date(2029, 10, 15))
    db.session.commit()
    assert db.session.query(OutboxMessage).count() > len(messages)  # next month: reminded again


def test_formation_check_for_a_preparing_federation(fed):
    prep = make_federation("石家庄市长安区外卖行业工会联合会", parent=fed.parent, industry="H6242", status="preparing")
    formation.record_step(prep, step="party_consent", occurred_on=date(2026, 1, 2), document="同意函",
                          staff=None, today=TODAY)
    db.session.commit()
    check = board.federation_checks(prep, board.load([prep.id])[prep.id], TODAY)[0]
    assert check["code"] == "formation_incomplete"
    assert check["message"] == "筹备中：尚缺上一级工会批准成立筹备组、筹备组成立"


def test_the_jobs_run_in_the_job_runner(fed, app):
    from service.governance.early_warning import labour_warnings_job
    from service.governance.reminders import governance_reminders_job

    from service.jobs import Job, run_job

    linked(fed.parent, "admin", "o-upper-admin")
    # both half-year reports are overdue: two alerts to the one linked recipient, committed by the runner
    assert run_job(Job("governance-reminders", 86400, lambda: governance_reminders_job(date(2025, 9, 2)))) == 2
    assert db.session.query(OutboxMessage).count() == 2
    assert run_job(Job("labour-warnings", 3600, lambda: labour_warnings_job(date(2025, 9, 2)))) == 0


def test_the_cli_group(fed, runner):
    from service.governance.cli import governance_cli

    linked(fed.parent, "admin", "o-upper-admin")
    result = runner.invoke(governance_cli, ["remind", "--today", "2025-09-02"])
    assert result.exit_code == 0 and result.output.strip() == "已排队提醒 2 条"
    result = runner.invoke(governance_cli, ["scan-warnings", "--today", "2025-09-02"])
    assert result.exit_code == 0 and result.output.strip() == "新增预警 0 条"

"""一函两书 and labour-relations early warning (Hebei opinion §三.3): letters from a help request,
escalation only when due or unresolved, employer dossiers, rule-raised warnings, and the red
warning's alert to the upper union through the outbox."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.governance import LabourWarning
from models.outbox import OutboxMessage
from models.request import HelpRequest
from service import clock
from service.errors import Conflict, Invalid
from service.extensions import db
from service.governance import early_warning, employers, letters
from tests.factories import make_coverage, make_federation, make_request, make_staff

TODAY = clock.today()  # the China date, as the services use; renewed per test (conftest's same_day)
D = timedelta(days=1)
pytestmark = pytest.mark.usefixtures("same_day")


@pytest.fixture
def fed(gov_tree):
    fed = gov_tree["kd"]
    make_coverage(fed, "130102", "G602")
    return fed


def linked(federation, role, openid):
    account = make_staff(federation, role=role)
    account.openid = openid
    db.session.commit()
    return account


def staff_alerts() -> list[OutboxMessage]:
    """Queued staff alerts (the worker's own request notices are left out)."""
    return [m for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if m.payload["template"] == "staff_alert"]


def letter_data(**kw):
    return {"kind": "reminder", "source": "inspection", "employer_name": "石家庄某某快递有限公司",
            "issued_on": TODAY - 20 * D, "due_on": TODAY - 5 * D, "facts": "未按月足额支付工资",
            "demands": "15日内补发拖欠工资", **kw}


def test_a_letter_from_a_help_request_names_its_employer(fed):
    request = make_request()
    letter = letters.issue_letter(fed, letter_data(source="help_request", help_request_id=request.id,
                                                   employer_name=None), staff=None, today=TODAY)
    db.session.commit()
    assert (letter.addressee, letter.help_request_id, letter.status) == ("石家庄某某快递有限公司", request.id, "issued")
    assert letter.number == f"联监提示〔{letter.issued_on.year}〕{fed.id}-1号"
    dossier = employers.dossier(fed, letter.employer_id)
    assert dossier["figures"]["wage_arrears_workers"] == 12 and dossier["figures"]["wage_arrears_amount"] == "15000.00"
    assert [x.id for x in dossier["letters"]] == [letter.id]


def test_a_help_request_of_another_federation_is_refused(fed):
    other = make_federation("石家庄市长安区建筑行业工会联合会", parent=fed.parent, industry="E")
    request = make_request()
    with pytest.raises(Invalid) as refused:
        letters.issue_letter(other, letter_data(source="help_request", help_request_id=request.id), staff=None,
                             today=TODAY)
    assert refused.value.fields["help_request_id"] == "请选择本联合会受理的求助"


@pytest.mark.parametrize("changes, field", [
    ({"kind": "recommendation"}, "kind"),
    ({"due_on": TODAY - 20 * D}, "due_on"),
    ({"due_on": TODAY + 60 * D}, "due_on"),
    ({"facts": "  "}, "facts"),
    ({"facts": "a\x00b"}, "facts"),
    ({"source": "rumour"}, "source"),
])
def test_letter_input_is_checked(fed, changes, field):
    with pytest.raises(Invalid) as refused:
        letters.issue_letter(fed, letter_data(**changes), staff=None, today=TODAY)
    assert field in refused.value.fields


def test_escalation_reminder_to_opinion_to_recommendation(fed):
    reminder = letters.issue_letter(fed, letter_data(due_on=TODAY + 5 * D), staff=None, today=TODAY)
    follow = {"issued_on": TODAY, "due_on": TODAY + 10 * D, "facts": "仍未补发", "demands": "立即补发"}
    with pytest.raises(Conflict) as refused:  # not yet due, not answered
        letters.escalate_letter(fed, reminder.id, follow, staff=None, today=TODAY)
    assert "暂不能升级" in refused.value.message
    reminder.due_on = TODAY - D
    opinion = letters.escalate_letter(fed, reminder.id, follow, staff=None, today=TODAY)
    assert (opinion.kind, opinion.previous_id, reminder.status) == ("opinion", reminder.id, "escalated")
    letters.record_response(fed, opinion.id, response_on=TODAY, response="资金紧张，下月再议", resolved=False,
                            staff=None, today=TODAY)
    with pytest.raises(Invalid) as refused:
        letters.escalate_letter(fed, opinion.id, follow, staff=None, today=TODAY)
    assert "addressee" in refused.value.fields
    recommendation = letters.escalate_letter(fed, opinion.id, {**follow, "addressee": "长安区劳动保障监察大队"},
                                             staff=None, today=TODAY)
    assert (recommendation.kind, recommendation.addressee) == ("recommendation", "长安区劳动保障监察大队")
    with pytest.raises(Conflict):
        letters.escalate_letter(fed, recommendation.id, follow, staff=None, today=TODAY + 30 * D)


def test_a_resolving_answer_closes_the_letter(fed):
    letter = letters.issue_letter(fed, letter_data(due_on=TODAY + 5 * D), staff=None, today=TODAY)
    letters.record_response(fed, letter.id, response_on=TODAY, response="已补发", resolved=True, staff=None, today=TODAY)
    assert letter.status == "closed"
    with pytest.raises(Conflict):
        letters.escalate_letter(fed, letter.id, {}, staff=None, today=TODAY + 10 * D)


def test_wage_arrears_affecting_ten_workers_raise_a_red_warning_that_reaches_the_upper_union(fed):
    upper = linked(fed.parent, "admin", "o-upper-admin")
    own = linked(fed, "chair", "o-own-chair")
    make_request()  # wage arrears, 12 workers affected (the factory's details)
    assert early_warning.scan_employers(TODAY) == 1
    db.session.commit()
    warning = db.session.scalar(select(LabourWarning))
    assert (warning.level, warning.rule, warning.response_due) == ("red", "wage_arrears_10", TODAY + 3 * D)
    assert warning.reason == "欠薪涉及12名职工（180天内，达到10人即红色预警）"
    assert warning.evidence == {"requests": [db.session.scalar(select(HelpRequest.number))]}
    assert warning.employer.level == "red" and warning.notified_upper_at is not None
    sent = staff_alerts()
    assert sorted(m.openid for m in sent) == sorted([own.openid, upper.openid])
    assert all(m.payload["template"] == "staff_alert" and "红色劳动关系预警" in m.payload["text"] for m in sent)
    assert early_warning.scan_employers(TODAY) == 0  # one open warning per rule
    early_warning.close_warning(fed, warning.id, closed_on=TODAY, note="已协调补发", staff=None, today=TODAY)
    assert warning.employer.level == "green"


def test_nine_workers_are_not_a_red_warning_ten_across_two_requests_are(fed):
    make_request(details={"months": 2, "workers_affected": 9})
    assert early_warning.scan_employers(TODAY) == 0
    make_request(details={"months": 1, "workers_affected": 1}, employer_name="石家庄某某快递有限公司 ")
    assert early_warning.scan_employers(TODAY) == 1


def test_three_requests_in_ninety_days_raise_a_yellow_warning(fed):
    linked(fed.parent, "admin", "o-upper-admin")
    for _ in range(3):
        make_request(type="consultation", employer_name="石家庄 某某快递有限公司")  # spaces do not split a dossier
    assert early_warning.scan_employers(TODAY) == 1
    warning = db.session.scalar(select(LabourWarning))
    assert (warning.level, warning.rule, warning.employer.name) == ("yellow", "repeated_requests", "石家庄某某快递有限公司")
    assert staff_alerts() == []  # only red warnings alert at once


def test_an_unanswered_opinion_letter_raises_a_red_warning(fed):
    letters.issue_letter(fed, letter_data(kind="opinion"), staff=None, today=TODAY)
    letters.issue_letter(fed, letter_data(employer_name="另一家公司"), staff=None, today=TODAY)
    assert early_warning.scan_employers(TODAY) == 2
    rules = sorted((w.rule, w.level) for w in db.session.scalars(select(LabourWarning)))
    assert rules == [("opinion_unanswered", "red"), ("reminder_unanswered", "yellow")]


def test_staff_raise_a_warning_by_hand(fed):
    chair = make_staff(fed, role="chair")
    warning = early_warning.raise_warning(fed, employer_name="某物流公司", level="red", reason="老板失联，职工聚集",
                                          staff=chair, today=TODAY)
    assert (warning.rule, warning.raised_by_id, warning.response_due) == (None, chair.id, TODAY + 3 * D)
    caseworker = make_staff(fed, role="caseworker")
    from service.errors import Forbidden

    with pytest.raises(Forbidden):
        early_warning.raise_warning(fed, employer_name="某物流公司", level="red", reason="x", staff=caseworker)

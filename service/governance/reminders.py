"""Governance reminders: the board's dated checks (term expiring from six months before, expired,
extended; congress, plenary and reports due within 30 days or overdue; contracts in review or
expiring) sent as WeChat staff alerts to the federation's chairs and admins and to its upper
union's — at most once a month per check and due date (the outbox dedup key says so)."""
from datetime import date

from sqlalchemy import select

from models.federation import FEDERATION_KINDS, Federation
from service import clock
from service.extensions import db
from service.governance import board, contracts, notify

REMINDED = ("term_expiring", "term_expired", "term_extended", "term_missing", "congress_due", "congress_overdue",
            "plenary_due", "plenary_overdue", "report_party_due", "report_party_overdue", "report_upper_due",
            "report_upper_overdue", "member_to_replace", "contract_in_review", "contract_expiring")
ISSUES = {"term": "委员会换届", "congress": "召开大会", "plenary": "委员会全体会议", "report": "半年工作汇报",
          "member": "委员替补", "contract": "集体合同"}


def send_reminders(today: date | None = None) -> int:
    """Queue this month's reminders for every active federation; the number of alerts queued."""
    today = today or clock.today()
    federations = list(db.session.scalars(select(Federation).where(
        Federation.kind.in_(FEDERATION_KINDS), Federation.status == "active").order_by(Federation.id)))
    records = board.load([f.id for f in federations])
    queued = 0
    for federation in federations:
        for check in board.federation_checks(federation, records[federation.id], today):
            if check["code"] not in REMINDED:
                continue
            issue = ISSUES.get(check["code"].split("_")[0], "联合会治理")
            key = f"gov:{federation.id}:{check['code']}:{check.get('due') or check.get('member_id')}:{today:%Y-%m}"
            queued += notify.alert(federation, check["message"], ref="治理提醒", issue=issue, path=check["link"],
                                   dedup_key=key)
    return queued


def governance_reminders_job(today: date | None = None) -> int:
    """Periodic (daily): contracts past their 15-day review take effect, then the reminders are
    queued; the job runner commits. Returns contracts settled + alerts queued."""
    return contracts.settle_reviews(today) + send_reminders(today)

"""The demo's governance records: every state the board can show, and seeding twice changes nothing."""
from datetime import date

from models.governance import CommitteeMember, Meeting
from service.devtools import demo
from service.devtools.demo_governance import seed_demo_governance
from service.extensions import db
from service.governance import board


def _codes(rows, name):
    """The governance checks of a federation; the service-position check is asserted on its own."""
    row = next(r for r in rows if r["name"] == name)
    return {c["code"] for c in row["checks"]} - {"position_missing"}


def test_the_demo_board_has_federations_in_every_state(feds):
    demo.seed_staff()
    db.session.commit()
    viewer = next(account for account, _ in demo.seed_staff() if account.username == "sjz-admin")
    rows = board.board(viewer)
    assert _codes(rows, "石家庄市裕华区货车司机行业工会联合会") == set()
    assert {"term_expired", "funds_committee_missing", "congress_overdue", "report_upper_overdue"} <= \
        _codes(rows, "石家庄市长安区建筑行业工会联合会")
    assert _codes(rows, "石家庄市长安区建北街道工会联合会") == {"unit_head_member"}
    assert {"women_committee_missing", "red_warning", "red_warning_overdue", "letter_overdue"} <= \
        _codes(rows, "石家庄市外卖送餐行业工会联合会")
    assert _codes(rows, "石家庄市长安区快递行业工会联合会") == {"member_to_replace", "contract_in_review"}
    assert _codes(rows, "石家庄市长安区邮政行业工会联合会") == {"congress_due", "report_upper_overdue"}
    assert _codes(rows, "石家庄市裕华区道路运输行业工会联合会") == {"term_extended"}
    assert _codes(rows, "石家庄市裕华区槐底街道工会联合会") == {"term_expiring"}
    assert _codes(rows, "石家庄市裕华区家政服务行业工会联合会") == {"formation_incomplete"}
    assert _codes(rows, "石家庄高新技术产业开发区电子信息行业工会联合会") == {"term_missing",
                                                                  "supervision_committee_missing"}
    assert "石家庄市长安区网约车行业工会联合会" not in {r["name"] for r in rows}  # dissolved
    # the demo registers service positions for the courier and truck drivers' federations only
    without = {r["name"] for r in rows if "position_missing" in {c["code"] for c in r["checks"]}}
    assert without == {r["name"] for r in rows if r["status"] == "active"} - {
        "石家庄市长安区快递行业工会联合会", "石家庄市裕华区货车司机行业工会联合会"}
    assert rows[0]["red"] >= rows[-1]["red"] and rows[-1]["name"] == "石家庄市裕华区货车司机行业工会联合会"


def test_seeding_again_changes_nothing(feds):
    counts = (db.session.query(CommitteeMember).count(), db.session.query(Meeting).count())
    assert seed_demo_governance(date.today()) == 0
    assert (db.session.query(CommitteeMember).count(), db.session.query(Meeting).count()) == counts

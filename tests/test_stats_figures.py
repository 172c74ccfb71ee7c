"""Statistics figures against the hand-counted fixture of tests/stats_fixtures.py (May 2026,
China time): a federation (counted live), a county, a city and the province (from rollups)."""
from datetime import date

import pytest

from service.errors import Forbidden, NotFound
from service.stats import collect, figures, live, rollup
from service.stats.periods import make_period
from tests import stats_fixtures

MAY = make_period("month", "2026-05")


@pytest.fixture
def t(app):
    tree = stats_fixtures.build()
    rollup.refresh_rollups()
    return tree


def test_requests_of_a_federation_respect_china_time_month_edges(t):
    f = figures.request_figures(t.F1, MAY)
    # r1 (00:00:00 on 1 May) and r3 (23:59:59 on 31 May) are in; r2 and r4 (one second outside) are not.
    assert f["totals"]["new"] == 2
    assert {row["key"]: row["n"] for row in f["by_type"]} == {"wage_arrears": 1, "mediation": 1}
    assert f["totals"]["amount_recovered"] == "4200.50"  # 1200.50 recovered + 3000.00 agreed
    assert f["totals"]["amount_cases"] == 2
    assert f["totals"]["workers_covered"] == 3
    assert f["satisfaction"] == {"rated": 2, "average": 3.5, "distribution": [
        {"rating": 1, "n": 0}, {"rating": 2, "n": 1}, {"rating": 3, "n": 0}, {"rating": 4, "n": 0},
        {"rating": 5, "n": 1}]}
    levels = {row["type"]: row for row in f["service_levels"]}
    assert levels["wage_arrears"]["first_response"]["median_hours"] == 2
    assert levels["wage_arrears"]["first_response"]["on_time_share"] == 1.0
    assert levels["wage_arrears"]["resolution"]["median_hours"] == 120
    assert levels["mediation"]["first_response"]["median_hours"] == 36  # 29 h → the 36 h bucket
    assert levels["mediation"]["resolution"]["late"] == 1
    assert levels["mediation"]["resolution"]["median_hours"] == 480
    assert {(o["type"], o["result"]): o["n"] for o in f["outcomes"]} == {
        ("wage_arrears", "resolved"): 1, ("mediation", "agreement"): 1}
    assert [row["bucket"] for row in f["series"]][:1] == ["2026-05-01"] and len(f["series"]) == 31
    assert f["series"][0]["wage_arrears"] == 1 and f["series"][30]["mediation"] == 1


def test_a_county_adds_up_its_federations_and_its_own_inbox(t):
    f = figures.request_figures(t.K, MAY)
    assert f["totals"]["new"] == 4  # r1, r3 (F1), r5 (F2), r7 (its own inbox)
    assert f["totals"]["escalated"] == 1
    assert f["totals"]["amount_recovered"] == "4200.50"  # r7's unreadable amount is not recorded
    assert f["totals"]["workers_covered"] == 3
    assert {(o["type"], o["result"]): o["n"] for o in f["outcomes"]}[("wage_arrears", "partial")] == 1
    legal = next(row for row in f["service_levels"] if row["type"] == "legal_aid")
    assert legal["first_response"] == {**legal["first_response"], "late": 1, "on_time": 0, "median_hours": 72}


def test_city_and_province(t):
    assert figures.request_figures(t.C, MAY)["totals"]["new"] == 5  # + r6 in the other county
    province = figures.request_figures(t.P, MAY)
    assert province["totals"]["new"] == 6  # + r8 in the province's own inbox
    consultation = next(row for row in province["service_levels"] if row["type"] == "consultation")
    assert consultation["first_response"]["late"] == 2  # r6 and r8: never answered, due long past
    april = figures.request_figures(t.P, make_period("month", "2026-04"))
    assert april["totals"]["new"] == 1 and april["totals"]["amount_recovered"] == "999.00"


def test_members_and_applications(t):
    province = figures.member_figures(t.P, MAY)
    assert province["totals"] == {"new": 2, "withdrawn": 1, "transfers_in": 1, "transfers_out": 1,
                                  "members_at_end": 2}
    assert {row["key"]: row["n"] for row in province["by_form"]} == {"platform": 1, "employee": 1}
    assert {row["key"]: row["n"] for row in province["by_industry"]} == {"G": 2}
    assert {row["key"]: row["n"] for row in province["by_region"]} == {"130102": 1, "130108": 1}
    apps = province["applications"]
    assert (apps["submitted"], apps["decided"], apps["decided_on_time"], apps["on_time_share"]) == (3, 2, 1, 0.5)
    assert apps["average_days"] == 14.0  # 1 day and 27 days
    f1 = figures.member_figures(t.F1, MAY)
    assert f1["totals"] == {"new": 1, "withdrawn": 0, "transfers_in": 0, "transfers_out": 1, "members_at_end": 2}
    k2 = figures.member_figures(t.K2, MAY)
    assert k2["totals"]["transfers_in"] == 1 and k2["totals"]["members_at_end"] == 0
    assert figures.member_figures(t.P, make_period("month", "2026-04"))["totals"]["new"] == 1  # m2, 23:00 30 April


def test_where_the_next_federation_is_needed(t):
    province = figures.gap_figures(t.P, MAY)
    assert province["totals"] == {"requests": 2, "applications": 1}
    assert {(r["region"], r["industry"]): (r["requests"], r["applications"]) for r in province["rows"]} == {
        ("130102", "F"): (1, 0), ("130203", "H"): (1, 0), ("130102", "O"): (0, 1)}
    assert {c["code"]: c["value"] for c in province["regions"]} == {"130100": 2, "130200": 1}
    county = figures.gap_figures(t.K, MAY)
    assert county["totals"] == {"requests": 1, "applications": 1}
    assert figures.gap_figures(t.K2, MAY)["totals"] == {"requests": 0, "applications": 0}


def test_rollups_give_what_a_live_count_gives(t, monkeypatch):
    for node in (t.K, t.C, t.P):
        from_rollups = [figures.request_figures(node, MAY), figures.member_figures(node, MAY),
                        figures.gap_figures(node, MAY)]
        monkeypatch.setattr(collect, "uses_rollups", lambda n: False)
        counted = [figures.request_figures(node, MAY), figures.member_figures(node, MAY),
                   figures.gap_figures(node, MAY)]
        monkeypatch.undo()
        assert from_rollups == counted


def test_drill_down_children(t):
    rows = {row["name"]: row for row in live.child_figures(t.K, MAY)}
    assert rows["石家庄市长安区快递行业工会联合会"]["requests_new"] == 2
    assert rows["石家庄市长安区快递行业工会联合会"]["amount_recovered"] == "4200.50"
    assert rows["石家庄市长安区建筑行业工会联合会"]["requests_new"] == 1
    city = {row["name"]: row for row in live.child_figures(t.C, MAY)}
    assert city["石家庄市长安区总工会"]["requests_new"] == 4 and city["石家庄市长安区总工会"]["unrouted"] == 2
    assert city["石家庄市裕华区总工会"]["members_new"] == 1


def test_contests_caseworkers_and_low_ratings(t):
    contests = live.contest_figures(t.C, MAY)["totals"]
    assert (contests["published"], contests["signups"], contests["fill_rate"], contests["promoted"],
            contests["attendance"]) == (1, 3, 1.0, 1, 0.5)
    assert live.contest_figures(t.K2, MAY)["totals"]["published"] == 0
    rows = {row["name"]: row for row in live.caseworker_figures(t.chair, t.F1, MAY)}
    assert (rows["kd-case"]["open"], rows["kd-case"]["handled"], rows["kd-case"]["on_time"]) == (1, 1, 1)
    with pytest.raises(Forbidden):
        live.caseworker_figures(t.cw, t.F1, MAY)
    low = live.low_ratings(t.P, MAY)
    assert [(row["rating"], row["comment"]) for row in low] == [(2, "太慢了")]
    assert live.low_ratings(t.K2, MAY) == []


def test_a_viewer_sees_only_their_subtree(t):
    from tests.factories import make_staff

    k2_admin = make_staff(t.K2, "admin", username="yh-admin")
    assert live.node_for(k2_admin, None).id == t.K2.id
    assert live.node_for(k2_admin, t.F3.id).id == t.F3.id
    for outside in (t.F1.id, t.K.id, t.C.id, 2**31, 2**63):
        with pytest.raises(NotFound):
            live.node_for(k2_admin, outside)
    path = live.describe_node(k2_admin, t.F3)["path"]
    assert [p["id"] for p in path] == [t.K2.id, t.F3.id]


def test_periods_are_china_time():
    period = make_period("month", "2026-05")
    assert period.utc_bounds == (stats_fixtures.utc(2026, 4, 30, 16), stats_fixtures.utc(2026, 5, 31, 16))
    assert make_period("half", "2026-H2").end == date(2026, 12, 31)
    assert make_period("quarter", "2026-Q2").months() == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert make_period("month", today=date(2026, 3, 9)).ref == "2026-03"
    custom = make_period("custom", start=date(2026, 2, 14), end=date(2026, 4, 2))
    assert (custom.start, custom.end) == (date(2026, 2, 1), date(2026, 4, 30))

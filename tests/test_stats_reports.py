"""Monthly and half-year reports: the stored figures, the xlsx file read back, the job."""
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from models.stats import StatsReport
from service.extensions import db
from service.stats import reports, rollup
from service.stats.periods import make_period
from tests import stats_fixtures
from tests.stats_fixtures import utc


def test_a_report_holds_the_figures_and_a_workbook_of_them(app):
    t = stats_fixtures.build()
    rollup.refresh_rollups()
    report = reports.generate_report(t.K, "half", make_period("half", "2026-H1"), by=t.chair)
    db.session.commit()
    assert report.data["requests"]["totals"]["new"] == 7  # r2 (April), r1 r3 r5 r7 (May), r4 r9 (June)
    book = load_workbook(BytesIO(report.xlsx))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["单位"] == "石家庄市长安区总工会"
    assert summary["统计周期"] == "2026年上半年"
    assert summary["新受理诉求（件）"] == report.data["requests"]["totals"]["new"]
    assert summary["追回 / 协议金额（元）"] == 5199.5  # 999.00 (April) + 1200.50 + 3000.00
    assert summary["追回 / 协议金额（万元）"] == 0.52
    gaps = list(book["需要新建联合会的地方"].iter_rows(min_row=2, values_only=True))
    assert sorted((g[0], g[2], g[4], g[5]) for g in gaps) == [("130102", "F", 1, 0), ("130102", "O", 0, 1)]
    again = reports.generate_report(t.K, "half", make_period("half", "2026-H1"), by=t.chair)
    db.session.commit()
    assert again.id == report.id  # generated again: replaced, not duplicated


def test_the_job_makes_each_ended_period_once(app):
    t = stats_fixtures.build()
    now = utc(2026, 7, 1, 1)  # 1 July 09:00 China time: June and the first half-year have ended
    made = reports.generate_due_reports(now)
    assert made == 2 * 7  # seven nodes, a June report and an H1 report each
    kinds = dict(db.session.execute(select(StatsReport.kind, func.count()).group_by(StatsReport.kind)).all())
    assert kinds == {"month": 7, "half": 7}
    june = db.session.scalar(select(StatsReport).where(StatsReport.node_id == t.F1.id, StatsReport.kind == "month"))
    assert june.data["period"]["ref"] == "2026-06" and june.source == "job"
    assert reports.generate_due_reports(now) == 0


def test_the_cli(app, runner):
    from service.stats.cli import stats_cli

    t = stats_fixtures.build()
    result = runner.invoke(stats_cli, ["rollup", "--rebuild"])
    assert result.exit_code == 0 and "3 month(s) recounted" in result.output
    result = runner.invoke(stats_cli, ["report", str(t.K.id), "--kind", "month", "--ref", "2026-05"])
    assert result.exit_code == 0, result.output
    assert "石家庄市长安区总工会 2026年5月" in result.output
    stored = db.session.scalar(select(StatsReport).where(StatsReport.node_id == t.K.id))
    assert stored.data["requests"]["totals"]["new"] == 4
    assert runner.invoke(stats_cli, ["report", str(2**40)]).exit_code != 0
    assert runner.invoke(stats_cli, ["report", str(t.K.id), "--ref", "2026-13"]).exit_code != 0

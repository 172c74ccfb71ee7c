"""Monthly and half-year reports (the half-year report to the upper union, opinion §三.3) of a
federation or an upper union: generated on demand or by the job after each period ends, kept in
stats_reports with their figures (for the printable page) and their xlsx file."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from models.base import utcnow
from models.federation import Federation
from models.staff import Staff
from models.stats import REPORT_KIND_LABELS, REPORT_KINDS, StatsReport
from service import audit, clock
from service.errors import Invalid, NotFound
from service.extensions import db
from service.staff.scope import can_see, in_scope
from service.stats import figures, live
from service.stats.periods import Period, add_months, china_today, make_period, month_start
from service.stats.xlsx import report_workbook

JOB_BATCH = 200  # reports per job run (a province has thousands of nodes)


def _plain(value):
    """The figures as JSON: instants and dates as ISO text, Decimals as strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def build_report(node: Federation, period: Period, now: datetime | None = None) -> dict:
    """The figures of a report (nothing stored)."""
    now = now or utcnow()
    return _plain({
        "node": {"id": node.id, "name": node.name, "kind": node.kind, "level": node.level},
        "period": period.as_dict(), "generated_at": now, "generated_at_china": clock.minute_text(now),
        "members": figures.member_figures(node, period), "requests": figures.request_figures(node, period),
        "gaps": figures.gap_figures(node, period), "contests": live.contest_figures(node, period),
        "children": live.child_figures(node, period),
    })


def report_period(kind: str, ref: str | None) -> Period:
    if kind not in REPORT_KINDS:
        raise Invalid(fields={"kind": "报告类型应为 month（月度）或 half（半年）"})
    return make_period(kind, ref)


def generate_report(node: Federation, kind: str, period: Period, *, by: Staff | None = None,
                    now: datetime | None = None) -> StatsReport:
    """Build and store the report (replacing an earlier one of the same node and period)."""
    if period.start > china_today(now):
        raise Invalid(fields={"ref": "该周期尚未开始"})
    now = now or utcnow()
    data = build_report(node, period, now)
    content = report_workbook(data)
    report = db.session.scalar(select(StatsReport).where(
        StatsReport.node_id == node.id, StatsReport.kind == kind, StatsReport.period_start == period.start))
    if report is None:
        report = StatsReport(node_id=node.id, kind=kind, period_start=period.start)
        db.session.add(report)
    report.period_end, report.data, report.xlsx, report.xlsx_size = period.end, data, content, len(content)
    report.generated_at, report.generated_by_id = now, by.id if by else None
    report.source = "staff" if by else "job"
    db.session.flush()
    audit.record("stats.report.generate", staff=by, actor=None if by else "system", subject_type="stats_report",
                 subject_id=report.id, federation_id=node.id, detail={"kind": kind, "period": period.ref})
    return report


def list_reports(viewer: Staff, node: Federation, limit: int = 50) -> list[StatsReport]:
    return list(db.session.scalars(select(StatsReport).where(StatsReport.node_id == node.id, in_scope(
        viewer, StatsReport.node_id)).order_by(StatsReport.period_start.desc(), StatsReport.kind).limit(limit)))


def get_report(viewer: Staff, report_id: int) -> StatsReport:
    report = db.session.get(StatsReport, report_id) if 0 < report_id < 2**31 else None
    if report is None or not can_see(viewer, report.node_id):
        raise NotFound()
    return report


def describe(report: StatsReport) -> dict:
    return {"id": report.id, "node_id": report.node_id, "node_name": report.node.name, "kind": report.kind,
            "kind_label": REPORT_KIND_LABELS[report.kind], "period_label": report.data["period"]["label"],
            "period_start": report.period_start, "period_end": report.period_end, "source": report.source,
            "generated_at": report.generated_at, "xlsx_size": report.xlsx_size}


def last_ended(kind: str, today: date) -> Period:
    """The latest month / half-year that has ended by `today` (China time)."""
    if kind == "month":
        first = add_months(month_start(today), -1)
        return make_period("month", f"{first.year}-{first.month:02d}")
    half_start = date(today.year, 1 if today.month <= 6 else 7, 1)
    previous = add_months(half_start, -6)
    return make_period("half", f"{previous.year}-H{1 if previous.month == 1 else 2}")


def generate_due_reports(now: datetime | None = None) -> int:
    """After a month or half-year ends, the report of every active node that has none yet, at
    most JOB_BATCH per call (flushes only). Answers the reports made."""
    now = now or utcnow()
    today = china_today(now)
    made = 0
    for kind in REPORT_KINDS:
        period = last_ended(kind, today)
        done = select(StatsReport.node_id).where(StatsReport.kind == kind, StatsReport.period_start == period.start)
        nodes = db.session.scalars(select(Federation).where(
            Federation.status == "active", Federation.id.not_in(done)).order_by(Federation.id).limit(JOB_BATCH - made))
        for node in nodes:
            generate_report(node, kind, period, now=now)
            made += 1
        if made >= JOB_BATCH:
            break
    return made


def stats_reports_job() -> int:
    """The periodic job (hourly): generate_due_reports (flushes; the runner commits)."""
    return generate_due_reports()

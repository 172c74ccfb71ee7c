"""Statistics and reports, the staff API (the console's 统计 page; a provincial platform can
pull the same figures). Every figure is of one node of the union tree — the caller's own by
default, or any node beneath it (`node_id`; a node outside is a 404) — for one period in China
time."""
from datetime import date
from urllib.parse import quote

from flask import Response, g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.stats import (
    CaseworkersOut, ChildrenOut, ContestFiguresOut, GapFiguresOut, LowRatingsOut, MemberFiguresOut, NodeQuery,
    PositionFiguresOut, ReportDetailOut, ReportIn, ReportListOut, RequestFiguresOut, StatsNodeOut, StatsQuery,
)
from service.errors import Invalid
from service.stats import figures, live, reports, rollup
from service.stats.periods import china_today, make_period

bp = Blueprint("stats", __name__, url_prefix="/api/stats", description="统计与报告（工作人员）")


def _month(text: str | None, field: str) -> date | None:
    """The first day of a "YYYY-MM" month (the schema checked the shape)."""
    if text is None:
        return None
    year, month = int(text[:4]), int(text[5:7])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Invalid(fields={field: "月份应在2000-01至2100-12之间"})
    return date(year, month, 1)


def _scope(args):
    """(node, period) of a statistics query; raises Invalid / NotFound."""
    node = live.node_for(g.staff, args["node_id"])
    start, end = _month(args["start"], "start"), _month(args["end"], "end")
    return node, make_period(args["period"], args["ref"], start, end, today=china_today())


@bp.get("/node")
@bp.arguments(NodeQuery, location="query")
@bp.response(200, StatsNodeOut)
@staff_required()
def node(args):
    """The node shown, the path from the caller's own node to it, and the nodes beneath it."""
    found = live.node_for(g.staff, args["node_id"])
    return {**live.describe_node(g.staff, found), "rolled_up_at": rollup.last_run()}


@bp.get("/members")
@bp.arguments(StatsQuery, location="query")
@bp.response(200, MemberFiguresOut)
@staff_required()
def members(args):
    """New members by employment form, industry and region, over time; withdrawals, transfers;
    applications and their decision times (share decided within 15 working days)."""
    found, period = _scope(args)
    return {"period": period.as_dict(), **figures.member_figures(found, period)}


@bp.get("/requests")
@bp.arguments(StatsQuery, location="query")
@bp.response(200, RequestFiguresOut)
@staff_required()
def requests(args):
    """Help requests submitted in the period: by type, status and outcome; first-response and
    resolution times against each type's targets; escalations, transfers; amounts recovered and
    workers covered; satisfaction."""
    found, period = _scope(args)
    return {"period": period.as_dict(), **figures.request_figures(found, period)}


@bp.get("/gaps")
@bp.arguments(StatsQuery, location="query")
@bp.response(200, GapFiguresOut)
@staff_required()
def gaps(args):
    """Where the next federation is needed: requests and applications routing gave to an upper
    union because no federation covered the workplace, by region × industry, over time."""
    found, period = _scope(args)
    return {"period": period.as_dict(), **figures.gap_figures(found, period)}


@bp.get("/children")
@bp.arguments(StatsQuery, location="query")
@bp.response(200, ChildrenOut)
@staff_required()
def children(args):
    """Key figures of each node directly beneath (the drill-down)."""
    found, period = _scope(args)
    return {"period": period.as_dict(), "items": live.child_figures(found, period)}


@bp.get("/contests")
@bp.arguments(StatsQuery, location="query")
@bp.response(200, ContestFiguresOut)
@staff_required()
def contests(args):
    """Contests published in the period: sign-ups, fill rate, waitlist promotions, attendance."""
    found, period = _scope(args)
    return {"period": period.as_dict(), **live.contest_figures(found, period)}


@bp.get("/positions")
@bp.arguments(NodeQuery, location="query")
@bp.response(200, PositionFiguresOut)
@staff_required()
def positions(args):
    """Service positions of the node's subtree as they are now: per county how many, open, open
    now and their average weekly opening hours (not of a period)."""
    return live.position_figures(live.node_for(g.staff, args["node_id"]))


@bp.get("/caseworkers")
@bp.arguments(StatsQuery, location="query")
@bp.response(200, CaseworkersOut)
@staff_required("admin", "chair")
def caseworkers(args):
    """Per staff member of the node (chairs and admins): open load, handled in the period, on time."""
    found, period = _scope(args)
    return {"period": period.as_dict(), "items": live.caseworker_figures(g.staff, found, period)}


@bp.get("/low-ratings")
@bp.arguments(StatsQuery, location="query")
@bp.response(200, LowRatingsOut)
@staff_required()
def low_ratings(args):
    """The latest requests of the period rated 1 or 2 stars, with the worker's comment."""
    found, period = _scope(args)
    return {"period": period.as_dict(), "items": live.low_ratings(found, period)}


@bp.get("/reports")
@bp.arguments(NodeQuery, location="query")
@bp.response(200, ReportListOut)
@staff_required()
def list_reports(args):
    """The stored monthly and half-year reports of a node, newest first."""
    found = live.node_for(g.staff, args["node_id"])
    return {"items": [reports.describe(r) for r in reports.list_reports(g.staff, found)]}


@bp.post("/reports")
@bp.arguments(ReportIn)
@bp.response(201, ReportDetailOut)
@staff_required("admin", "chair")
def generate_report(data):
    """Generate (or generate again) a report now; default period: the last one that has ended."""
    found = live.node_for(g.staff, data["node_id"])
    period = reports.report_period(data["kind"], data["ref"]) if data["ref"] \
        else reports.last_ended(data["kind"], china_today())
    report = reports.generate_report(found, data["kind"], period, by=g.staff)
    return {**reports.describe(report), "data": report.data}


@bp.get("/reports/<int:report_id>")
@bp.response(200, ReportDetailOut)
@staff_required()
def get_report(report_id):
    """One stored report with its figures (the printable page renders them)."""
    report = reports.get_report(g.staff, report_id)
    return {**reports.describe(report), "data": report.data}


@bp.get("/reports/<int:report_id>/xlsx")
@bp.response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             description="报告的 Excel 文件")
@staff_required()
def report_xlsx(report_id):
    """The report as an Excel workbook, as it was generated."""
    report = reports.get_report(g.staff, report_id)
    name = f"{report.node.name}-{report.data['period']['label']}{'半年报告' if report.kind == 'half' else '月度报告'}.xlsx"
    return Response(report.xlsx, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=report-{report.id}.xlsx; "
                                                    f"filename*=UTF-8''{quote(name)}",
                             "Cache-Control": "no-store"})

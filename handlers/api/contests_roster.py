"""Staff API for a contest's people: roster and CSV, manual add/remove, waitlist, check-in, results."""
from flask import Response, g, stream_with_context
from flask_smorest import Blueprint
from sqlalchemy import func, select

from handlers.api.openapi import file_response
from handlers.api.staff_auth import staff_required
from handlers.schemas.contests import (AddSignupIn, CheckInIn, CheckInOut, ContestCountOut, ContestReasonIn, ReorderIn,
                                      ResultsIn, RosterOut, RosterQuery, SignupOut)
from models.contest import Signup
from service import audit
from service.contests import checkin as contest_day
from service.contests import lifecycle as contests
from service.contests import roster
from service.extensions import db

bp = Blueprint("staff_contest_roster", __name__, url_prefix="/api/staff/contests", description="竞赛名单、签到与成绩")
MANAGERS = ("admin", "chair")


def _with_positions(contest, items):
    positions = contest_day.waitlist_positions(contest)
    for signup in items:
        signup.position = positions.get(signup.id)
    return items


@bp.get("/<int:contest_id>/signups")
@staff_required()
@bp.arguments(RosterQuery, location="query")
@bp.response(200, RosterOut)
def list_roster(args, contest_id):
    """The roster (confirmed, then the waitlist in order, then cancelled), filtered and paged."""
    contest = contests.get_for_staff(contest_id, g.staff)
    query = contest_day.roster_query(contest, status=args.get("status"), checked_in=args.get("checked_in"),
                                     q=args.get("q"))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page, per_page = args["page"], args["per_page"]
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    counts = dict(db.session.execute(select(Signup.status, func.count()).where(Signup.contest_id == contest.id)
                                     .group_by(Signup.status)).all())
    counts["checked_in"] = db.session.scalar(select(func.count()).where(
        Signup.contest_id == contest.id, Signup.status == "confirmed", Signup.checked_in_at.is_not(None)))
    return {"items": _with_positions(contest, items), "total": total, "counts": counts}


@bp.get("/<int:contest_id>/signups.csv")
@bp.doc(responses=file_response("text/csv", description="报名名单（CSV，UTF-8 带 BOM，手机号已遮挡）"))
@staff_required()
def export_roster(contest_id):
    """The whole roster as CSV (UTF-8 with BOM), streamed."""
    contest = contests.get_for_staff(contest_id, g.staff)
    audit.record("contest.export", staff=g.staff, subject_type="contest", subject_id=contest.id,
                 federation_id=contest.federation_id)
    chunks = (piece.encode("utf-8") for piece in contest_day.roster_csv(contest))
    return Response(stream_with_context(chunks), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=contest-{contest.id}-roster.csv",
        "Cache-Control": "no-store"})


@bp.post("/<int:contest_id>/signups")
@staff_required(*MANAGERS)
@bp.arguments(AddSignupIn)
@bp.response(201, SignupOut)
def add_signup(data, contest_id):
    """Add a worker by member number or mobile number, with a reason (a free place, else the waitlist)."""
    contest = contests.get_for_staff(contest_id, g.staff)
    signup = roster.add_by_staff(contest.id, staff=g.staff, **data)
    return _with_positions(contest, [signup])[0]


@bp.post("/<int:contest_id>/signups/<int:signup_id>/remove")
@staff_required(*MANAGERS)
@bp.arguments(ContestReasonIn)
@bp.response(200, SignupOut)
def remove_signup(data, contest_id, signup_id):
    """Take someone off the roster with a reason; the worker is told, the waitlist moves up."""
    contest = contests.get_for_staff(contest_id, g.staff)
    signup = roster.remove_by_staff(contest.id, signup_id, staff=g.staff, reason=data["reason"])
    return signup


@bp.post("/<int:contest_id>/signups/<int:signup_id>/promote")
@staff_required(*MANAGERS)
@bp.response(200, SignupOut)
def promote(contest_id, signup_id):
    """Promote a waiting worker into a free place (409 when there is none)."""
    contest = contests.get_for_staff(contest_id, g.staff)
    signup = roster.promote(contest.id, signup_id, staff=g.staff)
    return signup


@bp.post("/<int:contest_id>/waitlist/order")
@staff_required(*MANAGERS)
@bp.arguments(ReorderIn)
@bp.response(200, SignupOut(many=True))
def reorder(data, contest_id):
    """Put the waitlist in a new order (every waiting sign-up id, once)."""
    contest = contests.get_for_staff(contest_id, g.staff)
    items = roster.reorder_waitlist(contest.id, data["order"], staff=g.staff)
    return _with_positions(contest, items)


@bp.post("/<int:contest_id>/checkin")
@staff_required()
@bp.arguments(CheckInIn)
@bp.response(200, CheckInOut)
def check_in(data, contest_id):
    """Check in by the member card QR (token) or by a roster row (signup_id)."""
    contest = contests.get_for_staff(contest_id, g.staff)
    signup, already = contest_day.check_in(contest, staff=g.staff, token=data.get("token"),
                                           signup_id=data.get("signup_id"))
    return {"signup": signup, "already": already}


@bp.post("/<int:contest_id>/signups/<int:signup_id>/undo-checkin")
@staff_required()
@bp.response(200, SignupOut)
def undo_check_in(contest_id, signup_id):
    contest = contests.get_for_staff(contest_id, g.staff)
    signup = contest_day.undo_check_in(contest, signup_id, staff=g.staff)
    return signup


@bp.put("/<int:contest_id>/results")
@staff_required(*MANAGERS)
@bp.arguments(ResultsIn)
@bp.response(200, ContestCountOut)
def record_results(data, contest_id):
    """Score, rank and award of confirmed participants."""
    contest = contests.get_for_staff(contest_id, g.staff)
    count = contest_day.record_results(contest, data["entries"], staff=g.staff)
    return {"count": count}


@bp.post("/<int:contest_id>/results/publish")
@staff_required(*MANAGERS)
@bp.response(200, ContestCountOut)
def publish_results(contest_id):
    """Send every participant their result in WeChat (once)."""
    contest = contests.get_for_staff(contest_id, g.staff)
    count = contest_day.publish_results(contest, staff=g.staff)
    return {"count": count}

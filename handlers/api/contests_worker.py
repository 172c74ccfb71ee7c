"""Worker API for contests (the H5 pages): the list, one contest, sign up, cancel, my sign-ups."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import worker_required
from handlers.throttle import worker_write
from handlers.schemas.contests import SignUpIn, WorkerContestOut
from service.contests import listings as contest_views
from service.contests import signups

bp = Blueprint("contests", __name__, url_prefix="/api/contests", description="技能竞赛（职工）")


@bp.get("")
@worker_required
@bp.response(200, WorkerContestOut(many=True))
def list_contests():
    """Contests taking sign-ups, with places left, the registration state and the worker's eligibility."""
    return contest_views.list_for_worker(g.worker)


@bp.get("/mine")
@worker_required
@bp.response(200, WorkerContestOut(many=True))
def my_signups():
    """The worker's own sign-ups (status, waitlist position, result)."""
    return [c for c in contest_views.list_for_worker(g.worker) if c["mine"]]


@bp.get("/<int:contest_id>")
@worker_required
@bp.response(200, WorkerContestOut)
def get_contest(contest_id):
    return contest_views.detail_for_worker(contest_id, g.worker)


@bp.post("/<int:contest_id>/signup")
@worker_required
@bp.arguments(SignUpIn)
@bp.response(201, WorkerContestOut)
@worker_write("30 per hour")
def sign_up(data, contest_id):
    """Sign up: confirmed while places last, else on the waitlist; 403 not_eligible with the reason."""
    signups.sign_up(contest_id, g.worker, **data)
    return contest_views.detail_for_worker(contest_id, g.worker)


@bp.post("/<int:contest_id>/cancel")
@worker_required
@bp.response(200, WorkerContestOut)
def cancel(contest_id):
    """Withdraw before the cut-off; the place goes to the first on the waitlist."""
    signups.cancel_signup(contest_id, g.worker)
    return contest_views.detail_for_worker(contest_id, g.worker)

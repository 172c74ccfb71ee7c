"""Staff API for contests: list, create, edit, state changes and the poster QR code."""
import io

import segno
from flask import Response, g
from flask_smorest import Blueprint

from handlers.api.openapi import file_response
from handlers.api.staff_auth import staff_required
from handlers.schemas.contests import ContestIn, ContestListQuery, ContestOut, ContestPatchIn, ContestReasonIn
from service.contests import lifecycle as contests
from service.errors import NotFound

bp = Blueprint("staff_contests", __name__, url_prefix="/api/staff/contests", description="技能竞赛（工作人员）")
MANAGERS = ("admin", "chair")


@bp.get("")
@staff_required()
@bp.arguments(ContestListQuery, location="query")
@bp.response(200, ContestOut(many=True))
def list_contests(args):
    """Contests of the staff member's federation and of every federation beneath it."""
    return contests.list_for_staff(g.staff, status=args.get("status"))


@bp.post("")
@staff_required(*MANAGERS)
@bp.arguments(ContestIn)
@bp.response(201, ContestOut)
def create_contest(data):
    """A new draft contest."""
    federation_id = data.pop("federation_id", None)
    contest = contests.create_contest(staff=g.staff, data=data, federation_id=federation_id)
    return contest


@bp.get("/<int:contest_id>")
@staff_required()
@bp.response(200, ContestOut)
def get_contest(contest_id):
    return contests.get_for_staff(contest_id, g.staff)


@bp.patch("/<int:contest_id>")
@staff_required(*MANAGERS)
@bp.arguments(ContestPatchIn(partial=True))
@bp.response(200, ContestOut)
def update_contest(data, contest_id):
    """Change fields, as far as the contest's state allows."""
    data.pop("federation_id", None)
    contest = contests.update_contest(contests.get_for_staff(contest_id, g.staff), staff=g.staff, data=data)
    return contest


def _transition(contest_id: int, action):
    contest = action(contests.get_for_staff(contest_id, g.staff), staff=g.staff)
    return contest


@bp.post("/<int:contest_id>/publish")
@staff_required(*MANAGERS)
@bp.response(200, ContestOut)
def publish(contest_id):
    """draft → published: workers can see it and sign up within the registration window."""
    return _transition(contest_id, contests.publish)


@bp.post("/<int:contest_id>/close")
@staff_required(*MANAGERS)
@bp.response(200, ContestOut)
def close(contest_id):
    """published → closed (registration closed early)."""
    return _transition(contest_id, contests.close_registration)


@bp.post("/<int:contest_id>/reopen")
@staff_required(*MANAGERS)
@bp.response(200, ContestOut)
def reopen(contest_id):
    """closed → published, while the registration closing time is still ahead."""
    return _transition(contest_id, contests.reopen_registration)


@bp.post("/<int:contest_id>/finish")
@staff_required(*MANAGERS)
@bp.response(200, ContestOut)
def finish(contest_id):
    """published/closed → finished, once the contest has started; results can then be published."""
    return _transition(contest_id, contests.finish)


@bp.post("/<int:contest_id>/cancel")
@staff_required(*MANAGERS)
@bp.arguments(ContestReasonIn)
@bp.response(200, ContestOut)
def cancel(data, contest_id):
    """Cancel; everyone signed up or waiting gets a WeChat message with the reason."""
    contest = contests.get_for_staff(contest_id, g.staff)
    contests.cancel(contest, staff=g.staff, reason=data["reason"])
    return contest


@bp.post("/<int:contest_id>/qrcode")
@staff_required(*MANAGERS)
@bp.response(200, ContestOut)
def make_qrcode(contest_id):
    """The temporary WeChat QR code (scene contest:<id>) for the poster, made when missing or expiring."""
    contest = contests.ensure_qrcode(contests.get_for_staff(contest_id, g.staff), staff=g.staff)
    return contest


@bp.get("/<int:contest_id>/qrcode.svg")
@bp.doc(responses=file_response("image/svg+xml", description="竞赛二维码（SVG）"))
@staff_required()
def qrcode_svg(contest_id):
    """The QR code as SVG, for printing on the poster."""
    contest = contests.get_for_staff(contest_id, g.staff)
    if not contest.qr_url:
        raise NotFound("尚未生成二维码")
    buffer = io.BytesIO()
    segno.make(contest.qr_url, error="m").save(buffer, kind="svg", scale=8, border=2)
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})

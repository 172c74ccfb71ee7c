"""Membership review and member management, the staff API (console). Every item is scoped to
the staff member's part of the union tree (a guessed id is a 404) and every action audited."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.membership import (
    ApplicationDetailOut, ApplicationPageOut, ApplicationTransferIn, FullIdOut, ListArgs, MemberListArgs,
    MemberPageOut, MemberRowOut, ApplicationReasonIn, RetainIn, TransferRequestIn,
)
from service.membership import members as membership
from service.membership import review
from service.staff.scope import can_see

bp = Blueprint("review", __name__, url_prefix="/api/applications", description="入会审核（工作人员）")
members_bp = Blueprint("members", __name__, url_prefix="/api/members", description="会员管理（工作人员）")


@bp.get("")
@bp.arguments(ListArgs, location="query")
@bp.response(200, ApplicationPageOut)
@staff_required()
def list_applications(args):
    """Applications in scope: view pending | overdue | correction | decided | all; `q` searches
    the name, phone or application number. `counts` feeds the tab badges."""
    items, total = review.list_applications(g.staff, args["view"], args["q"], args["limit"], args["offset"])
    return {"items": items, "total": total, "counts": review.counts(g.staff)}


@bp.get("/<int:application_id>")
@bp.response(200, ApplicationDetailOut)
@staff_required()
def get_application(application_id):
    """One application (ID number masked)."""
    return review.get_application(g.staff, application_id)


@bp.get("/<int:application_id>/id-number")
@bp.response(200, FullIdOut)
@staff_required()
def application_id_number(application_id):
    """The full ID number: staff with may_view_id only; each view is written to the audit log."""
    number = review.reveal_id(g.staff, application_id=application_id)
    return {"id_number": number}


@bp.post("/<int:application_id>/approve")
@bp.response(200, ApplicationDetailOut)
@staff_required()
def approve(application_id):
    """Approve: member number, active membership and the WeChat notification, one transaction."""
    result = review.approve(g.staff, application_id)
    return review.get_application(g.staff, result.application_id)


@bp.post("/<int:application_id>/reject")
@bp.arguments(ApplicationReasonIn)
@bp.response(200, ApplicationDetailOut)
@staff_required()
def reject(data, application_id):
    """Reject with a reason (the worker is notified and may apply again)."""
    application = review.reject(g.staff, application_id, data["reason"])
    return application


@bp.post("/<int:application_id>/correction")
@bp.arguments(ApplicationReasonIn)
@bp.response(200, ApplicationDetailOut)
@staff_required()
def correction(data, application_id):
    """Ask the worker to correct the application (what to correct in `reason`)."""
    application = review.request_correction(g.staff, application_id, data["reason"])
    return application


@bp.post("/<int:application_id>/transfer")
@bp.arguments(ApplicationTransferIn)
@bp.response(200, ApplicationDetailOut)
@staff_required()
def transfer(data, application_id):
    """Hand the application to another federation, with a reason; the deadline does not restart."""
    application = review.transfer_application(g.staff, application_id, data["to_federation_id"], data["reason"])
    # the application has left this staff member's scope, possibly: answer it as it now stands
    return application


# --- members ------------------------------------------------------------------------------
@members_bp.get("")
@members_bp.arguments(MemberListArgs, location="query")
@members_bp.response(200, MemberPageOut)
@staff_required()
def list_members(args):
    """Members in scope (`incoming=true`: transfers into the scope); `q` matches the member
    number, the name or the phone number."""
    items, total = membership.search(g.staff, args["q"], args["status"], args["incoming"],
                                     args["limit"], args["offset"])
    return {"items": items, "total": total}


@members_bp.get("/<int:membership_id>")
@members_bp.response(200, MemberRowOut)
@staff_required()
def get_member(membership_id):
    """One member; `viewer_holds` / `viewer_receives`: whether the caller's scope holds the
    membership, or is where a transfer is going (that side may only accept or decline)."""
    item = membership.get_for_staff(g.staff, membership_id)
    item.viewer_holds = can_see(g.staff, item.federation_id)
    item.viewer_receives = item.status == "transferring" and can_see(g.staff, item.transfer_to_id)
    return item


@members_bp.get("/<int:membership_id>/id-number")
@members_bp.response(200, FullIdOut)
@staff_required()
def member_id_number(membership_id):
    """The member's full ID number: may_view_id only; audited."""
    number = review.reveal_id(g.staff, membership_id=membership_id)
    return {"id_number": number}


def _act(membership_id, change, **kwargs):
    item = membership.get_for_staff(g.staff, membership_id)
    change(item, staff=g.staff, **kwargs)
    return item


@members_bp.post("/<int:membership_id>/transfer")
@members_bp.arguments(TransferRequestIn)
@members_bp.response(200, MemberRowOut)
@staff_required()
def request_transfer(data, membership_id):
    """Start a transfer to another federation for the member (holding federation's staff)."""
    return _act(membership_id, membership.request_transfer, to_federation_id=data["to_federation_id"],
                reason=data["reason"])


@members_bp.post("/<int:membership_id>/release")
@members_bp.response(200, MemberRowOut)
@staff_required()
def release(membership_id):
    """The old federation releases the member."""
    return _act(membership_id, membership.release_transfer)


@members_bp.post("/<int:membership_id>/accept")
@members_bp.response(200, MemberRowOut)
@staff_required()
def accept(membership_id):
    """The new federation accepts the member (after the release)."""
    return _act(membership_id, membership.accept_transfer)


@members_bp.post("/<int:membership_id>/cancel-transfer")
@members_bp.arguments(ApplicationReasonIn)
@members_bp.response(200, MemberRowOut)
@staff_required()
def cancel_transfer(data, membership_id):
    """Decline or call off a transfer (either federation); the member stays where they were."""
    return _act(membership_id, membership.cancel_transfer, reason=data["reason"])


@members_bp.post("/<int:membership_id>/retain")
@members_bp.arguments(RetainIn)
@members_bp.response(200, MemberRowOut)
@staff_required()
def retain(data, membership_id):
    return _act(membership_id, membership.retain, reason=data["reason"])


@members_bp.post("/<int:membership_id>/reactivate")
@members_bp.response(200, MemberRowOut)
@staff_required()
def reactivate(membership_id):
    return _act(membership_id, membership.reactivate)


@members_bp.post("/<int:membership_id>/withdraw")
@members_bp.arguments(ApplicationReasonIn)
@members_bp.response(200, MemberRowOut)
@staff_required()
def withdraw(data, membership_id):
    """Remove the member, with a reason; the retention clock starts."""
    return _act(membership_id, membership.withdraw, reason=data["reason"])

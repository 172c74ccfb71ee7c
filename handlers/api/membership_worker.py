"""Joining the union, the worker's API (H5 pages; the worker is known by WeChat OAuth),
and the public member-card check."""
from flask import Response, current_app, g, request
from flask_smorest import Blueprint

from handlers.api.openapi import file_response
from handlers.api.staff_auth import worker_required
from handlers.throttle import worker_write
from handlers.schemas.membership import (
    ApplicationIn, ApplicationOut, CardOut, JoinContextOut, ApplicationReasonIn, RetainIn, TransferRequestIn, VerifyOut,
)
from service.membership import applications
from service.membership import card as member_card
from service.membership import members as membership
from service.privacy import retention as privacy

bp = Blueprint("joining", __name__, url_prefix="/api/join", description="网上入会（职工）")
card_bp = Blueprint("card", __name__, url_prefix="/api/card", description="电子会员卡与会籍变更（职工）")
verify_bp = Blueprint("verify", __name__, url_prefix="/api/verify", description="会员卡核验（公开）")


def _fed_arg():
    value = request.args.get("fed", "")
    return int(value) if value.isdigit() else None


@bp.get("/context")
@bp.response(200, JoinContextOut)
@worker_required
def context():
    """What the join page needs: the federation of the link (`?fed=`) or of the last QR code
    scanned, the worker's membership and latest application, the privacy notice."""
    worker, fed = g.worker, _fed_arg()
    federation = applications.federation_from_link(fed) if fed else applications.scanned_federation(worker)
    source = ("scan" if worker.last_scene == federation.scene else "link") if federation else None
    return {
        "federation": federation, "federation_source": source,
        "membership": applications.live_membership(worker.id),
        "application": applications.latest_application(worker.id),
        "notice": privacy.notice(), "due_workdays": current_app.config["APPLICATION_DUE_WORKDAYS"],
    }


@bp.post("/applications")
@bp.arguments(ApplicationIn)
@bp.response(201, ApplicationOut)
@worker_required
@worker_write("10 per hour", "100 per hour")
def submit(data):
    """Submit the join form. 422 lists each field's problem; 409 when already a member
    (code already_member: offer a transfer) or an application is open."""
    fed = data.pop("fed", None)
    application = applications.submit_application(g.worker, data, fed_id=fed)
    return application


@bp.put("/applications/<int:application_id>")
@bp.arguments(ApplicationIn)
@bp.response(200, ApplicationOut)
@worker_required
@worker_write("20 per hour", "200 per hour")
def resubmit(data, application_id):
    """Send the corrected form after a correction request (an empty ID number keeps the old one)."""
    data.pop("fed", None)
    application = applications.resubmit_application(g.worker, application_id, data)
    return application


@bp.post("/applications/<int:application_id>/withdraw")
@bp.response(200, ApplicationOut)
@worker_required
def withdraw_application(application_id):
    """Take back an application that is still being reviewed."""
    application = applications.withdraw_application(g.worker, application_id)
    return application


# --- the card and membership changes ------------------------------------------------------
@card_bp.get("")
@card_bp.response(200, CardOut)
@worker_required
def get_card():
    """The worker's member card (404 not_a_member when there is none)."""
    return member_card.card(g.worker)


@card_bp.get("/qr.svg")
@card_bp.doc(responses=file_response("image/svg+xml", description="会员卡二维码（SVG）"))
@worker_required
def card_qr():
    """A fresh QR code for staff to scan; it expires after CARD_TOKEN_MAX_AGE seconds."""
    return Response(member_card.qr_svg(g.worker), content_type="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


def _own():
    return member_card.own_membership(g.worker)


@card_bp.post("/transfer")
@card_bp.arguments(TransferRequestIn)
@card_bp.response(200, CardOut)
@worker_required
def request_transfer(data):
    """Ask to move to another federation (the old one releases, the new one accepts)."""
    membership.request_transfer(_own(), to_federation_id=data["to_federation_id"], reason=data["reason"])
    return member_card.card(g.worker)


@card_bp.post("/transfer/cancel")
@card_bp.response(200, CardOut)
@worker_required
def cancel_transfer():
    membership.cancel_transfer(_own())
    return member_card.card(g.worker)


@card_bp.post("/retain")
@card_bp.arguments(RetainIn)
@card_bp.response(200, CardOut)
@worker_required
def retain(data):
    """保留会籍 after retiring (retired) or losing one's job (unemployed)."""
    membership.retain(_own(), reason=data["reason"])
    return member_card.card(g.worker)


@card_bp.post("/reactivate")
@card_bp.response(200, CardOut)
@worker_required
def reactivate():
    membership.reactivate(_own())
    return member_card.card(g.worker)


@card_bp.post("/withdraw")
@card_bp.arguments(ApplicationReasonIn)
@card_bp.response(200, CardOut)
@worker_required
def withdraw(data):
    """Leave the union; the card stops working and the retention clock starts."""
    membership.withdraw(_own(), reason=data["reason"])
    return member_card.card(g.worker)


# --- public check -------------------------------------------------------------------------
@verify_bp.get("")
@verify_bp.response(200, VerifyOut)
def verify():
    """Check a member card token (`?t=`): valid or not, the federation, the surname only."""
    return member_card.verify(request.args.get("t"))

"""Help requests, the worker's side (H5 pages help.html, me.html, request.html)."""
from flask import g, session
from flask_smorest import Blueprint

from handlers.api.openapi import json_object
from handlers.api.staff_auth import WORKER_SESSION_KEY, worker_required
from handlers.throttle import worker_write
from handlers.schemas.help_requests import (RequestPreviewOut, PreviewQuery, RatingIn, RequestIn, SubmissionHeaders,
                                            TextIn, UploadIn, WithdrawIn, WorkerAttachmentOut, WorkerRequestOut,
                                            WorkerRequestSummaryOut)
from service.help_requests import attachments, idempotency
from service.help_requests import worker as help_requests
from service.errors import Invalid
from service.wechat.followers import get_or_create_worker

bp = Blueprint("requests", __name__, url_prefix="/api/requests", description="求助（职工端）")


@bp.get("/preview")
@bp.arguments(PreviewQuery, location="query")
@bp.response(200, RequestPreviewOut)
@worker_write("60 per minute", "600 per hour")
def preview(args):
    """Which federation would handle a request from this workplace, and why."""
    openid = session.get(WORKER_SESSION_KEY)
    worker = get_or_create_worker(openid) if openid else None
    return help_requests.preview(args["region"], args["industry"], args["type"], worker)


@bp.post("")
@worker_required
@bp.arguments(SubmissionHeaders, location="headers")
@bp.arguments(RequestIn)
@bp.response(201, WorkerRequestOut, headers={"Idempotent-Replayed": {
    "description": "true：同一 Idempotency-Key 的重复提交，答的是第一次提交的诉求", "schema": {"type": "string"}}})
@worker_write("10 per hour;30 per day", "200 per hour")
def submit(headers, data):
    """Submit a help request (routed, numbered, deadlines set, confirmation queued). A retry with
    the same Idempotency-Key (held for a day) answers the first request and makes no second."""
    created, made_now = idempotency.submit_once(g.worker, data, headers.get("idempotency_key"))
    replayed = {} if made_now else {"Idempotent-Replayed": "true"}
    return help_requests.worker_detail(created), 201, replayed


@bp.post("/check")
@worker_required
@bp.arguments(RequestIn)
def check(data):
    """Check every field before the confirmation step (422 with a message per field); stores nothing."""
    help_requests.check(data)
    return {"ok": True}


@bp.get("/prefill")
@bp.doc(responses=json_object("上次填写的内容，用于预填表单"))
@worker_required
def prefill():
    """What the worker already gave: name, phone, employer, workplace, industry."""
    return help_requests.prefill(g.worker)


@bp.get("")
@worker_required
@bp.response(200, WorkerRequestSummaryOut(many=True))
def mine():
    """The worker's own requests, newest first."""
    return [help_requests.worker_summary(r) for r in help_requests.list_mine(g.worker)]


@bp.get("/<int:request_id>")
@worker_required
@bp.response(200, WorkerRequestOut)
def detail(request_id):
    """One of the worker's own requests (404 for anyone else's); opening it counts as activity,
    so images sent in the chat in the next 10 minutes attach to it."""
    found = help_requests.get_mine(g.worker, request_id, touch=True)
    return help_requests.worker_detail(found)


@bp.post("/<int:request_id>/info")
@worker_required
@bp.arguments(TextIn)
@bp.response(200, WorkerRequestOut)
@worker_write("60 per hour")
def add_info(data, request_id):
    """Add information (answers a request for more information)."""
    updated = help_requests.add_info(g.worker, request_id, data["text"])
    return help_requests.worker_detail(updated)


@bp.post("/<int:request_id>/attachments")
@worker_required
@bp.arguments(UploadIn, location="files")
@bp.response(201, WorkerAttachmentOut)
@worker_write("30 per hour", "300 per hour")
def upload(files, request_id):
    """Upload one evidence image (JPG, PNG, GIF or WebP, at most 5 MB)."""
    upload_file = files["file"]
    if not hasattr(upload_file, "read"):
        raise Invalid(fields={"file": "请选择图片"})
    data = upload_file.read(attachments.MAX_IMAGE_BYTES + 1)
    saved = attachments.add_upload(g.worker, request_id, upload_file.filename, data)
    return saved


@bp.post("/<int:request_id>/withdraw")
@worker_required
@bp.arguments(WithdrawIn)
@bp.response(200, WorkerRequestOut)
def withdraw(data, request_id):
    updated = help_requests.withdraw(g.worker, request_id, data.get("reason"))
    return help_requests.worker_detail(updated)


@bp.post("/<int:request_id>/reopen-request")
@worker_required
@bp.arguments(WithdrawIn)
@bp.response(200, WorkerRequestOut)
def ask_reopen(data, request_id):
    """Not satisfied: ask to reopen within 15 days of 办结 (the reason is required)."""
    updated = help_requests.ask_reopen(g.worker, request_id, data.get("reason") or "")
    return help_requests.worker_detail(updated)


@bp.get("/<int:request_id>/attachments/<int:attachment_id>")
@worker_required
def own_attachment(request_id, attachment_id):
    """The worker's own evidence image (thumbnails on their request page)."""
    from flask import Response

    image = attachments.own_image(g.worker, request_id, attachment_id)
    return Response(image.data, mimetype=image.content_type, headers={
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'"})


@bp.post("/<int:request_id>/rating")
@worker_required
@bp.arguments(RatingIn)
@bp.response(200, WorkerRequestOut)
def rate(data, request_id):
    """Rate the handling (1–5) once the request is resolved."""
    updated = help_requests.rate(g.worker, request_id, data["rating"], data.get("comment"))
    return help_requests.worker_detail(updated)


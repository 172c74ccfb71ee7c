"""A worker's own data (H5 my-data.html, linked from 我的): see it, export it as JSON, ask for it to
be deleted (PIPL arts. 44–47; legal holds explained)."""
import json

from flask import Response, g
from flask_smorest import Blueprint

from handlers.api.staff_auth import worker_required
from handlers.schemas.privacy import DataRequestOut, MyDataOut
from handlers.throttle import worker_write
from service.privacy import worker_data

bp = Blueprint("my_data", __name__, url_prefix="/api/my-data", description="我的个人信息（职工端）")


@bp.get("")
@worker_required
@bp.response(200, MyDataOut)
def overview():
    """What the union holds about the worker, what must be kept for now and why, their requests."""
    return worker_data.overview(g.worker)


@bp.get("/export.json")
@worker_required
@bp.response(200, content_type="application/json")
@worker_write("10 per hour")
def export():
    """A copy of the worker's data, messages included, as a JSON file."""
    body = json.dumps(worker_data.export(g.worker), ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": "attachment; filename=my-data.json", "Cache-Control": "no-store"})


@bp.post("/deletion")
@worker_required
@bp.response(201, DataRequestOut)
@worker_write("5 per hour")
def request_deletion():
    """Ask for the worker's data to be deleted: done at once, or pending with the reasons it must wait."""
    return worker_data.request_deletion(g.worker)

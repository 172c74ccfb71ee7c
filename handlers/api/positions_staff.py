"""Staff API for service positions: list, register, edit, open/suspend/close, and the
coordinate check the console runs while the coordinates are typed or pasted."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.positions import (CoordinatesOut, CoordinatesQuery, PositionIn, PositionListQuery,
                                        PositionPatchIn, PositionStaffOut, PositionStatsOut, PositionStatsQuery,
                                        PositionStatusIn)
from service import refdata
from service.positions import areas, registry, summary

bp = Blueprint("staff_positions", __name__, url_prefix="/api/staff/positions", description="服务阵地（工作人员）")


@bp.get("")
@staff_required()
@bp.arguments(PositionListQuery, location="query")
@bp.response(200, PositionStaffOut(many=True))
def list_positions(args):
    """Positions of the staff member's federation and of every federation beneath it."""
    return registry.list_for_staff(g.staff, status=args.get("status"), region_prefix=args.get("region"),
                                   federation_id=args.get("federation_id"))


@bp.post("")
@staff_required(*registry.MANAGERS)
@bp.arguments(PositionIn)
@bp.response(201, PositionStaffOut)
def create_position(data):
    """Register a position (coordinates are checked to lie in its region)."""
    federation_id = data.pop("federation_id", None)
    position = registry.create_position(staff=g.staff, data=data, federation_id=federation_id)
    return position


@bp.get("/check-coordinates")
@staff_required()
@bp.arguments(CoordinatesQuery, location="query")
@bp.response(200, CoordinatesOut)
def check_coordinates(args):
    """Whether a point lies in a region, by the approximation in service/positions/areas.py."""
    region, lat, lng = args["region"], args["lat"], args["lng"]
    name = refdata.region_full_name(region) or region
    if not areas.known(region):
        return {"inside": False, "message": "无法核对该地区（请选择河北省内的行政区划）", "bounds": None}
    if areas.contains(region, lat, lng):
        return {"inside": True, "message": f"坐标位于{name}范围内", "bounds": areas.bounds(region)}
    return {"inside": False, "message": f"坐标不在{name}范围内，请核对", "bounds": areas.bounds(region)}


@bp.get("/<int:position_id>")
@staff_required()
@bp.response(200, PositionStaffOut)
def get_position(position_id):
    return registry.get_for_staff(position_id, g.staff)


@bp.patch("/<int:position_id>")
@staff_required(*registry.MANAGERS)
@bp.arguments(PositionPatchIn(partial=True))
@bp.response(200, PositionStaffOut)
def update_position(data, position_id):
    """Change fields; the result is checked as a whole."""
    position = registry.update_position(registry.get_for_staff(position_id, g.staff), staff=g.staff, data=data)
    return position


@bp.post("/<int:position_id>/status")
@staff_required(*registry.MANAGERS)
@bp.arguments(PositionStatusIn)
@bp.response(200, PositionStaffOut)
def set_status(data, position_id):
    """Open, suspend (temporarily closed, with a note workers see) or close a position."""
    position = registry.set_status(registry.get_for_staff(position_id, g.staff), staff=g.staff,
                                   status=data["status"], note=data.get("note"))
    return position


@bp.get("/stats")
@staff_required()
@bp.arguments(PositionStatsQuery, location="query")
@bp.response(200, PositionStatsOut(many=True))
def stats(args):
    """Per city or county of the caller's subtree: positions, open, open now, average weekly hours."""
    return summary.by_region(g.staff, level=args["level"])

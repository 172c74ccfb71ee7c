"""Public API for service positions (the H5 pages and the bot's links): nearest to a point,
by region, one position, the worker's last known location, and the option labels."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import worker_required
from handlers.schemas.positions import (DetailQuery, HitOut, NearbyQuery, NearMeOut, PositionDetailOut,
                                        PositionOptionsOut, RegionListQuery, options)
from service import refdata
from service.errors import NotFound
from service.positions import nearby
from service.positions.geo import distance_km

bp = Blueprint("positions", __name__, url_prefix="/api/positions", description="服务阵地（公开）")
NEAR_ME_LIMIT = 10


@bp.get("/options")
@bp.response(200, PositionOptionsOut)
def get_options():
    """Kinds, facilities and states with their Chinese labels."""
    return options()


@bp.get("/nearby")
@bp.arguments(NearbyQuery, location="query")
@bp.response(200, HitOut(many=True))
def list_nearby(args):
    """Open positions nearest to (lat, lng) within 50 km, having every facility asked for."""
    return nearby.find_nearest(args["lat"], args["lng"], limit=args["limit"],
                               facilities=tuple(args.get("facilities") or ()))


@bp.get("")
@bp.arguments(RegionListQuery, location="query")
@bp.response(200, HitOut(many=True))
def list_by_region(args):
    """Positions of a region (code prefix, e.g. 1301 石家庄市), sorted by distance from (lat, lng) if given."""
    near = (args["lat"], args["lng"]) if "lat" in args and "lng" in args else None
    return nearby.list_in_region(args.get("region"), facilities=tuple(args.get("facilities") or ()), near=near)


@bp.get("/near-me")
@worker_required
@bp.response(200, NearMeOut)
def near_me():
    """Positions near where the worker last was (a location sent in the chat or WeChat's report)."""
    worker = g.worker
    if worker.last_latitude is None or worker.last_longitude is None:
        raise NotFound("还没有您的位置：请在公众号对话中发送位置，或按地区查找", code="no_location")
    hits = nearby.find_nearest(worker.last_latitude, worker.last_longitude, limit=NEAR_ME_LIMIT)
    return {"latitude": worker.last_latitude, "longitude": worker.last_longitude,
            "located_at": worker.last_located_at, "area_code": worker.last_area_code,
            "area_name": refdata.region_full_name(worker.last_area_code) if worker.last_area_code else None,
            "hits": hits}


@bp.get("/<int:position_id>")
@bp.arguments(DetailQuery, location="query")
@bp.response(200, PositionDetailOut)
def get_position(args, position_id):
    """One position (not closed); with (lat, lng), its distance from there."""
    position = nearby.get_public(position_id)
    km = (distance_km(args["lat"], args["lng"], position.latitude, position.longitude)
          if "lat" in args and "lng" in args else None)
    return nearby.Hit(position, km)

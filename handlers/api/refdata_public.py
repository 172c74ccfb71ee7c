"""Public look-ups of the reference data for the H5 and console pages (no login)."""
from flask_smorest import Blueprint

from handlers.schemas.refdata import IndustryOut, IndustryQueryIn, RegionOut, RegionQueryIn
from service.refdata import lookup as refdata_views

bp = Blueprint("refdata", __name__, url_prefix="/api", description="行政区划与行业代码")


@bp.get("/regions")
@bp.arguments(RegionQueryIn, location="query")
@bp.response(200, RegionOut(many=True))
def regions(args):
    """Children of a region (`?parent=130102` → its streets and townships); none → provinces."""
    return refdata_views.region_children(args["parent"])


@bp.get("/regions/<code>/path")
@bp.response(200, RegionOut(many=True))
def region_path(code):
    """From the province down to the region itself."""
    return refdata_views.region_path(code)


@bp.get("/industries")
@bp.arguments(IndustryQueryIn, location="query")
@bp.response(200, IndustryOut(many=True))
def industries(args):
    """Search by code or Chinese keyword (`?q=快递`), or children (`?parent=G60`); none → sections."""
    return refdata_views.industries(q=args["q"], parent=args["parent"], limit=args["limit"])

"""Reference data lookups for the pickers: regions (GB/T 2260) and industries (GB/T 4754-2017)."""
import marshmallow as ma
from flask_smorest import Blueprint

from handlers.schemas.request import IndustryOut, RegionOut, ZhSchema
from service import refdata

bp = Blueprint("refdata", __name__, url_prefix="/api", description="行政区划与行业代码")


class RegionQuery(ZhSchema):
    parent = ma.fields.String(load_default=None, validate=ma.validate.Length(max=12))


class IndustryQuery(ZhSchema):
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=30))
    parent = ma.fields.String(load_default=None, validate=ma.validate.Length(max=8))


@bp.get("/regions")
@bp.arguments(RegionQuery, location="query")
@bp.response(200, RegionOut(many=True))
def regions(args):
    """Children of a region (provinces without `parent`), for the cascading picker."""
    return [{"code": r.code, "name": r.name, "level": r.level, "has_children": bool(refdata.region_children(r.code))}
            for r in refdata.region_children(args["parent"])]


@bp.get("/industries")
@bp.arguments(IndustryQuery, location="query")
@bp.response(200, IndustryOut(many=True))
def industries(args):
    """Search industries by name or code (`q`), or list the children of `parent` (sections without)."""
    items = refdata.search_industries(args["q"], limit=30) if args["q"] else refdata.industry_children(args["parent"])
    return [{"code": i.code, "name": i.name, "level": i.level,
             "path": " > ".join(p.name for p in refdata.industry_path(i.code))} for i in items]

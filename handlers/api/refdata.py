"""Reference data lookups for pickers: regions (GB/T 2260) and industries (GB/T 4754-2017)."""
import marshmallow as ma
from flask_smorest import Blueprint

from service import refdata

bp = Blueprint("refdata", __name__, url_prefix="/api", description="行政区划与行业代码")


class RegionArgs(ma.Schema):
    parent = ma.fields.String(load_default=None, metadata={"description": "上级区划代码；不填为省级"})


class IndustryArgs(ma.Schema):
    q = ma.fields.String(load_default=None, metadata={"description": "关键词或代码前缀，如 快递、G60"})
    parent = ma.fields.String(load_default=None, metadata={"description": "上级行业代码；不填为门类"})


class CodeOut(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    level = ma.fields.String()


@bp.get("/regions")
@bp.arguments(RegionArgs, location="query")
@bp.response(200, CodeOut(many=True))
def regions(args):
    """Children of a region (the provinces without `parent`)."""
    return refdata.region_children(args["parent"])


@bp.get("/industries")
@bp.arguments(IndustryArgs, location="query")
@bp.response(200, CodeOut(many=True))
def industries(args):
    """Industries matching `q` (keyword or code prefix, at most 30), or the children of `parent`."""
    if args["q"]:
        return refdata.search_industries(args["q"], limit=30)
    return refdata.industry_children(args["parent"])

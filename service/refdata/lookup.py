"""The reference data as the pages read it (plain dicts), with Chinese errors."""
from service import refdata
from service.errors import Invalid, NotFound


def _region(region: refdata.Region) -> dict:
    return {"code": region.code, "name": region.name, "full_name": refdata.region_full_name(region.code),
            "level": region.level, "parent_code": region.parent_code, "custom": region.custom,
            "has_children": bool(refdata.region_children(region.code))}


def _industry(industry: refdata.Industry) -> dict:
    return {"code": industry.code, "name": industry.name, "level": industry.level,
            "parent_code": industry.parent_code, "has_children": bool(refdata.industry_children(industry.code)),
            "path": " > ".join(step.name for step in refdata.industry_path(industry.code))}


def region_children(parent: str | None) -> list[dict]:
    parent = (parent or "").strip() or None
    if parent is not None and not refdata.is_region(parent):
        raise Invalid(fields={"parent": "行政区划代码无效（应为 GB/T 2260 代码，如 130102）"})
    return [_region(r) for r in refdata.region_children(parent)]


def region_path(code: str) -> list[dict]:
    path = refdata.region_path(code)
    if not path:
        raise NotFound("找不到该行政区划代码")
    return [_region(r) for r in path]


def industries(*, q: str | None = None, parent: str | None = None, limit: int = 20) -> list[dict]:
    q, parent = (q or "").strip(), (parent or "").strip().upper()
    if q and parent:
        raise Invalid(fields={"q": "按关键词搜索或按上级代码列出，二选一"})
    if q:
        return [_industry(i) for i in refdata.search_industries(q, limit=limit)]
    if parent and not refdata.is_industry(parent):
        raise Invalid(fields={"parent": "行业代码无效（应为 GB/T 4754-2017 代码，如 G60）"})
    return [_industry(i) for i in refdata.industry_children(parent or None)]

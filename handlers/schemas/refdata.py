"""Reference data for the pages: regions (GB/T 2260) and industries (GB/T 4754-2017)."""
import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema


class RegionQueryIn(InSchema):
    parent = ma.fields.String(load_default=None,
                              metadata={"description": "parent region code; none: the provinces"})


class RegionOut(OutSchema):
    code = ma.fields.String()
    name = ma.fields.String()
    full_name = ma.fields.String(metadata={"description": "e.g. 河北省石家庄市长安区"})
    level = ma.fields.String(metadata={"description": "province | city | county | township"})
    parent_code = ma.fields.String(allow_none=True)
    custom = ma.fields.Boolean(metadata={"description": "not in GB/T 2260 (雄安新区, development zones)"})
    has_children = ma.fields.Boolean()


class IndustryQueryIn(InSchema):
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=50, error="不超过50个字"), metadata={"description": "code prefix or Chinese keyword"})
    parent = ma.fields.String(load_default=None,
                              metadata={"description": "parent code, e.g. G60; none (and no q): sections"})
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100, error="应在1到100之间"),
                              error_messages={"invalid": "应为整数"})


class IndustryOut(OutSchema):
    code = ma.fields.String()
    name = ma.fields.String()
    level = ma.fields.String(metadata={"description": "section | division | group | class"})
    parent_code = ma.fields.String(allow_none=True)
    has_children = ma.fields.Boolean()
    path = ma.fields.String(metadata={"description": "门类 > 大类 > 中类 > 小类"})

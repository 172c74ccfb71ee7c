"""Service position schemas: staff In/Out (console) and public Out (H5, the bot's links)."""
import marshmallow as ma
from webargs.fields import DelimitedList

from handlers.schemas.base import InSchema, OutSchema, UtcDateTime, length
from models.base import utcnow
from models.position import FACILITIES, KIND_LABELS, KINDS, STATUS_LABELS, STATUSES
from service import refdata
from service.positions.geo import format_distance
from service.positions.hours import open_state, week_summary
from service.positions.maps import map_links
from service.positions.venues import page_url

ONE_OF = {"error": "取值无效"}
LATITUDE = ma.validate.Range(min=-90, max=90, error="纬度应在 -90 至 90 之间")
LONGITUDE = ma.validate.Range(min=-180, max=180, error="经度应在 -180 至 180 之间")


def _coordinate(validate, **kw) -> ma.fields.Float:
    return ma.fields.Float(allow_nan=False, validate=validate, error_messages={"special": "应为有效的数字"}, **kw)


def _facility_list():
    return ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(FACILITIES), **ONE_OF)),
                          validate=ma.validate.Length(max=len(FACILITIES), error="设施过多"))


# --- staff: register and edit --------------------------------------------------------------------
class PositionIn(InSchema):
    name = ma.fields.String(required=True, validate=length(100, 1))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS, **ONE_OF),
                            metadata={"description": " | ".join(f"{k} {v}" for k, v in KIND_LABELS.items())})
    host_unit = ma.fields.String(allow_none=True, validate=length(100), metadata={"description": "提供场地的单位"})
    address = ma.fields.String(required=True, validate=length(200, 1))
    region_code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{6}(\d{3})?$", error="地区代码应为6位或9位数字"))
    latitude = _coordinate(LATITUDE, required=True, metadata={"description": "GCJ-02"})
    longitude = _coordinate(LONGITUDE, required=True, metadata={"description": "GCJ-02"})
    hours = ma.fields.Dict(metadata={"description": "见 service/positions/hours.py：weekly、holidays、holiday_hours、exceptions"})
    hours_note = ma.fields.String(allow_none=True, validate=length(200))
    facilities = _facility_list()
    services = ma.fields.String(allow_none=True, validate=length(2000), metadata={"description": "如 每周三下午律师值班"})
    contact_name = ma.fields.String(allow_none=True, validate=length(50))
    contact_phone = ma.fields.String(allow_none=True, validate=ma.validate.Regexp(
        r"^[0-9+\-() ]{0,30}$", error="电话只能包含数字、空格和 + - ( )"))
    photos = ma.fields.List(ma.fields.String(validate=length(500)), validate=ma.validate.Length(max=9, error="最多9张"))
    federation_id = ma.fields.Integer(load_only=True, metadata={"description": "默认：本人所属单位"})


class PositionPatchIn(PositionIn):
    """PositionIn with every field optional (use as PositionPatchIn(partial=True))."""


class PositionStatusIn(InSchema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES, **ONE_OF),
                              metadata={"description": "open 开放 | suspended 暂停开放 | closed 已关闭"})
    note = ma.fields.String(allow_none=True, validate=length(200), metadata={"description": "暂停或关闭的原因"})


class PositionListQuery(InSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES, **ONE_OF))
    region = ma.fields.String(validate=ma.validate.Regexp(r"^\d{2,12}$", error="地区代码应为数字"))
    federation_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1, error="取值无效"))


class CoordinatesQuery(InSchema):
    region = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{6}(\d{3})?$", error="地区代码应为6位或9位数字"))
    lat = _coordinate(LATITUDE, required=True)
    lng = _coordinate(LONGITUDE, required=True)


class BoxOut(OutSchema):
    south = ma.fields.Float()
    west = ma.fields.Float()
    north = ma.fields.Float()
    east = ma.fields.Float()


class CoordinatesOut(OutSchema):
    inside = ma.fields.Boolean()
    message = ma.fields.String()
    bounds = ma.fields.Nested(BoxOut, allow_none=True, metadata={"description": "该地区的近似范围"})


def _region_name(position) -> str:
    return refdata.region_full_name(position.region_code)


def _state(position) -> dict:
    now_open, text = open_state(position.hours, utcnow())
    if position.status != "open":
        now_open, text = False, position.status_label + (f"：{position.status_note}" if position.status_note else "")
    return {"open_now": now_open, "text": text}


class OpenStateOut(OutSchema):
    open_now = ma.fields.Boolean()
    text = ma.fields.String(metadata={"description": "如 开放中，今天 20:00 结束 / 未开放，明天 08:00 开放"})


class FacilityOut(OutSchema):
    key = ma.fields.String()
    label = ma.fields.String()


def _facilities(position) -> list[dict]:
    return [{"key": key, "label": FACILITIES[key]} for key in position.facilities or [] if key in FACILITIES]


class PositionPublicOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    kind_label = ma.fields.String()
    host_unit = ma.fields.String(allow_none=True)
    federation_name = ma.fields.Function(lambda p: p.federation.name)
    address = ma.fields.String()
    region_code = ma.fields.String()
    region_name = ma.fields.Function(_region_name)
    latitude = ma.fields.Float()
    longitude = ma.fields.Float()
    facilities = ma.fields.Function(_facilities, metadata={"description": "[{key, label}]"})
    services = ma.fields.String(allow_none=True)
    contact_name = ma.fields.String(allow_none=True)
    contact_phone = ma.fields.String(allow_none=True)
    photos = ma.fields.List(ma.fields.String())
    status = ma.fields.String()
    status_label = ma.fields.String()
    status_note = ma.fields.String(allow_none=True)
    hours_lines = ma.fields.Function(lambda p: week_summary(p.hours), metadata={"description": "每周开放时间，供人阅读"})
    hours_note = ma.fields.String(allow_none=True)
    state = ma.fields.Function(_state, metadata={"description": "{open_now, text}"})
    links = ma.fields.Function(map_links, metadata={"description": "地图与导航链接：amap_marker、amap_navigation、geo"})


class PositionStaffOut(PositionPublicOut):
    federation_id = ma.fields.Integer()
    hours = ma.fields.Dict()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    status_changed_at = UtcDateTime(allow_none=True)


class HitOut(OutSchema):
    position = ma.fields.Nested(PositionPublicOut)
    distance_km = ma.fields.Function(lambda h: round(h.km, 3) if h.km is not None else None, allow_none=True)
    distance_text = ma.fields.Function(lambda h: format_distance(h.km) if h.km is not None else None, allow_none=True)


class PlaceOut(OutSchema):
    """A position as the place of something else (a contest's venue, a mediation's meeting)."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    kind_label = ma.fields.String()
    address = ma.fields.String()
    status = ma.fields.String(metadata={"description": "open | suspended | closed"})
    status_label = ma.fields.String()
    status_note = ma.fields.String(allow_none=True)
    url = ma.fields.Function(page_url, allow_none=True,
                             metadata={"description": "职工端阵地页面 /h5/position.html?id=…（已关闭的阵地没有）"})


def position_id_field(description: str) -> ma.fields.Integer:
    """The id of a position picked as a place; null clears it (the service checks the scope)."""
    return ma.fields.Integer(allow_none=True, strict=True, validate=ma.validate.Range(
        min=1, max=2**31 - 1, error="请选择服务阵地"), metadata={"description": description})


# --- public: find ------------------------------------------------------------------------------
class NearbyQuery(InSchema):
    lat = _coordinate(LATITUDE, required=True)
    lng = _coordinate(LONGITUDE, required=True)
    facilities = DelimitedList(ma.fields.String(validate=ma.validate.OneOf(list(FACILITIES), **ONE_OF)))
    limit = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=30, error="应为1至30"))


class RegionListQuery(InSchema):
    region = ma.fields.String(validate=ma.validate.Regexp(r"^13\d{0,10}$", error="请选择河北省内的地区"))
    facilities = DelimitedList(ma.fields.String(validate=ma.validate.OneOf(list(FACILITIES), **ONE_OF)))
    lat = _coordinate(LATITUDE)
    lng = _coordinate(LONGITUDE)


class DetailQuery(InSchema):
    lat = _coordinate(LATITUDE)
    lng = _coordinate(LONGITUDE)


class PositionDetailOut(HitOut):
    pass


class OptionOut(OutSchema):
    key = ma.fields.String()
    label = ma.fields.String()


class PositionOptionsOut(OutSchema):
    kinds = ma.fields.List(ma.fields.Nested(OptionOut))
    facilities = ma.fields.List(ma.fields.Nested(OptionOut))
    statuses = ma.fields.List(ma.fields.Nested(OptionOut))


class NearMeOut(OutSchema):
    latitude = ma.fields.Float()
    longitude = ma.fields.Float()
    located_at = UtcDateTime()
    area_code = ma.fields.String(allow_none=True)
    area_name = ma.fields.String(allow_none=True)
    hits = ma.fields.List(ma.fields.Nested(HitOut))


def options() -> dict:
    def pairs(mapping):
        return [{"key": key, "label": label} for key, label in mapping.items()]
    return {"kinds": pairs(KIND_LABELS), "facilities": pairs(FACILITIES), "statuses": pairs(STATUS_LABELS)}


class PositionStatsQuery(InSchema):
    level = ma.fields.String(load_default="county", validate=ma.validate.OneOf(("city", "county"), **ONE_OF))


class PositionStatsOut(OutSchema):
    region_code = ma.fields.String()
    region_name = ma.fields.String()
    positions = ma.fields.Integer(metadata={"description": "登记的服务阵地（不含已关闭）"})
    open = ma.fields.Integer(metadata={"description": "开放中（不含暂停）"})
    open_now = ma.fields.Integer(metadata={"description": "此刻正在开放"})
    weekly_hours_avg = ma.fields.Float(metadata={"description": "开放的阵地平均每周开放小时数"})

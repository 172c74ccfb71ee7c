"""Registering service positions: a federation (or a union above it) records its offices,
venues and outdoor-worker stations; staff see and change only those of their own subtree, and
every change is audited."""
import math

from sqlalchemy import select

from models.base import utcnow
from models.federation import Federation
from models.position import FACILITIES, KINDS, STATUSES, Position
from models.staff import Staff
from service import audit, refdata
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.positions import areas
from service.positions.hours import normalise_hours
from service.staff.scope import get_in_scope, in_scope, require_role, require_scope

MANAGERS = ("admin", "chair")
TEXTS = {"name": 100, "host_unit": 100, "address": 200, "hours_note": 200, "services": 2000,
         "contact_name": 50, "contact_phone": 30, "status_note": 200}
REQUIRED = ("name", "kind", "address", "region_code", "latitude", "longitude")
MAX_PHOTOS = 9


def get_for_staff(position_id: int, staff: Staff) -> Position:
    """The position if `staff` may see it; NotFound otherwise (a guessed id reveals nothing)."""
    if not 0 < position_id < 2**31:  # beyond the id column: no such row (and no overflow in the query)
        raise NotFound("找不到该服务阵地")
    return get_in_scope(staff, Position, position_id, message="找不到该服务阵地")


def list_for_staff(staff: Staff, *, status: str | None = None, region_prefix: str | None = None,
                   federation_id: int | None = None) -> list[Position]:
    """Positions of the staff member's subtree, newest first."""
    query = select(Position).where(in_scope(staff, Position.federation_id))
    if status:
        query = query.where(Position.status == status)
    if region_prefix:
        query = query.where(Position.region_code.startswith(region_prefix, autoescape=True))
    if federation_id:
        query = query.where(Position.federation_id == federation_id)
    return list(db.session.scalars(query.order_by(Position.id.desc())))


def _owner(staff: Staff, federation_id: int | None) -> Federation:
    federation_id = federation_id or staff.federation_id
    federation = db.session.get(Federation, federation_id) if 0 < federation_id < 2**31 else None
    if federation is None:
        raise NotFound("找不到该工会组织")
    require_scope(staff, federation.id)
    if federation.status == "dissolved":
        raise Conflict("该工会组织已撤销，不能登记服务阵地")
    return federation


def _in_federation_region(region_code: str, federation: Federation) -> bool:
    """Inside the federation's region, or in the county that holds a township federation."""
    own = federation.region_code
    return region_code.startswith(own) or (len(region_code) >= 6 and own.startswith(region_code))


def _check(values: dict, federation: Federation) -> dict:
    """Domain checks of a full set of fields; raises Invalid with every problem at once."""
    errors = {}
    for name in REQUIRED:
        if values.get(name) in (None, ""):
            errors[name] = "请填写此项"
    for name, limit in TEXTS.items():
        value = values.get(name)
        value = value.strip() if isinstance(value, str) else value
        if value and len(value) > limit:
            errors[name] = f"不超过{limit}个字"
        elif isinstance(value, str) and "\x00" in value:
            errors[name] = "含有无效字符"
        values[name] = value or None
    if values.get("kind") and values["kind"] not in KINDS:
        errors["kind"] = "阵地类型无效"
    if values.get("status", "open") not in STATUSES:
        errors["status"] = "状态无效"
    region = values.get("region_code") or ""
    if region and (not refdata.is_region(region) or not region.startswith("13") or not areas.known(region)):
        errors["region_code"] = "请选择河北省内的行政区划"
    elif region and not _in_federation_region(region, federation):
        errors["region_code"] = f"服务阵地应位于{federation.name}所在地区（{refdata.region_full_name(federation.region_code)}）"
    lat, lng = values.get("latitude"), values.get("longitude")
    numbers = isinstance(lat, (int, float)) and isinstance(lng, (int, float))
    if lat is not None and lng is not None:
        if not numbers or not (math.isfinite(lat) and math.isfinite(lng)) or not (-90 <= lat <= 90) \
                or not (-180 <= lng <= 180):
            errors["latitude"] = "坐标应为有效的经纬度（纬度 -90 至 90，经度 -180 至 180）"
        elif region and "region_code" not in errors and not areas.contains(region, lat, lng):
            errors["latitude"] = f"坐标不在{refdata.region_full_name(region)}范围内，请核对"
    facilities = values.get("facilities") or []
    unknown = [f for f in facilities if f not in FACILITIES]
    if unknown:
        errors["facilities"] = "不支持的设施：" + "、".join(map(str, unknown))
    values["facilities"] = [key for key in FACILITIES if key in facilities]  # stored in one order
    photos = values.get("photos") or []
    if len(photos) > MAX_PHOTOS or any(not (p.startswith("https://") or p.startswith("/")) or "\x00" in p
                                       for p in photos):
        errors["photos"] = f"最多{MAX_PHOTOS}张照片，链接以 https:// 或 / 开头"
    values["photos"] = photos
    try:
        values["hours"] = normalise_hours(values.get("hours"))
    except Invalid as error:
        errors.update(error.fields or {})
    if errors:
        raise Invalid(fields=errors)
    return values


def create_position(*, staff: Staff, data: dict, federation_id: int | None = None) -> Position:
    """Register a position for the staff member's federation (or one beneath it)."""
    require_role(staff, *MANAGERS)
    federation = _owner(staff, federation_id)
    values = _check(dict(data), federation)
    position = Position(federation_id=federation.id, status_changed_at=utcnow(),
                        **{k: v for k, v in values.items() if k in _COLUMNS})
    db.session.add(position)
    db.session.flush()
    audit.record("position.create", staff=staff, subject_type="position", subject_id=position.id,
                 federation_id=federation.id, detail={"name": position.name, "kind": position.kind})
    return position


_COLUMNS = set(TEXTS) | {"kind", "region_code", "latitude", "longitude", "hours", "facilities", "photos", "status"}


def update_position(position: Position, *, staff: Staff, data: dict) -> Position:
    """Change fields (a partial set); the whole result is checked as on creation."""
    require_role(staff, *MANAGERS)
    federation = _owner(staff, data.pop("federation_id", None) or position.federation_id)
    current = {name: getattr(position, name) for name in _COLUMNS}
    values = _check({**current, **data}, federation)
    changed = sorted(name for name in _COLUMNS if values.get(name) != current.get(name))
    for name in changed:
        setattr(position, name, values[name])
    if federation.id != position.federation_id:
        position.federation_id = federation.id
        changed.append("federation_id")
    if "status" in changed:
        position.status_changed_at = utcnow()
    db.session.flush()
    audit.record("position.update", staff=staff, subject_type="position", subject_id=position.id,
                 federation_id=position.federation_id, detail={"fields": changed})
    return position


def set_status(position: Position, *, staff: Staff, status: str, note: str | None = None) -> Position:
    """open / suspended (temporarily closed, with a note for workers) / closed."""
    if status not in STATUSES:
        raise Invalid(fields={"status": "状态无效"})
    if status != "open" and not (note or "").strip():
        raise Invalid(fields={"status_note": "请说明暂停或关闭的原因，工人查看时会看到"})
    return update_position(position, staff=staff, data={"status": status, "status_note": note})

"""Federations and upper unions: create, list, look up (grown by the routing issue)."""
from sqlalchemy import select

from models.federation import FEDERATION_KINDS, KINDS, LEVELS, STATUSES, Federation
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db


def get_federation(federation_id: int) -> Federation:
    federation = db.session.get(Federation, federation_id)
    if federation is None:
        raise NotFound("找不到该工会或工会联合会")
    return federation


def list_active_federations() -> list[Federation]:
    """Active federations (not upper unions), for the public list and the simulator."""
    return list(
        db.session.scalars(
            select(Federation)
            .where(Federation.kind.in_(FEDERATION_KINDS), Federation.status == "active")
            .order_by(Federation.id)
        )
    )


def create_federation(
    *, name: str, kind: str, level: str, region_code: str, industry_code: str | None = None,
    parent_id: int | None = None, status: str = "active", **extra,
) -> Federation:
    """Create a node of the union tree (flushed; the caller commits)."""
    errors = {}
    name = (name or "").strip()
    if kind not in KINDS:
        errors["kind"] = "类型应为 upper、regional 或 industry"
    if level not in LEVELS:
        errors["level"] = "层级应为 province、city、county 或 township"
    if status not in STATUSES:
        errors["status"] = "状态应为 preparing、active 或 dissolved"
    if kind in FEDERATION_KINDS and not name.endswith("工会联合会"):
        errors["name"] = "名称应以“工会联合会”结尾"
    if not name:
        errors["name"] = "请填写名称"
    if errors:
        raise Invalid(fields=errors)
    if db.session.scalar(select(Federation.id).where(Federation.name == name)):
        raise Conflict(f"名称“{name}”已被使用")
    federation = Federation(
        name=name, kind=kind, level=level, region_code=region_code, industry_code=industry_code,
        parent_id=parent_id, status=status, **extra,
    )
    db.session.add(federation)
    db.session.flush()
    return federation

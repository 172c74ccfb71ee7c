"""The union tree: upper unions and federations (DESIGN §1), their coverage rules, and the
routing version that tells every process when its cached coverage is stale."""
import uuid
from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, event, inspect)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import TimestampMixin, utcnow
from service.extensions import db

# kind: "upper" is an upper union (province/city/county federation of trade unions,
# township/street/park union); "regional" and "industry" are federations (联合会).
KINDS = ("upper", "regional", "industry")
FEDERATION_KINDS = ("regional", "industry")
LEVELS = ("province", "city", "county", "township")
STATUSES = ("preparing", "active", "dissolved")
TERM_YEARS = (3, 5)
KIND_LABELS = {"upper": "上级工会", "regional": "区域性工会联合会", "industry": "行业性工会联合会"}
LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇（街道、园区）级"}
STATUS_LABELS = {"preparing": "筹备中", "active": "运行中", "dissolved": "已撤销"}


class Federation(TimestampMixin, db.Model):
    """A node of the union tree; every node has an inbox (requests point at it)."""

    __tablename__ = "federations"
    __table_args__ = (
        CheckConstraint("kind IN ('upper', 'regional', 'industry')", name="kind"),
        CheckConstraint("level IN ('province', 'city', 'county', 'township')", name="level"),
        CheckConstraint("status IN ('preparing', 'active', 'dissolved')", name="status"),
        CheckConstraint("term_years IS NULL OR term_years IN (3, 5)", name="term_years"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("federations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    # An industry federation's industry (GB/T 4754-2017); its coverage rules stay inside it.
    industry_code: Mapped[str | None] = mapped_column(String(8))
    # No index on status: three values select nothing, and without statistics SQLite would
    # drive the routing join from it instead of from the coverage prefix index.
    status: Mapped[str] = mapped_column(String(16), default="active")
    term_start: Mapped[date | None] = mapped_column(Date)
    term_years: Mapped[int | None] = mapped_column(Integer)
    own_funds: Mapped[bool] = mapped_column(Boolean, default=False)
    many_women: Mapped[bool] = mapped_column(Boolean, default=False)
    has_funds_committee: Mapped[bool] = mapped_column(Boolean, default=False)
    has_women_committee: Mapped[bool] = mapped_column(Boolean, default=False)
    # Routing tie-break among equally specific federations: the higher number wins.
    priority: Mapped[int] = mapped_column(Integer, default=0)
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # The permanent WeChat QR code of scene "fed:<id>", fetched once from the API.
    qr_ticket: Mapped[str | None] = mapped_column(String(200))
    qr_url: Mapped[str | None] = mapped_column(String(300))
    activated_at: Mapped[datetime | None] = mapped_column()
    dissolved_on: Mapped[date | None] = mapped_column(Date)  # the date the dissolution took effect
    dissolved_reason: Mapped[str | None] = mapped_column(String(500))
    dissolved_at: Mapped[datetime | None] = mapped_column()  # when it was recorded

    parent: Mapped["Federation | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Federation"]] = relationship(back_populates="parent")
    coverage: Mapped[list["CoverageRule"]] = relationship(
        back_populates="federation", cascade="all, delete-orphan", order_by="CoverageRule.id"
    )

    @property
    def scene(self) -> str:
        return f"fed:{self.id}"

    @property
    def is_federation(self) -> bool:
        return self.kind in FEDERATION_KINDS

    def __repr__(self) -> str:
        return f"<Federation {self.id} {self.name}>"


class CoverageRule(db.Model):
    """A federation covers workplaces whose region starts with region_prefix and, if set,
    whose industry starts with industry_prefix (DESIGN §1, §3). Both are stored in their
    shortest equivalent form (130100 → 1301, G6020 → G602) so equal coverage compares equal."""

    __tablename__ = "coverage_rules"
    __table_args__ = (
        UniqueConstraint("federation_id", "region_prefix", "industry_prefix", name="uq_coverage_rule"),
        Index("ix_coverage_region_industry", "region_prefix", "industry_prefix"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id", ondelete="CASCADE"), index=True)
    region_prefix: Mapped[str] = mapped_column(String(12))
    industry_prefix: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    federation: Mapped[Federation] = relationship(back_populates="coverage")


class RoutingVersion(db.Model):
    """One row: a random token replaced in the same transaction as every change that can
    change a routing answer (coverage, a federation's status, name, kind or priority, the
    tree). Each process caches coverage under the token it read (service/routing/cache.py)."""

    __tablename__ = "routing_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- the routing version
# Fields of a federation that can change a routing answer; a change to any other field
# (contact details, QR ticket…) leaves every process's cached coverage valid.
ROUTING_FIELDS = ("name", "kind", "status", "priority", "parent_id", "region_code")


def bump_routing_version(session) -> None:
    """Replace the routing token in the session's transaction (an upsert of the one row).

    Called automatically before every flush that changes coverage or a routing field of a
    federation; call it yourself after a bulk UPDATE/DELETE on those tables."""
    values = {"id": 1, "token": uuid.uuid4().hex, "changed_at": utcnow()}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only PostgreSQL and SQLite are supported
        raise RuntimeError(f"unsupported database: {dialect}")
    statement = insert(RoutingVersion).values(**values).on_conflict_do_update(
        index_elements=["id"], set_={"token": values["token"], "changed_at": values["changed_at"]})
    session.execute(statement)


def _changes_routing(session) -> bool:
    for obj in session.new | session.deleted:
        if isinstance(obj, (Federation, CoverageRule)):
            return True
    for obj in session.dirty:
        if isinstance(obj, CoverageRule) and session.is_modified(obj):
            return True
        if isinstance(obj, Federation):
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in ROUTING_FIELDS):
                return True
    return False


@event.listens_for(Session, "before_flush")
def _bump_routing_version_on_change(session, flush_context, instances):
    if _changes_routing(session):
        bump_routing_version(session)

"""The union tree: upper unions and federations (DESIGN §1), and their coverage rules."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import TimestampMixin, utcnow
from service.extensions import db

# kind: "upper" is an upper union (province/city/county federation of trade unions,
# township/street/park union); "regional" and "industry" are federations (联合会).
KINDS = ("upper", "regional", "industry")
FEDERATION_KINDS = ("regional", "industry")
LEVELS = ("province", "city", "county", "township")
STATUSES = ("preparing", "active", "dissolved")
KIND_LABELS = {"upper": "上级工会", "regional": "区域性工会联合会", "industry": "行业性工会联合会"}
STATUS_LABELS = {"preparing": "筹备中", "active": "运行中", "dissolved": "已撤销"}


class Federation(TimestampMixin, db.Model):
    """A node of the union tree; every node has an inbox (requests point at it)."""

    __tablename__ = "federations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("federations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    term_start: Mapped[date | None] = mapped_column(Date)
    term_years: Mapped[int | None] = mapped_column(Integer)
    own_funds: Mapped[bool] = mapped_column(Boolean, default=False)
    many_women: Mapped[bool] = mapped_column(Boolean, default=False)
    has_funds_committee: Mapped[bool] = mapped_column(Boolean, default=False)
    has_women_committee: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # The permanent WeChat QR code of scene "fed:<id>", fetched once from the API.
    qr_ticket: Mapped[str | None] = mapped_column(String(200))
    qr_url: Mapped[str | None] = mapped_column(String(300))
    dissolved_at: Mapped[datetime | None] = mapped_column()

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
    whose industry starts with industry_prefix (DESIGN §1, §3)."""

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

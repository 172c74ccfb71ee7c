"""Statistics: daily and monthly rollups per node of the union tree, the rollup job's state, and
the stored monthly / half-year reports (service/stats/)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, LargeBinary, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import JSONType, utcnow
from models.federation import Federation
from service.extensions import db


class StatsRollup(db.Model):
    """One figure of one node for one China-time day (grain "d") or month (grain "m", `day` is
    the 1st; grain "f": a federation's few drill-down figures per month): `metric` names what is counted, `k1`/`k2` its breakdown (type, status, bucket…),
    `n` the count and `total` a sum (yuan, seconds) where the metric has one. A node's row
    covers its whole subtree (the rollup job adds each item to every ancestor)."""

    __tablename__ = "stats_rollups"

    # Key order = the one read path: a node, a grain, some metrics, a range of days.
    node_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    metric: Mapped[str] = mapped_column(String(24), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    k1: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    k2: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=0)


class StatsState(db.Model):
    """What the rollup job last did: one row per name ("rollup": its watermark, the tree's
    fingerprint: a changed tree means a full rebuild)."""

    __tablename__ = "stats_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column()
    tree_hash: Mapped[str | None] = mapped_column(String(64))
    ran_at: Mapped[datetime | None] = mapped_column()


REPORT_KINDS = ("month", "half")
REPORT_KIND_LABELS = {"month": "月度报告", "half": "半年报告"}


class StatsReport(db.Model):
    """A monthly or half-year report of one node, as generated (figures and the xlsx file);
    generating it again replaces it."""

    __tablename__ = "stats_reports"
    __table_args__ = (UniqueConstraint("node_id", "kind", "period_start", name="uq_stats_report_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("federations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # inclusive
    source: Mapped[str] = mapped_column(String(8), default="staff")  # "staff" | "job"
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    data: Mapped[dict] = mapped_column(JSONType)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx_size: Mapped[int] = mapped_column(Integer, default=0)

    node: Mapped[Federation] = relationship()

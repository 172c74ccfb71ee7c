"""Service positions (服务阵地, opinion §四.2): federation offices, activity venues and
outdoor-worker stations where workers get union services, with where they are, when they
open and what they offer.

Coordinates are GCJ-02 degrees, the system WeChat's location messages use. The index on
(status, latitude, longitude) serves the nearest-position search's bounding-box prefilter on
SQLite and PostgreSQL alike, as an index-only scan (service/positions/nearby.py).
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import JSONType, TimestampMixin
from models.federation import Federation
from service.extensions import db

KINDS = ("federation_office", "activity_venue", "outdoor_station", "legal_aid_point", "shared_space")
KIND_LABELS = {
    "federation_office": "工会联合会办公场所",
    "activity_venue": "职工活动场所",
    "outdoor_station": "户外劳动者服务站点",
    "legal_aid_point": "法律援助服务点",
    "shared_space": "党群共享阵地",
}
# open: in service; suspended: temporarily closed (with a note); closed: no longer in service.
STATUSES = ("open", "suspended", "closed")
STATUS_LABELS = {"open": "开放", "suspended": "暂停开放", "closed": "已关闭"}
FACILITIES = {
    "water": "饮水", "charging": "充电", "microwave": "微波炉", "toilet": "卫生间", "rest": "休息座椅",
    "first_aid": "急救药箱", "wifi": "无线网络", "legal_consultation": "法律咨询", "repair": "维修工具",
    "umbrella": "雨具", "reading": "书报阅览", "air_conditioning": "空调",
}


class Position(TimestampMixin, db.Model):
    __tablename__ = "positions"
    __table_args__ = (
        CheckConstraint("kind IN ('federation_office', 'activity_venue', 'outdoor_station', 'legal_aid_point', "
                        "'shared_space')", name="kind"),
        CheckConstraint("status IN ('open', 'suspended', 'closed')", name="status"),
        CheckConstraint("latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180", name="coordinates"),
        # The nearest search reads (id, latitude, longitude) from this index alone: SQLite's
        # entries carry the rowid (= id), PostgreSQL's include id.
        Index("ix_positions_status_lat_lng", "status", "latitude", "longitude", postgresql_include=["id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The federation (or upper union) that registered the position and answers for it.
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(24))
    host_unit: Mapped[str | None] = mapped_column(String(100))  # the unit lending the room, if any
    address: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    # {"weekly": {"1": ["08:00-20:00"], …, "7": []}, "holidays": "weekly"|"closed"|"hours",
    #  "holiday_hours": [...], "exceptions": {"2027-01-01": []}}; see service/positions/hours.py
    hours: Mapped[dict] = mapped_column(JSONType, default=dict)
    hours_note: Mapped[str | None] = mapped_column(String(200))
    facilities: Mapped[list] = mapped_column(JSONType, default=list)  # keys of FACILITIES
    services: Mapped[str | None] = mapped_column(Text)  # e.g. 每周三下午律师值班
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    photos: Mapped[list] = mapped_column(JSONType, default=list)  # image URLs
    status: Mapped[str] = mapped_column(String(16), default="open")
    status_note: Mapped[str | None] = mapped_column(String(200))  # why it is suspended or closed
    status_changed_at: Mapped[datetime | None] = mapped_column()

    federation: Mapped[Federation] = relationship()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def facility_labels(self) -> list[str]:
        return [FACILITIES[key] for key in self.facilities or [] if key in FACILITIES]

    def __repr__(self) -> str:
        return f"<Position {self.id} {self.name}>"

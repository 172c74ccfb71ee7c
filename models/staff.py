"""Federation and upper-union staff who work in the console (DESIGN §5)."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import TimestampMixin
from models.federation import Federation
from service.extensions import db

ROLES = ("admin", "chair", "caseworker")
ROLE_LABELS = {"admin": "管理员", "chair": "主席", "caseworker": "办事员"}


class Staff(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="caseworker")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Staff may see a worker's full ID number only with this flag (each view is audited).
    may_view_id: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column()
    openid: Mapped[str | None] = mapped_column(String(64))  # to notify the assignee in WeChat
    deactivated_at: Mapped[datetime | None] = mapped_column()
    password_changed_at: Mapped[datetime | None] = mapped_column()
    # Written into the login cookie and checked on every request (service/staff/sessions.py):
    # replacing it ends every session of the account.
    session_token: Mapped[str | None] = mapped_column(String(64))

    federation: Mapped[Federation] = relationship()

    def get_id(self) -> str:  # Flask-Login: the cookie names the account and its current session token
        from service.staff.sessions import session_id

        return session_id(self)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

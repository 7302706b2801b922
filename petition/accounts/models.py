"""Admin and moderator accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..db_types import UTCDateTime, str_enum, utcnow
from ..extensions import db


class AdminRole(enum.StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"


class AdminLanguage(enum.StrEnum):
    EN = "en"
    FR = "fr"


class DigestFrequency(enum.StrEnum):
    IMMEDIATELY = "immediately"
    HOURLY = "hourly"
    DAILY = "daily"
    OFF = "off"


class AdminUser(UserMixin, db.Model):
    # Never shown on a public page: changing it leaves cached pages as they are.
    never_on_public_pages = True
    __tablename__ = "admin_user"
    # Addresses are compared case-insensitively by storing them lowercased; the database
    # refuses anything else, so a direct INSERT cannot create a look-alike duplicate.
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[AdminRole] = mapped_column(
        str_enum(AdminRole, "admin_role"), default=AdminRole.MODERATOR
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login session's identity: bumping it ends every session of this user.
    session_version: Mapped[int] = mapped_column(default=1)
    preferred_locale: Mapped[AdminLanguage] = mapped_column(
        str_enum(AdminLanguage, "admin_language"), default=AdminLanguage.EN
    )
    digest: Mapped[DigestFrequency] = mapped_column(
        str_enum(DigestFrequency, "digest_frequency"), default=DigestFrequency.DAILY
    )
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("email")
    def _lowercase_email(self, key, value: str) -> str:
        return value.strip().lower()

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == AdminRole.ADMIN

    @property
    def name(self) -> str:
        """Return the display name, or the email address when there is none."""
        return self.display_name or self.email

    def get_id(self) -> str:
        # Flask-Login keeps this in the session: a bumped version no longer matches.
        return f"{self.id}:{self.session_version}"

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def __repr__(self) -> str:
        return f"<AdminUser {self.id} {self.role}>"

"""Which organization's logo is which file, and whether a moderator has approved it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import UTCDateTime, str_enum, utcnow
from ..extensions import db


class LogoStatus(enum.StrEnum):
    # Uploaded (at sign-on or from the manage link): shown to moderators only.
    PENDING = "pending"
    APPROVED = "approved"


class OrganizationLogo(db.Model):
    """An endorsing organization's logo: at most one per endorsement.

    Public only while approved and while its endorsement is on the public list. A new upload
    replaces the file and sends the logo back to review.
    """

    __tablename__ = "organization_logo"

    id: Mapped[int] = mapped_column(primary_key=True)
    endorsement_id: Mapped[int] = mapped_column(
        ForeignKey("endorsement.id", ondelete="CASCADE"), unique=True
    )
    # SHA-256 of the PNG kept in the store: also the file's public name.
    digest: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    status: Mapped[LogoStatus] = mapped_column(
        str_enum(LogoStatus, "logo_status"), default=LogoStatus.PENDING
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def approved(self) -> bool:
        return self.status == LogoStatus.APPROVED

    def __repr__(self) -> str:
        return f"<OrganizationLogo {self.endorsement_id} {self.status}>"

"""Platform documents, their per-locale texts and their related resources."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, attribute_keyed_dict, mapped_column, relationship

from ..db_types import UTCDateTime, str_enum, utcnow
from ..extensions import db


class PlatformStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class ResourceKind(enum.StrEnum):
    JOURNAL_ARTICLE = "journal_article"
    REPORT = "report"
    MEDIA = "media"
    BLOG = "blog"
    PODCAST = "podcast"
    VIDEO = "video"
    TOOL = "tool"
    GUIDELINES = "guidelines"
    LETTER = "letter"
    STATEMENT = "statement"
    OTHER = "other"


class WallOrder(enum.StrEnum):
    """Who leads the logo wall and the endorser list's organizations."""

    # Groups run by and for people who use drugs, then founding organizations, then others.
    BY_AND_FOR_FIRST = "by_and_for_first"
    # Founding organizations, then by-and-for groups, then others.
    FOUNDING_FIRST = "founding_first"
    ALPHABETICAL = "alphabetical"


class Platform(db.Model):
    __tablename__ = "platform"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[PlatformStatus] = mapped_column(
        str_enum(PlatformStatus, "platform_status"), default=PlatformStatus.DRAFT
    )
    version_label: Mapped[str] = mapped_column(String(40), default="1.0")
    released_on: Mapped[date | None] = mapped_column(Date)
    signon_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signon_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Embargo: endorsements are collected, but nothing about them is public before this time.
    launch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    allow_individuals: Mapped[bool] = mapped_column(default=True)
    individuals_need_review: Mapped[bool] = mapped_column(default=True)
    wall_order: Mapped[WallOrder] = mapped_column(
        str_enum(WallOrder, "wall_order"), default=WallOrder.BY_AND_FOR_FIRST
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    texts: Mapped[dict[str, PlatformText]] = relationship(
        collection_class=attribute_keyed_dict("locale"),
        back_populates="platform",
        cascade="all, delete-orphan",
    )
    resources: Mapped[list[Resource]] = relationship(
        back_populates="platform",
        cascade="all, delete-orphan",
        order_by="Resource.position, Resource.id",
    )

    def __repr__(self) -> str:
        return f"<Platform {self.slug} {self.status}>"


class PlatformText(db.Model):
    __tablename__ = "platform_text"
    __table_args__ = (UniqueConstraint("platform_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")

    platform: Mapped[Platform] = relationship(back_populates="texts")

    @property
    def is_complete(self) -> bool:
        return bool(self.title.strip() and self.summary.strip() and self.body.strip())


class Resource(db.Model):
    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind, "resource_kind"))
    url: Mapped[str] = mapped_column(String(2000))
    published_on: Mapped[date | None] = mapped_column(Date)
    title_en: Mapped[str] = mapped_column(String(300), default="")
    title_fr: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)

    platform: Mapped[Platform] = relationship(back_populates="resources")


class PlatformVersion(db.Model):
    """A version of a platform's text that the public has seen, and what changed in it.

    A row is written when a platform is first published and each time its version label
    changes while it is public; the newest row is the current version. The changes summary
    (per language) is what endorsers of an earlier version will be told.
    """

    __tablename__ = "platform_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(40))
    # When this version became the public one.
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changes_en: Mapped[str] = mapped_column(Text, default="")
    changes_fr: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    platform: Mapped[Platform] = relationship()

    def __repr__(self) -> str:
        return f"<PlatformVersion {self.platform_id} {self.label}>"

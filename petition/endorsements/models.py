"""The endorsement record, its consents and its emailed tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime, str_enum, utcnow
from ..extensions import db
from ..platforms.models import Platform


class EndorsementKind(enum.StrEnum):
    ORGANIZATION = "organization"
    INDIVIDUAL = "individual"


class EndorsementStatus(enum.StrEnum):
    UNVERIFIED = "unverified"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    # Approved once, then taken off the public list by a moderator.
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


class OrgType(enum.StrEnum):
    DRUG_USER_GROUP = "drug_user_group"
    HARM_REDUCTION = "harm_reduction"
    LEGAL = "legal_human_rights"
    HEALTH = "health_medical"
    RESEARCH = "research_academic"
    COMMUNITY = "community"
    FAITH = "faith"
    UNION = "union"
    OTHER = "other"


class Province(enum.StrEnum):
    AB = "AB"
    BC = "BC"
    MB = "MB"
    NB = "NB"
    NL = "NL"
    NS = "NS"
    NT = "NT"
    NU = "NU"
    ON = "ON"
    PE = "PE"
    QC = "QC"
    SK = "SK"
    YT = "YT"
    OUTSIDE = "outside"


class DisplayMode(enum.StrEnum):
    """How an individual chose to appear on the public list."""

    FULL_NAME = "full_name"
    FIRST_INITIAL = "first_initial"
    DESCRIPTOR = "descriptor"
    COUNTED_ONLY = "counted_only"


class ConsentPurpose(enum.StrEnum):
    PUBLIC_LISTING = "public_listing"
    AUTHORITY = "authority"
    UPDATES = "updates"


class TokenPurpose(enum.StrEnum):
    CONFIRM = "confirm"
    MANAGE = "manage"


class Endorsement(db.Model):
    __tablename__ = "endorsement"
    __table_args__ = (
        # The database, not the application, decides what is a duplicate sign-on.
        UniqueConstraint("platform_id", "kind", "email_canonical"),
        Index("ix_endorsement_public_list", "platform_id", "status", "kind", "approved_at"),
        Index("ix_endorsement_status_created", "status", "created_at"),
        Index("ix_endorsement_ip_hash", "ip_hash", "created_at"),
        Index("ix_endorsement_name_key", "platform_id", "name_key"),
        Index("ix_endorsement_website_host", "platform_id", "website_host"),
        # The dashboard's sign-ons and confirmations per day: a range over the last 30 days.
        Index("ix_endorsement_created_at", "created_at"),
        Index("ix_endorsement_confirmed_at", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    kind: Mapped[EndorsementKind] = mapped_column(str_enum(EndorsementKind, "endorsement_kind"))
    status: Mapped[EndorsementStatus] = mapped_column(
        str_enum(EndorsementStatus, "endorsement_status"), default=EndorsementStatus.UNVERIFIED
    )
    email: Mapped[str] = mapped_column(String(254))
    email_canonical: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5))
    platform_version: Mapped[str] = mapped_column(String(40))

    # The signer: the contact person for an organization, or the individual.
    name: Mapped[str] = mapped_column(String(120))
    # Contact person's title, or an individual's optional affiliation or title.
    title: Mapped[str] = mapped_column(String(120), default="")
    province: Mapped[Province] = mapped_column(str_enum(Province, "province"))
    city: Mapped[str] = mapped_column(String(100), default="")

    # Organizations only.
    org_name: Mapped[str] = mapped_column(String(200), default="")
    org_name_fr: Mapped[str] = mapped_column(String(200), default="")
    org_type: Mapped[OrgType | None] = mapped_column(str_enum(OrgType, "org_type"))
    website: Mapped[str] = mapped_column(String(300), default="")
    by_and_for: Mapped[bool] = mapped_column(default=False)
    # One of the organizations that launched the platform (set by moderators): leads the wall.
    founding: Mapped[bool] = mapped_column(default=False)
    about_en: Mapped[str] = mapped_column(Text, default="")
    about_fr: Mapped[str] = mapped_column(Text, default="")
    contact_public: Mapped[bool] = mapped_column(default=False)

    # Individuals only.
    display_mode: Mapped[DisplayMode | None] = mapped_column(str_enum(DisplayMode, "display_mode"))
    descriptor: Mapped[str] = mapped_column(String(80), default="")

    # A moderator's override of the public name (spelling, preferred form).
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # Normalized public names (no accents, lower case) for accent-blind search and sorting.
    search_key: Mapped[str] = mapped_column(String(500), default="")
    sort_key_en: Mapped[str] = mapped_column(String(200), default="")
    sort_key_fr: Mapped[str] = mapped_column(String(200), default="")
    # Organizations: name without filler words, and website host, to spot the same group twice.
    name_key: Mapped[str] = mapped_column(String(200), default="")
    website_host: Mapped[str] = mapped_column(String(255), default="")

    # Abuse marks from the sign-on form (honeypot, too_fast, rate_limited), space-separated.
    flags: Mapped[str] = mapped_column(String(200), default="")
    ip_hash: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(20), default="form")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reason: Mapped[str] = mapped_column(String(500), default="")
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_user.id", ondelete="SET NULL")
    )
    # When an imported endorser was emailed to confirm their listing: they are asked only once.
    listing_email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The platform version the signer was last told about, so a notice goes out once.
    notified_version: Mapped[str] = mapped_column(String(40), default="")
    # When the sign-on form was last sent for this address, whatever came of it (flagged,
    # capped, already endorsed...): every sign-on writes its endorsement row, so that none
    # takes less time than another.
    last_signon_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the personal data was removed (retention or erasure); the row stays for the counts.
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    platform: Mapped[Platform] = relationship()
    consents: Mapped[list[Consent]] = relationship(
        back_populates="endorsement", cascade="all, delete-orphan", order_by="Consent.id"
    )
    tokens: Mapped[list[EmailToken]] = relationship(
        back_populates="endorsement", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_organization(self) -> bool:
        return self.kind == EndorsementKind.ORGANIZATION

    @property
    def flag_set(self) -> set[str]:
        return set(self.flags.split())

    def add_flags(self, new: set[str]) -> None:
        self.flags = " ".join(sorted(self.flag_set | new))

    def consent(self, purpose: ConsentPurpose) -> Consent | None:
        """Return the latest consent record for a purpose, withdrawn or not."""
        records = [c for c in self.consents if c.purpose == purpose]
        return records[-1] if records else None

    def has_consent(self, purpose: ConsentPurpose) -> bool:
        record = self.consent(purpose)
        return record is not None and record.withdrawn_at is None

    def email_values(self) -> dict:
        """Return what email templates show of this endorsement, as plain (JSON) values."""
        return {
            "name": self.name,
            "org_name": self.org_name,
            "is_organization": self.is_organization,
            "status": self.status.value,
            "platform_version": self.platform_version,
        }

    # Noted by every sign-on, shown on no public page.
    _PRIVATE_COLUMNS = frozenset({"last_signon_at"})

    def may_change_public_pages(self) -> bool:
        """Say whether flushing this change may change a public page (for the page cache)."""
        state = inspect(self)
        if state.persistent:
            changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
            if changed <= self._PRIVATE_COLUMNS:
                # Every sign-on notes when it came (last_signon_at), approved endorsers' too.
                return False
        if "status" not in state.dict:
            # New: the column default (unverified). Otherwise not loaded: assume the worst.
            return not state.pending
        before = state.attrs.status.history.deleted or ()
        return EndorsementStatus.APPROVED in (state.dict["status"], *before)

    def __repr__(self) -> str:
        return f"<Endorsement {self.id} {self.kind} {self.status}>"


class Consent(db.Model):
    """What the signer agreed to, in the exact words they were shown, and when."""

    # Never shown on a public page: changing it leaves cached pages as they are.
    never_on_public_pages = True
    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    endorsement_id: Mapped[int] = mapped_column(
        ForeignKey("endorsement.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose, "consent_purpose"))
    wording_version: Mapped[str] = mapped_column(String(20))
    wording: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endorsement: Mapped[Endorsement] = relationship(back_populates="consents")


class EmailToken(db.Model):
    """A secret link's token: only its SHA-256 is stored, never the token itself."""

    # Never shown on a public page: changing it leaves cached pages as they are.
    never_on_public_pages = True
    __tablename__ = "email_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    endorsement_id: Mapped[int] = mapped_column(
        ForeignKey("endorsement.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endorsement: Mapped[Endorsement] = relationship(back_populates="tokens")


class CampaignUpdate(db.Model):
    """News a coalition emailed to the endorsers who asked for campaign updates."""

    __tablename__ = "campaign_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), index=True
    )
    # The compose form's one-time key: a double-clicked Send sends once.
    form_key: Mapped[str] = mapped_column(String(64), unique=True)
    subject_en: Mapped[str] = mapped_column(String(200))
    subject_fr: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text)
    body_fr: Mapped[str] = mapped_column(Text)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)

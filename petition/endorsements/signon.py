"""Signing on: one submission becomes an endorsement (new or repeat) and its email.

Every outcome (new, unconfirmed, already endorsed, flagged, over the daily email cap) does the
same work, so no answer's timing says whether an address had signed. Functions flush and never
commit: the view commits once, so an endorsement and the email it causes are written together
or not at all.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from ..db_types import utcnow
from ..extensions import db
from ..outbox.services import queue_email, recent_count
from ..platforms.models import Platform
from ..platforms.services import SignonState, localized, signon_state
from ..screening import ScreeningEntry, record_hit
from ..urls import external_url
from . import consents, naming, tokens
from .models import (
    Consent,
    ConsentPurpose,
    DisplayMode,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
    TokenPurpose,
)


class SignOnClosed(Exception):
    """The platform does not accept endorsements now; `state` says why."""

    def __init__(self, state: SignonState):
        super().__init__(state)
        self.state = state


class IndividualsNotAccepted(Exception):
    """The platform accepts endorsements from organizations only."""


class SignOnOutcome(enum.StrEnum):
    CREATED = "created"
    RESENT_CONFIRMATION = "resent_confirmation"
    ALREADY_ENDORSED = "already_endorsed"
    FLAGGED = "flagged"
    EMAIL_CAPPED = "email_capped"
    # Matched a block list: recorded as blocked, answered like any other, never emailed.
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Submission:
    """What a signer entered, already cleaned and validated by the form."""

    kind: EndorsementKind
    email: str
    name: str
    province: Province
    city: str
    title: str = ""
    org_name: str = ""
    org_name_fr: str = ""
    org_type: OrgType | None = None
    website: str = ""
    by_and_for: bool = False
    about: str = ""
    contact_public: bool = False
    display_mode: DisplayMode | None = None
    descriptor: str = ""
    consent_public: bool = False
    consent_updates: bool = False

    def __post_init__(self):
        # A text field left out of a submission is empty, never None (the columns are NOT
        # NULL): whoever builds a Submission, an omitted optional field means "left blank".
        for field in fields(self):
            if field.default == "" and getattr(self, field.name) is None:
                object.__setattr__(self, field.name, "")

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def canonical_email(email: str) -> str:
    """Return the form of an address used to recognise the same signer twice."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def _find(platform: Platform, kind: EndorsementKind, canonical: str) -> Endorsement | None:
    # Locked (PostgreSQL; SQLite writers are serialized anyway) until the request commits:
    # simultaneous repeats of one sign-on take turns, so each one counts the emails the
    # others queued before deciding to send one, and the per-address cap holds. Its consents
    # come with it, whatever the sign-on then needs (the same queries on every path).
    return db.session.scalar(
        select(Endorsement)
        .options(selectinload(Endorsement.consents))
        .where(
            Endorsement.platform_id == platform.id,
            Endorsement.kind == kind,
            Endorsement.email_canonical == canonical,
        )
        .with_for_update()
    )


def _apply_details(
    endorsement: Endorsement, platform: Platform, submission: Submission, locale: str
) -> None:
    """Copy what a submission says about the signer onto an endorsement."""
    endorsement.email = submission.email
    endorsement.locale = locale
    endorsement.platform_version = platform.version_label
    for name in ("name", "title", "province", "city"):
        setattr(endorsement, name, getattr(submission, name))
    if submission.kind == EndorsementKind.ORGANIZATION:
        for name in ("org_name", "org_name_fr", "org_type", "website", "by_and_for"):
            setattr(endorsement, name, getattr(submission, name))
        endorsement.contact_public = submission.contact_public
        # The description is public text in the signer's language; moderators add the other.
        endorsement.about_en = submission.about if locale == "en" else ""
        endorsement.about_fr = submission.about if locale == "fr" else ""
    else:
        endorsement.display_mode = submission.display_mode
        endorsement.descriptor = submission.descriptor
    naming.refresh_keys(endorsement)


def _consents_offered(submission: Submission, locale: str) -> list[Consent]:
    """Return the consent records a submission gives, in the words the signer saw."""
    given = []
    if submission.kind == EndorsementKind.ORGANIZATION:
        given.append(ConsentPurpose.AUTHORITY)
    if submission.consent_public:
        given.append(ConsentPurpose.PUBLIC_LISTING)
    if submission.consent_updates:
        given.append(ConsentPurpose.UPDATES)
    return [consents.record(submission.kind, purpose, locale) for purpose in given]


def _give_consents(endorsement: Endorsement, offered: list[Consent]) -> None:
    """Record the consents `offered` on an endorsement; withdraw the ones no longer given.

    A consent given again in the same words (wording version and language) stays recorded as
    it was, from when it was first given.
    """
    same_words = {(c.purpose, c.wording_version, c.locale) for c in offered}
    kept = set()
    for record in endorsement.consents:
        if record.withdrawn_at is not None:
            continue
        key = (record.purpose, record.wording_version, record.locale)
        if key in same_words and key not in kept:
            kept.add(key)
        else:
            record.withdrawn_at = utcnow()
    for record in offered:
        if (record.purpose, record.wording_version, record.locale) not in kept:
            endorsement.consents.append(record)


def _insert_if_new(submitted: Endorsement) -> bool:
    """Insert `submitted` unless its address has signed on already; say whether it was new.

    One INSERT ... ON CONFLICT DO NOTHING, whether the address is new or not: the database
    tells which (a simultaneous identical sign-on waits for the first to commit, then finds
    it), and a repeat costs the same statement as a first sign-on.
    """
    table = Endorsement.__table__
    state = sa_inspect(submitted)
    values = {
        column.key: state.dict[column.key]
        for column in sa_inspect(Endorsement).column_attrs
        if column.key in state.dict
    }
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=["platform_id", "kind", "email_canonical"])
        .returning(table.c.id)
    )
    # On the session's connection, not through the ORM: an unconfirmed endorsement is on no
    # public page, so no cached page is forgotten (see page_cache).
    return db.session.connection().execute(statement).first() is not None


def _platform_title(endorsement: Endorsement) -> str:
    return localized(endorsement.platform, "title", endorsement.locale).value


def _email(
    endorsement: Endorsement,
    template: str,
    *,
    withhold: bool = False,
    block: ScreeningEntry | None = None,
    **context,
) -> None:
    """Queue an email to the signer, in their language, about their endorsement.

    A sign-on that a block entry stopped writes no email at all (not even a withheld one):
    the block's record of it takes the email's place, one row for one row.
    """
    if block is not None:
        record_hit(block, endorsement.platform_id)
        return
    queue_email(
        to=endorsement.email_canonical,
        locale=endorsement.locale,
        template=template,
        withhold=withhold,
        context={
            "endorsement": endorsement.email_values(),
            "platform_title": _platform_title(endorsement),
            "platform_url": external_url(
                "platforms.show", lang=endorsement.locale, slug=endorsement.platform.slug
            ),
            **context,
        },
    )


def _over_email_cap(endorsement: Endorsement) -> bool:
    """Say whether the sign-on forms have already sent this address its day's emails."""
    since = utcnow() - timedelta(days=1)
    sent = recent_count(endorsement.email_canonical, since)
    return sent >= current_app.config["EMAILS_PER_ADDRESS_PER_DAY"]


def _send_confirmation(
    endorsement: Endorsement, *, withhold: bool = False, block: ScreeningEntry | None = None
) -> None:
    hours = current_app.config["CONFIRM_TOKEN_HOURS"]
    token = tokens.issue(
        endorsement, TokenPurpose.CONFIRM, timedelta(hours=hours), usable=not withhold
    )
    _email(
        endorsement,
        "endorsements/confirm",
        withhold=withhold,
        block=block,
        confirm_url=external_url("endorsements.confirm", lang=endorsement.locale, token=token),
        expires_hours=hours,
    )


def _send_manage_link(
    endorsement: Endorsement,
    template: str,
    *,
    withhold: bool = False,
    block: ScreeningEntry | None = None,
) -> None:
    token = tokens.issue(endorsement, TokenPurpose.MANAGE, usable=not withhold)
    _email(
        endorsement,
        template,
        withhold=withhold,
        block=block,
        manage_url=external_url("endorsements.manage", lang=endorsement.locale, token=token),
    )


# The outcomes whose email goes out; the others' is written, withheld, and never sent.
_EMAILED = (
    SignOnOutcome.CREATED,
    SignOnOutcome.RESENT_CONFIRMATION,
    SignOnOutcome.ALREADY_ENDORSED,
)


def sign_on(
    platform: Platform,
    submission: Submission,
    *,
    locale: str,
    flags: set[str],
    ip_hash: str,
    block: ScreeningEntry | None = None,
    now: datetime | None = None,
) -> SignOnOutcome:
    """Record a sign-on and queue the email it causes; the caller commits both together.

    Every outcome does the same work, so how long the request takes says neither whether the
    address had signed on before nor whether the sign-on was flagged: what was submitted is
    inserted unless the address is known (one statement either way), the endorsement is
    loaded with its consents and written (its consents, or when it was last signed for), the
    address's emails of the day are counted, and one token and one email are written. The
    email of a flagged sign-on, or of an address that had its day's emails, is withheld:
    written like the others, never sent (its token written as used). Rendering is left to
    the relay. A sign-on that matches a block entry (`block`, with the "blocked" flag) is
    recorded the same way, but its email is not written: the block's hit is, in its place.
    """
    state = signon_state(platform, now)
    if state != SignonState.OPEN:
        raise SignOnClosed(state)
    if submission.kind == EndorsementKind.INDIVIDUAL and not platform.allow_individuals:
        raise IndividualsNotAccepted
    canonical = canonical_email(submission.email)
    signed_at = utcnow()
    # What was submitted, as the endorsement it becomes if the address is new (never added
    # to the session: a repeat leaves it unused).
    submitted = Endorsement(
        platform_id=platform.id,
        kind=submission.kind,
        email_canonical=canonical,
        ip_hash=ip_hash,
        flags=" ".join(sorted(flags)),
        last_signon_at=signed_at,
    )
    _apply_details(submitted, platform, submission, locale)
    offered = _consents_offered(submission, locale)
    created = _insert_if_new(submitted)
    endorsement = _find(platform, submission.kind, canonical)
    if endorsement is None:  # gone between the two statements (a retention run): never seen
        raise RuntimeError("the sign-on's endorsement disappeared")
    # Counted on every path (flagged ones too), under the endorsement's lock: see _find.
    capped = _over_email_cap(endorsement)
    if created:
        _give_consents(endorsement, offered)
        if block is not None:
            outcome = SignOnOutcome.BLOCKED
        elif flags:
            outcome = SignOnOutcome.FLAGGED
        elif capped:
            outcome = SignOnOutcome.EMAIL_CAPPED
        else:
            outcome = SignOnOutcome.CREATED
    else:
        endorsement.last_signon_at = signed_at
        outcome = _repeat(
            endorsement,
            submission,
            offered,
            locale=locale,
            flags=flags,
            ip_hash=ip_hash,
            capped=capped,
        )
        if block is not None:
            outcome = SignOnOutcome.BLOCKED
    withhold = outcome not in _EMAILED
    if endorsement.status in (EndorsementStatus.UNVERIFIED, EndorsementStatus.WITHDRAWN):
        _send_confirmation(endorsement, withhold=withhold, block=block)
    else:
        _send_manage_link(
            endorsement, "endorsements/already_endorsed", withhold=withhold, block=block
        )
    return outcome


def _repeat(
    endorsement: Endorsement,
    submission: Submission,
    offered: list[Consent],
    *,
    locale: str,
    flags: set[str],
    ip_hash: str,
    capped: bool,
) -> SignOnOutcome:
    """Handle a second sign-on from the same address without revealing anything on screen."""
    if flags:
        if endorsement.status == EndorsementStatus.UNVERIFIED:
            endorsement.add_flags(flags)
        return SignOnOutcome.FLAGGED
    if capped:
        return SignOnOutcome.EMAIL_CAPPED
    if endorsement.status in (EndorsementStatus.UNVERIFIED, EndorsementStatus.WITHDRAWN):
        # Nothing confirmed stands: the newest details replace the old and a fresh link goes
        # out (the mailbox owner decides by clicking it).
        endorsement.status = EndorsementStatus.UNVERIFIED
        endorsement.ip_hash = ip_hash
        _apply_details(endorsement, endorsement.platform, submission, locale)
        _give_consents(endorsement, offered)
        return SignOnOutcome.RESENT_CONFIRMATION
    endorsement.locale = locale
    return SignOnOutcome.ALREADY_ENDORSED

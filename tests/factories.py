"""Small builders for test data (fictional organizations and people only)."""

from __future__ import annotations

from datetime import date

from petition.extensions import db
from petition.platforms.models import Platform, PlatformStatus, PlatformText, Resource, ResourceKind


def make_platform(
    slug: str = "test-platform",
    status: PlatformStatus = PlatformStatus.PUBLISHED,
    texts: dict[str, dict[str, str]] | None = None,
    **fields,
) -> Platform:
    """Add a platform with texts in both languages unless `texts` says otherwise; flush it."""
    if texts is None:
        texts = {
            "en": {"title": "Test platform", "summary": "A summary.", "body": "1. First point"},
            "fr": {"title": "Plateforme test", "summary": "Un résumé.", "body": "1. Premier point"},
        }
    fields.setdefault("released_on", date(2026, 1, 21))
    platform = Platform(slug=slug, status=status, **fields)
    for locale, values in texts.items():
        platform.texts[locale] = PlatformText(locale=locale, **values)
    db.session.add(platform)
    db.session.flush()
    return platform


def add_resource(platform: Platform, kind=ResourceKind.REPORT, **fields) -> Resource:
    fields.setdefault("url", "https://example.org/report")
    fields.setdefault("title_en", "A report")
    resource = Resource(platform=platform, kind=kind, **fields)
    db.session.add(resource)
    db.session.flush()
    return resource


ADMIN_PASSWORD = "correct horse battery staple"
# Hashing a password takes tens of milliseconds by design: hash each test password once.
_password_hashes: dict[str, str] = {}


def make_admin_user(
    email: str = "admin@example.org",
    password: str = ADMIN_PASSWORD,
    role: str = "admin",
    **fields,
):
    """Add an admin or moderator account (fictional address); flush it."""
    from petition.accounts.models import AdminRole, AdminUser
    from petition.accounts.passwords import hash_password

    if password not in _password_hashes:
        _password_hashes[password] = hash_password(password)
    fields.setdefault("display_name", email.split("@")[0].title())
    user = AdminUser(
        email=email, password_hash=_password_hashes[password], role=AdminRole(role), **fields
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_endorsement(platform: Platform, status: str = "pending_review", **fields):
    """Add an endorsement as if signed and confirmed through the form; flush it."""
    from petition.db_types import utcnow
    from petition.endorsements import consents, naming
    from petition.endorsements.models import (
        ConsentPurpose,
        DisplayMode,
        Endorsement,
        EndorsementKind,
        EndorsementStatus,
        OrgType,
        Province,
    )

    kind = EndorsementKind(fields.pop("kind", "organization"))
    email = fields.pop("email", f"contact{_counter()}@harbour-peers.example")
    values = {
        "name": "Robin Tremblay",
        "province": Province.NS,
        "city": "Halifax",
        "locale": "en",
        "platform_version": platform.version_label,
        "ip_hash": "a" * 64,
    }
    if kind == EndorsementKind.ORGANIZATION:
        values.update(
            org_name="Harbourside Peer Collective",
            org_type=OrgType.DRUG_USER_GROUP,
            website="https://harbour-peers.example",
        )
    else:
        values.update(display_mode=DisplayMode.FULL_NAME)
    now = utcnow()
    values["confirmed_at"] = None if status == "unverified" else now
    values["approved_at"] = now if status == "approved" else None
    values.update(fields)
    endorsement = Endorsement(
        platform=platform,
        kind=kind,
        status=EndorsementStatus(status),
        email=email,
        email_canonical=email.lower(),
        **values,
    )
    purposes = [ConsentPurpose.PUBLIC_LISTING]
    if kind == EndorsementKind.ORGANIZATION:
        purposes.append(ConsentPurpose.AUTHORITY)
    for purpose in purposes:
        endorsement.consents.append(consents.record(kind, purpose, values["locale"]))
    naming.refresh_keys(endorsement)
    db.session.add(endorsement)
    db.session.flush()
    return endorsement


_count = [0]


def _counter() -> int:
    _count[0] += 1
    return _count[0]

"""The versions of a platform the public has seen, and their summaries of changes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ... import audit
from ...audit import Actor
from ...db_types import utcnow
from ...extensions import db
from ..models import Platform, PlatformStatus, PlatformVersion
from .clock import local_midnight
from .rules import PUBLIC_STATUSES, ChangesSummary, EditRefused, _differences


def versions(platform: Platform) -> list[PlatformVersion]:
    """Return the versions the public has seen, newest first (the first is the current one)."""
    return list(
        db.session.scalars(
            select(PlatformVersion)
            .where(PlatformVersion.platform_id == platform.id)
            .order_by(PlatformVersion.published_at.desc(), PlatformVersion.id.desc())
        )
    )


def _record_version(
    platform: Platform,
    old_status: PlatformStatus,
    old_label: str,
    old_release: date | None,
    changes: ChangesSummary,
    actor: Actor,
) -> None:
    if platform.status not in PUBLIC_STATUSES:
        return
    history = versions(platform)
    labels = {version.label for version in history}
    was_public = old_status in PUBLIC_STATUSES
    if was_public and old_label != platform.version_label:
        if old_label not in labels:
            # Public before versions were recorded (or loaded as demo data): note the version
            # it had, dated as well as we know (its release date, else the platform's creation).
            known = local_midnight(old_release) if old_release else platform.created_at
            db.session.add(
                PlatformVersion(
                    platform=platform, label=old_label, published_at=min(known, utcnow())
                )
            )
        version = PlatformVersion(
            platform=platform,
            label=platform.version_label,
            published_at=utcnow(),
            changes_en=changes.en.strip(),
            changes_fr=changes.fr.strip(),
        )
    elif not was_public and platform.version_label not in labels:
        version = PlatformVersion(
            platform=platform, label=platform.version_label, published_at=utcnow()
        )
    else:
        return
    db.session.add(version)
    db.session.flush()
    audit.record(
        "platform.version",
        actor=actor,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
        details={
            "before": {"version_label": old_label if was_public else None},
            "after": {
                "version_label": version.label,
                "changes_en": version.changes_en,
                "changes_fr": version.changes_fr,
            },
        },
    )


def update_version_changes(
    platform: Platform, version: PlatformVersion, changes: ChangesSummary, actor: Actor
) -> bool:
    """Rewrite a version's summary of changes; return whether it changed."""
    if version.platform_id != platform.id:
        raise LookupError(version.id)
    problem = changes.problem()
    if problem:
        raise EditRefused({"changes_en" if not changes.en.strip() else "changes_fr": problem})
    values = {"changes_en": changes.en.strip(), "changes_fr": changes.fr.strip()}
    before, after = _differences(version, values, values)
    if not after:
        return False
    for name, value in values.items():
        setattr(version, name, value)
    audit.record(
        "platform.version_changes",
        actor=actor,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
        details={"version": version.label, "before": before, "after": after},
    )
    db.session.flush()
    return True

"""A platform's address, status, dates and who may sign: checked, then changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ... import audit
from ...audit import Actor
from ...extensions import db
from ...i18n import _l
from ..models import Platform, PlatformStatus
from .rules import (
    PUBLIC_STATUSES,
    SETTINGS_FIELDS,
    SLUG_MAX,
    SLUG_MIN,
    SLUG_PATTERN,
    STATUS_ACTIONS,
    ChangesSummary,
    EditRefused,
    _differences,
    _plain,
)
from .texts import publish_problem
from .versions import _record_version


def slug_problem(slug: str, platform: Platform | None = None):
    """Return why `slug` cannot be used (for `platform`, or a new one), or None."""
    if not (SLUG_MIN <= len(slug) <= SLUG_MAX) or not SLUG_PATTERN.match(slug):
        return _l(
            "Use %(min)d to %(max)d lower-case letters (a to z), digits and single hyphens "
            "between them, like harm-reduction-2027.",
            min=SLUG_MIN,
            max=SLUG_MAX,
        )
    query = select(func.count()).select_from(Platform).where(Platform.slug == slug)
    if platform is not None and platform.id is not None:
        query = query.where(Platform.id != platform.id)
    if db.session.scalar(query):
        return _l("Another platform already uses this address. Choose another one.")
    return None


def settings_problems(platform: Platform | None, values: dict[str, Any]) -> dict[str, Any]:
    """Check new settings against every rule; return field -> message for what is refused."""
    problems: dict[str, Any] = {}
    if "slug" in values:
        problem = slug_problem(values["slug"], platform)
        if problem:
            problems["slug"] = problem
    if not (values.get("version_label") or "").strip():
        problems["version_label"] = _l("Enter a version label, like 1.0.")
    opens, closes = values.get("signon_opens_at"), values.get("signon_closes_at")
    if opens is not None and closes is not None and closes <= opens:
        problems["signon_closes_at"] = _l("Sign-on must close after it opens.")
    status = values.get("status")
    if platform is not None and status in PUBLIC_STATUSES and status != platform.status:
        problem = publish_problem(platform)
        if problem:
            problems["status"] = problem
    return problems


def makes_new_version(platform: Platform, values: dict[str, Any]) -> bool:
    """Say whether these settings give a public platform a new version label."""
    status = values.get("status", platform.status)
    label = values.get("version_label", platform.version_label)
    return (
        platform.status in PUBLIC_STATUSES
        and status in PUBLIC_STATUSES
        and label != platform.version_label
    )


def create_platform(values: dict[str, Any], actor: Actor) -> Platform:
    """Create a draft platform with these settings; its texts are written afterwards."""
    values = {**values, "status": PlatformStatus.DRAFT}
    problems = settings_problems(None, values)
    if problems:
        raise EditRefused(problems)
    platform = Platform(**{name: values[name] for name in SETTINGS_FIELDS if name in values})
    db.session.add(platform)
    db.session.flush()
    audit.record(
        "platform.create",
        actor=actor,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
        details={
            "before": {},
            "after": {name: _plain(getattr(platform, name)) for name in SETTINGS_FIELDS},
        },
    )
    return platform


def changes_problems(
    platform: Platform, values: dict[str, Any], changes: ChangesSummary | None
) -> dict[str, Any]:
    """Check a summary of changes given with new settings; return field -> message."""
    if changes is None or not (changes.en.strip() or changes.fr.strip()):
        return {}
    if not makes_new_version(platform, values):
        return {
            "changes_en": _l(
                "A summary of changes is kept only with a new version label. Change the "
                "version label, or leave the summary empty."
            )
        }
    problem = changes.problem()
    if problem:
        return {"changes_en" if not changes.en.strip() else "changes_fr": problem}
    return {}


def update_settings(
    platform: Platform,
    values: dict[str, Any],
    actor: Actor,
    changes: ChangesSummary | None = None,
) -> bool:
    """Apply new settings to `platform`; return whether anything changed.

    A status change is its own audit event (publish, close, unpublish); a new version label on
    a public platform adds a version, with `changes` as what changed.
    """
    problems = {
        **settings_problems(platform, values),
        **changes_problems(platform, values, changes),
    }
    changes = changes or ChangesSummary()
    if problems:
        raise EditRefused(problems)

    before, after = _differences(platform, values, SETTINGS_FIELDS)
    if not after:
        return False
    old_status, old_label, old_release = (
        platform.status,
        platform.version_label,
        platform.released_on,
    )
    for name in after:
        setattr(platform, name, values[name])
    status_change = "status" in after
    if status_change:
        before.pop("status")
        after.pop("status")
    if after:
        audit.record(
            "platform.edit",
            actor=actor,
            target_type="platform",
            target_id=platform.id,
            platform_id=platform.id,
            details={"before": before, "after": after},
        )
    if status_change:
        audit.record(
            STATUS_ACTIONS[platform.status],
            actor=actor,
            target_type="platform",
            target_id=platform.id,
            platform_id=platform.id,
            details={
                "before": {"status": old_status.value},
                "after": {"status": platform.status.value},
            },
        )
    _record_version(platform, old_status, old_label, old_release, changes, actor)
    db.session.flush()
    return True

"""Rules for changing platforms from the admin area: settings, texts, resources, versions.

Every function checks everything before it changes anything, raises `EditRefused` (naming the
field and saying why, in the admin's language) when a rule says no, records an audit event
for what it did change, and flushes; the view commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from .. import audit
from ..audit import Actor
from ..db_types import utcnow
from ..extensions import db
from ..i18n import _l
from .models import Platform, PlatformStatus, PlatformText, PlatformVersion, Resource, ResourceKind

LOCALES = ("en", "fr")
TEXT_FIELDS = ("title", "summary", "body")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MIN, SLUG_MAX = 3, 80
SETTINGS_FIELDS = (
    "slug",
    "status",
    "version_label",
    "released_on",
    "signon_opens_at",
    "signon_closes_at",
    "launch_at",
    "allow_individuals",
    "individuals_need_review",
)
RESOURCE_FIELDS = ("kind", "url", "published_on", "title_en", "title_fr")
PUBLIC_STATUSES = (PlatformStatus.PUBLISHED, PlatformStatus.CLOSED)

# What each status change is called in the audit log.
STATUS_ACTIONS = {
    PlatformStatus.PUBLISHED: "platform.publish",
    PlatformStatus.CLOSED: "platform.close",
    PlatformStatus.DRAFT: "platform.unpublish",
}

TEXT_NAMES = {
    ("en", "title"): _l("English title"),
    ("en", "summary"): _l("English summary"),
    ("en", "body"): _l("English text"),
    ("fr", "title"): _l("French title"),
    ("fr", "summary"): _l("French summary"),
    ("fr", "body"): _l("French text"),
}


class EditRefused(ValueError):
    """A rule refuses the change; `problems` maps form field names to messages."""

    def __init__(self, problems: dict[str, Any]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class ChangesSummary:
    """What changed in a new version, for endorsers of an earlier one (both languages or none)."""

    en: str = ""
    fr: str = ""

    def problem(self) -> Any | None:
        """Return why this summary is refused, or None."""
        if bool(self.en.strip()) != bool(self.fr.strip()):
            return _l("Write the summary of changes in both languages, or leave both empty.")
        return None


# Times ---------------------------------------------------------------------------------------


def site_zone() -> ZoneInfo:
    """Return the site's time zone (config TIMEZONE)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


class NoSuchLocalTime(ValueError):
    """The clock skips this local time (the spring change to daylight saving time)."""


def local_to_utc(value: datetime) -> datetime:
    """Read a naive wall-clock time in the site's time zone and return it in UTC."""
    zone = site_zone()
    aware = value.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    # A time inside the spring-forward gap comes back as a different wall-clock time.
    if utc.astimezone(zone).replace(tzinfo=None) != value:
        raise NoSuchLocalTime(value.isoformat())
    return utc


def utc_to_local(value: datetime | None) -> datetime | None:
    """Return a stored UTC time as a naive wall-clock time in the site's time zone."""
    if value is None:
        return None
    return value.astimezone(site_zone()).replace(tzinfo=None)


def local_midnight(day: date) -> datetime:
    """Return the start of `day` in the site's time zone, in UTC."""
    return datetime.combine(day, time.min, tzinfo=site_zone()).astimezone(UTC)


# Reading ---------------------------------------------------------------------------------------


def platform_by_slug(slug: str) -> Platform | None:
    """Return the platform with this slug, whatever its status."""
    return db.session.scalar(select(Platform).where(Platform.slug == slug))


def versions(platform: Platform) -> list[PlatformVersion]:
    """Return the versions the public has seen, newest first (the first is the current one)."""
    return list(
        db.session.scalars(
            select(PlatformVersion)
            .where(PlatformVersion.platform_id == platform.id)
            .order_by(PlatformVersion.published_at.desc(), PlatformVersion.id.desc())
        )
    )


def text_value(platform: Platform, locale: str, field: str) -> str:
    """Return one stored text field (empty when the locale has no text yet)."""
    text = platform.texts.get(locale)
    return getattr(text, field) if text is not None else ""


def missing_texts(platform: Platform, texts: dict[str, dict[str, str]] | None = None) -> list:
    """List the texts still missing for publishing (names in the admin's language).

    `texts` (locale -> field -> value) replaces the stored texts where given, so a form can
    check what it is about to save.
    """
    missing = []
    for locale in LOCALES:
        for field in TEXT_FIELDS:
            given = (texts or {}).get(locale, {})
            value = given[field] if field in given else text_value(platform, locale, field)
            if not (value or "").strip():
                missing.append(TEXT_NAMES[(locale, field)])
    return missing


def publish_problem(platform: Platform, texts: dict[str, dict[str, str]] | None = None):
    """Return why `platform` may not be public yet, or None when both languages are complete."""
    missing = missing_texts(platform, texts)
    if not missing:
        return None
    return _l(
        "A platform can only be public once both languages have a title, a summary and a "
        "text. Missing: %(missing)s.",
        missing=", ".join(str(name) for name in missing),
    )


# Settings ---------------------------------------------------------------------------------------


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


def _plain(value: Any) -> Any:
    """Turn a setting into something the audit log can store as JSON."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PlatformStatus | ResourceKind):
        return value.value
    return value


def _differences(obj, values: dict[str, Any], fields) -> tuple[dict, dict]:
    before, after = {}, {}
    for name in fields:
        if name in values and getattr(obj, name) != values[name]:
            before[name] = _plain(getattr(obj, name))
            after[name] = _plain(values[name])
    return before, after


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


# Texts ---------------------------------------------------------------------------------------


def texts_problems(platform: Platform, texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Check new texts; a public platform may not lose a required text."""
    problems: dict[str, Any] = {}
    if platform.status in PUBLIC_STATUSES:
        for locale in LOCALES:
            for field in TEXT_FIELDS:
                value = texts.get(locale, {}).get(field)
                if value is not None and not value.strip():
                    problems[f"{field}_{locale}"] = _l(
                        "A public platform needs this text. To remove it, set the platform "
                        "back to draft first."
                    )
    return problems


def update_texts(platform: Platform, texts: dict[str, dict[str, str]], actor: Actor) -> bool:
    """Save the platform's texts (locale -> title/summary/body); return whether any changed."""
    problems = texts_problems(platform, texts)
    if problems:
        raise EditRefused(problems)
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for locale in LOCALES:
        given = texts.get(locale)
        if not given:
            continue
        text = platform.texts.get(locale)
        for field in TEXT_FIELDS:
            if field not in given:
                continue
            old = getattr(text, field) if text is not None else ""
            if old != given[field]:
                before[f"{field}_{locale}"] = old
                after[f"{field}_{locale}"] = given[field]
                if text is None:
                    text = PlatformText(locale=locale, title="", summary="", body="")
                    platform.texts[locale] = text
                setattr(text, field, given[field])
    if not after:
        return False
    audit.record(
        "platform.texts",
        actor=actor,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
        details={"before": before, "after": after},
    )
    db.session.flush()
    return True


# Resources ---------------------------------------------------------------------------------------


def resource_url_problem(url: str):
    """Return why `url` cannot be a resource's link (only http and https), or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not host
        or "." not in host
        or parts.username
        or parts.password
        or any(char.isspace() for char in url)
    ):
        return _l("Enter a web address that starts with http:// or https://.")
    return None


def resource_problems(values: dict[str, Any]) -> dict[str, Any]:
    """Check a resource's values against the rules; return field -> message."""
    problems: dict[str, Any] = {}
    problem = resource_url_problem(values.get("url") or "")
    if problem:
        problems["url"] = problem
    if not (values.get("title_en") or "").strip() and not (values.get("title_fr") or "").strip():
        problems["title_en"] = _l("Enter a title in at least one language.")
    return problems


def _resource_details(resource: Resource) -> dict:
    return {name: _plain(getattr(resource, name)) for name in RESOURCE_FIELDS}


def _audit_resource(action: str, platform: Platform, resource_id: int, actor, before, after):
    audit.record(
        action,
        actor=actor,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
        details={"resource": resource_id, "before": before, "after": after},
    )


def resource_of(platform: Platform, resource_id: int) -> Resource | None:
    """Return the platform's resource with this id (None for another platform's)."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or resource.platform_id != platform.id:
        return None
    return resource


def add_resource(platform: Platform, values: dict[str, Any], actor: Actor) -> Resource:
    """Add a related resource at the end of the platform's list."""
    problems = resource_problems(values)
    if problems:
        raise EditRefused(problems)
    last = db.session.scalar(
        select(func.max(Resource.position)).where(Resource.platform_id == platform.id)
    )
    resource = Resource(
        platform=platform,
        position=(last + 1) if last is not None else 0,
        kind=values["kind"],
        url=values["url"],
        published_on=values.get("published_on"),
        title_en=values.get("title_en") or "",
        title_fr=values.get("title_fr") or "",
    )
    db.session.add(resource)
    db.session.flush()
    _audit_resource("resource.add", platform, resource.id, actor, {}, _resource_details(resource))
    return resource


def update_resource(
    platform: Platform, resource: Resource, values: dict[str, Any], actor: Actor
) -> bool:
    """Change a resource; return whether anything changed."""
    problems = resource_problems(values)
    if problems:
        raise EditRefused(problems)
    before, after = _differences(resource, values, RESOURCE_FIELDS)
    if not after:
        return False
    for name in after:
        setattr(resource, name, values[name])
    _audit_resource("resource.edit", platform, resource.id, actor, before, after)
    db.session.flush()
    return True


def remove_resource(platform: Platform, resource: Resource, actor: Actor) -> None:
    """Remove a resource from the platform."""
    details = _resource_details(resource)
    resource_id = resource.id
    platform.resources.remove(resource)
    db.session.flush()
    _audit_resource("resource.remove", platform, resource_id, actor, details, {})


def move_resource(platform: Platform, resource: Resource, offset: int, actor: Actor) -> bool:
    """Move a resource up (-1) or down (+1) the list; return whether it moved."""
    ordered = list(platform.resources)
    index = ordered.index(resource)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(ordered):
        return False
    before = [r.id for r in ordered]
    ordered[index], ordered[target] = ordered[target], ordered[index]
    # Renumber the whole list: positions may have gaps or ties from earlier edits.
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()
    db.session.expire(platform, ["resources"])
    _audit_resource(
        "resource.move",
        platform,
        resource.id,
        actor,
        {"order": before},
        {"order": [r.id for r in ordered]},
    )
    return True

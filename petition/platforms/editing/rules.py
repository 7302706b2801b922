"""What every edit shares: the fields, the refusal it raises, the diff it audits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...i18n import _l
from ..models import Platform, PlatformStatus, ResourceKind

LOCALES = ("en", "fr")


TEXT_FIELDS = ("title", "summary", "body")


SLUG_MIN, SLUG_MAX = 3, 80
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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
    "wall_order",
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


def platform_by_slug(slug: str) -> Platform | None:
    """Return the platform with this slug, whatever its status."""
    return db.session.scalar(select(Platform).where(Platform.slug == slug))


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

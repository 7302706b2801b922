"""Rules for changing platforms from the admin area: settings, texts, resources, versions.

Every function checks everything before it changes anything, raises `EditRefused` (naming the
field and saying why, in the admin's language) when a rule says no, records an audit event
for what it did change, and flushes; the view commits.

One module per thing an admin edits: settings.py, texts.py, versions.py, resources.py; what
they share is in rules.py, and the site's clock in clock.py.
"""

from .clock import NoSuchLocalTime, local_midnight, local_to_utc, site_zone, utc_to_local
from .resources import (
    add_resource,
    move_resource,
    remove_resource,
    resource_of,
    resource_problems,
    resource_url_problem,
    update_resource,
)
from .rules import (
    LOCALES,
    PUBLIC_STATUSES,
    RESOURCE_FIELDS,
    SETTINGS_FIELDS,
    TEXT_FIELDS,
    ChangesSummary,
    EditRefused,
    platform_by_slug,
)
from .settings import (
    changes_problems,
    create_platform,
    makes_new_version,
    settings_problems,
    slug_problem,
    update_settings,
)
from .texts import missing_texts, publish_problem, text_value, texts_problems, update_texts
from .versions import update_version_changes, versions

__all__ = [
    "LOCALES",
    "PUBLIC_STATUSES",
    "RESOURCE_FIELDS",
    "SETTINGS_FIELDS",
    "TEXT_FIELDS",
    "ChangesSummary",
    "EditRefused",
    "NoSuchLocalTime",
    "add_resource",
    "changes_problems",
    "create_platform",
    "local_midnight",
    "local_to_utc",
    "makes_new_version",
    "missing_texts",
    "move_resource",
    "platform_by_slug",
    "publish_problem",
    "remove_resource",
    "resource_of",
    "resource_problems",
    "resource_url_problem",
    "settings_problems",
    "site_zone",
    "slug_problem",
    "text_value",
    "texts_problems",
    "update_resource",
    "update_settings",
    "update_texts",
    "update_version_changes",
    "utc_to_local",
    "versions",
]

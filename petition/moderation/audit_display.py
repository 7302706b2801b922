"""An audit event's details as a person reads them: fields and values in the admin's language.

The log keeps codes (`status: pending_review`, `display_mode: descriptor`); this module names
them with each feature's label tables. A code with no label is shown as it is.
"""

from __future__ import annotations

import json

from ..accounts.forms import DIGEST_LABELS, ROLE_LABELS
from ..audit.labels import field_label
from ..endorsements.labels import (
    DISPLAY_MODE_LABELS,
    KIND_LABELS,
    ORG_TYPE_LABELS,
    PROVINCE_LABELS,
    STATUS_LABELS,
)
from ..i18n import _, format_number
from ..outbox.labels import OUTBOX_STATUS_LABELS
from ..platforms.labels import PLATFORM_STATUS_LABELS, RESOURCE_KIND_NAMES
from .labels import IMPORT_OUTCOME_LABELS, LOGIN_FAILURE_REASONS

# Labels for a field's values whatever the event is about...
_VALUES = {
    "org_type": ORG_TYPE_LABELS,
    "province": PROVINCE_LABELS,
    "display_mode": DISPLAY_MODE_LABELS,
    "role": ROLE_LABELS,
    "digest": DIGEST_LABELS,
    "reason": LOGIN_FAILURE_REASONS,
}
# ...and those that depend on it: a platform's status is not an endorsement's.
_VALUES_BY_TARGET = {
    ("endorsement", "status"): STATUS_LABELS,
    ("endorsement", "kind"): KIND_LABELS,
    ("platform", "status"): PLATFORM_STATUS_LABELS,
    ("platform", "kind"): RESOURCE_KIND_NAMES,
    ("outbox_message", "status"): OUTBOX_STATUS_LABELS,
}


def audit_key(key: str) -> str:
    """Return the name of a field (or an import outcome) in an event's details."""
    outcome = next((label for code, label in IMPORT_OUTCOME_LABELS.items() if code == key), None)
    return str(outcome) if outcome is not None else field_label(key)


def audit_value(key: str, value, target_type: str | None = None) -> str:
    """Show one value of an audit event's details as text in the admin's language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, str):
        labels = _VALUES_BY_TARGET.get((target_type, key)) or _VALUES.get(key)
        if labels is not None:
            label = next((text for code, text in labels.items() if code == value), None)
            if label is not None:
                return str(label)
        return value
    return json.dumps(value, ensure_ascii=False)

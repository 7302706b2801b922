"""What every admin page's template can use: navigation, labels, audit values."""

from __future__ import annotations

import json

from ...accounts.access import may_open
from ...audit.labels import ACTOR_KIND_LABELS, action_label, target_type_label
from ...endorsements.labels import CONSENT_LABELS
from ...i18n import _
from ...outbox.labels import OUTBOX_STATUS_LABELS
from ...platforms.labels import PLATFORM_STATUS_LABELS
from ...platforms.models import PlatformStatus
from ..labels import FLAG_LABELS, IMPORT_OUTCOME_LABELS, LOGIN_FAILURE_REASONS
from ..navigation import admin_nav
from .common import bp


@bp.app_context_processor
def admin_shell_helpers():
    return {
        "admin_nav": admin_nav,
        "action_label": action_label,
        "target_type_label": target_type_label,
        "actor_kind_labels": ACTOR_KIND_LABELS,
        "platform_status_labels": PLATFORM_STATUS_LABELS,
        "outbox_status_labels": OUTBOX_STATUS_LABELS,
        "PlatformStatus": PlatformStatus,
        "audit_value": audit_value,
    }


def audit_value(key: str, value) -> str:
    """Show one value of an audit event's details as text."""
    if key == "reason" and value in LOGIN_FAILURE_REASONS:
        return str(LOGIN_FAILURE_REASONS[value])
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return json.dumps(value, ensure_ascii=False)


@bp.app_context_processor
def moderation_labels():
    return {
        "consent_labels": CONSENT_LABELS,
        "flag_labels": FLAG_LABELS,
        "import_outcome_labels": IMPORT_OUTCOME_LABELS,
        "may_open": may_open,
    }

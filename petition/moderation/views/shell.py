"""What every admin page's template can use: navigation, labels, audit values."""

from __future__ import annotations

from ...accounts.access import may_open
from ...audit.labels import ACTOR_KIND_LABELS, action_label, actor_label, target_type_label
from ...endorsements.labels import CONSENT_LABELS
from ...outbox.labels import OUTBOX_STATUS_LABELS
from ...platforms.labels import PLATFORM_STATUS_LABELS
from ...platforms.models import PlatformStatus
from ..audit_display import audit_key, audit_value
from ..labels import FLAG_LABELS, IMPORT_OUTCOME_LABELS
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
        "audit_key": audit_key,
        "audit_actor": lambda event: actor_label(event.actor_kind, event.actor_label),
    }


@bp.app_context_processor
def moderation_labels():
    return {
        "consent_labels": CONSENT_LABELS,
        "flag_labels": FLAG_LABELS,
        "import_outcome_labels": IMPORT_OUTCOME_LABELS,
        "may_open": may_open,
    }

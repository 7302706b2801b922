"""Readable, translated names for audit actions and other codes shown on admin pages.

Add a label here when you record a new action code; codes without one are shown as they are.
"""

from __future__ import annotations

from ..endorsements.importing import FLAG_LABELS as IMPORT_FLAG_LABELS
from ..endorsements.importing import Outcome
from ..endorsements.models import ConsentPurpose, EndorsementKind
from ..i18n import _l
from ..outbox.models import OutboxStatus
from ..platforms.models import PlatformStatus
from .models import ActorKind
from .review import Decision

ACTION_LABELS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "lockout": _l("Account locked after failed logins"),
    "account.create": _l("Account created"),
    "account.role_change": _l("Role changed"),
    "account.deactivate": _l("Account deactivated"),
    "account.reactivate": _l("Account reactivated"),
    "account.password_reset": _l("Password reset"),
    "account.password_change": _l("Own password changed"),
    "account.notifications": _l("Notification setting changed"),
    "endorsement.approve": _l("Endorsement approved"),
    "endorsement.reject": _l("Endorsement rejected"),
    "endorsement.edit": _l("Endorsement edited"),
    "endorsement.hide": _l("Endorsement hidden from the public list"),
    "endorsement.appearance": _l("Signer changed how they appear"),
    "endorsement.stop_updates": _l("Signer stopped campaign updates"),
    "endorsement.reaffirm": _l("Signer reaffirmed the current version"),
    "endorsement.erase": _l("Personal data erased on request"),
    "endorsement.import": _l("Endorsements imported from a file"),
    "endorsement.export": _l("Every endorsement downloaded with contact details (CSV)"),
    "platform.version_notice": _l("Endorsers emailed about a new version"),
    "platform.campaign_update": _l("Campaign update emailed to endorsers who asked for news"),
    "endorsement.confirm_listing": _l("Imported endorser confirmed their listing"),
    "retention.purge": _l("Retention run: old personal data deleted or anonymized"),
    "endorsement.confirm": _l("Endorsement confirmed by email"),
    "endorsement.withdraw": _l("Endorsement withdrawn"),
    "platform.edit": _l("Platform edited"),
    "platform.create": _l("Platform created"),
    "platform.publish": _l("Platform published"),
    "platform.close": _l("Platform closed to sign-on"),
    "platform.unpublish": _l("Platform set back to draft"),
    "platform.texts": _l("Platform texts edited"),
    "platform.version": _l("New platform version recorded"),
    "platform.version_changes": _l("Summary of a version's changes edited"),
    "resource.add": _l("Related resource added"),
    "resource.edit": _l("Related resource edited"),
    "resource.remove": _l("Related resource removed"),
    "resource.move": _l("Related resources reordered"),
    "outbox.retry": _l("Failed email queued again"),
}

ACTOR_KIND_LABELS = {
    ActorKind.ADMIN: _l("Admin"),
    ActorKind.SIGNER: _l("Signer"),
    ActorKind.SYSTEM: _l("System"),
}

# Why a login failed, as recorded in an audit event's details.
LOGIN_FAILURE_REASONS = {
    "unknown_email": _l("no account with this address"),
    "wrong_password": _l("wrong password"),
    "locked": _l("account locked"),
    "inactive": _l("account deactivated"),
}

PLATFORM_STATUS_LABELS = {
    PlatformStatus.DRAFT: _l("Draft"),
    PlatformStatus.PUBLISHED: _l("Published"),
    PlatformStatus.CLOSED: _l("Closed"),
}


def action_label(code: str) -> str:
    """Return the translated name of an action code, or the code itself if it has none."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


DECISION_LABELS = {
    Decision.APPROVE: _l("Approve"),
    Decision.REJECT: _l("Reject"),
    Decision.HIDE: _l("Hide from the public list"),
}

CONSENT_LABELS = {
    ConsentPurpose.PUBLIC_LISTING: _l("Public listing"),
    ConsentPurpose.AUTHORITY: _l("Authorized to endorse for the organization"),
    ConsentPurpose.UPDATES: _l("Campaign updates by email"),
}

# Marks the sign-on form puts on submissions that look automated.
FLAG_LABELS = {
    "honeypot": _l("Filled in the hidden field that only automated forms complete"),
    "too_fast": _l("Submitted faster than a person can fill in the form"),
    "rate_limited": _l("Over the sign-on limit for one network"),
    **IMPORT_FLAG_LABELS,
}

IMPORT_OUTCOME_LABELS = {
    Outcome.IMPORTED: _l("Imported"),
    Outcome.MERGED: _l("Merged with an earlier row"),
    Outcome.UNCHANGED: _l("Already on the platform"),
    Outcome.REJECTED: _l("Rejected"),
}

OUTBOX_STATUS_LABELS = {
    OutboxStatus.QUEUED: _l("Waiting to be sent"),
    OutboxStatus.SENDING: _l("Being sent"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.WITHHELD: _l("Withheld (flagged or over the daily limit)"),
}

# Column headings for counts of each kind of endorsement.
KIND_PLURAL_LABELS = {
    EndorsementKind.ORGANIZATION: _l("Organizations"),
    EndorsementKind.INDIVIDUAL: _l("Individuals"),
}


# What an audit event is about, as a word in the admin's language.
TARGET_TYPE_LABELS = {
    "endorsement": _l("endorsement"),
    "platform": _l("platform"),
    "admin_user": _l("account"),
    "outbox_message": _l("email"),
}


def target_type_label(code: str) -> str:
    """Return the readable name of an audit target type (the code itself if unknown)."""
    label = TARGET_TYPE_LABELS.get(code)
    return str(label) if label is not None else code

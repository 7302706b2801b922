"""Readable, translated names for audit actions, actors and targets.

Add a label here when you record a new action code; codes without one are shown as they are.
"""

from __future__ import annotations

from ..i18n import _l
from . import ActorKind

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
    "logo.approve": _l("Logo approved"),
    "logo.remove": _l("Logo removed by a moderator"),
    "logo.replace": _l("Logo replaced by a moderator"),
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
    "screening.add": _l("Added to a block or allow list"),
    "screening.remove": _l("Removed from a block or allow list"),
    "endorsement.invalidate": _l("Endorsement invalidated"),
    "endorsement.invalidate_bulk": _l("Endorsements invalidated in bulk"),
}


ACTOR_KIND_LABELS = {
    ActorKind.ADMIN: _l("Admin"),
    ActorKind.SIGNER: _l("Signer"),
    ActorKind.SYSTEM: _l("System"),
}


def action_label(code: str) -> str:
    """Return the translated name of an action code, or the code itself if it has none."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


# What an audit event is about, as a word in the admin's language.
TARGET_TYPE_LABELS = {
    "endorsement": _l("endorsement"),
    "platform": _l("platform"),
    "admin_user": _l("account"),
    "outbox_message": _l("email"),
    "screening_entry": _l("list entry"),
}


def target_type_label(code: str) -> str:
    """Return the readable name of an audit target type (the code itself if unknown)."""
    label = TARGET_TYPE_LABELS.get(code)
    return str(label) if label is not None else code


# Who acted, when it was not an admin: the label the log keeps for a signer or a system job.
ACTOR_LABELS = {
    "signer": _l("Signer (through an emailed link)"),
    "system": _l("System"),
    "retention": _l("Retention run"),
    "unknown": _l("unknown address"),
}


def actor_label(kind: str, label: str) -> str:
    """Return who acted as a person reads it: an admin's address, or a translated word."""
    if kind == ActorKind.ADMIN and label != "unknown":
        return label
    if kind == ActorKind.SIGNER:
        return str(ACTOR_LABELS["signer"])
    found = ACTOR_LABELS.get(label)
    return str(found) if found is not None else str(ACTOR_KIND_LABELS.get(kind, label))


# The fields audit events name in their details, as words in the admin's language. Codes
# without one are shown as they are.
FIELD_LABELS = {
    "status": _l("Status"),
    "reason": _l("Reason"),
    "notified": _l("Signer notified by email"),
    "org_name": _l("Organization name"),
    "org_name_fr": _l("Organization name in French"),
    "org_type": _l("Type of organization"),
    "website": _l("Website"),
    "by_and_for": _l("Run by and for people who use drugs"),
    "about_en": _l("Description (English)"),
    "about_fr": _l("Description (French)"),
    "city": _l("City"),
    "province": _l("Province or territory"),
    "descriptor": _l("Description of the person"),
    "display_name": _l("Name set by a moderator"),
    "display_mode": _l("How they appear"),
    "platform_version": _l("Platform version"),
    "email": _l("Email"),
    "role": _l("Role"),
    "name": _l("Name"),
    "active": _l("Active"),
    "digest": _l("Email about endorsements awaiting review"),
    "minutes": _l("Minutes"),
    "attempts": _l("Attempts"),
    "slug": _l("Address (slug)"),
    "version_label": _l("Version"),
    "version": _l("Version"),
    "released_on": _l("Released on"),
    "signon_opens_at": _l("Sign-on opens"),
    "signon_closes_at": _l("Sign-on closes"),
    "launch_at": _l("List published on"),
    "allow_individuals": _l("Individuals may sign"),
    "individuals_need_review": _l("Individuals need review"),
    "changes_en": _l("Summary of changes (English)"),
    "changes_fr": _l("Summary of changes (French)"),
    "title_en": _l("English title"),
    "title_fr": _l("French title"),
    "summary_en": _l("English summary"),
    "summary_fr": _l("French summary"),
    "body_en": _l("English text"),
    "body_fr": _l("French text"),
    "resource": _l("Resource no."),
    "kind": _l("Kind"),
    "url": _l("Address (URL)"),
    "published_on": _l("Date"),
    "sent": _l("Emails sent"),
    "update": _l("Update no."),
    "recipients": _l("Recipients"),
    "approved": _l("Approved at once"),
    "template": _l("Kind of email"),
    "last_error": _l("Last error"),
    "unverified_deleted": _l("Unconfirmed sign-ons deleted"),
    "withdrawn_anonymized": _l("Withdrawn endorsements anonymized"),
    "rejected_anonymized": _l("Rejected endorsements anonymized"),
    "messages_deleted": _l("Emails deleted"),
}


def field_label(code: str) -> str:
    """Return the readable name of a field in an audit event's details."""
    label = FIELD_LABELS.get(code)
    return str(label) if label is not None else code

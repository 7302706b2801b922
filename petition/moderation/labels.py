"""Translated names for what only the admin pages show: decisions, bot-trap marks, import
outcomes and login failures. (Each feature's own codes are labelled beside its models.)
"""

from __future__ import annotations

from ..endorsements.importing import FLAG_LABELS as IMPORT_FLAG_LABELS
from ..endorsements.importing import Outcome
from ..endorsements.labels import SIGNON_FLAG_LABELS
from ..i18n import _l
from .review import Decision

# Why a login failed, as recorded in an audit event's details.
LOGIN_FAILURE_REASONS = {
    "unknown_email": _l("no account with this address"),
    "wrong_password": _l("wrong password"),
    "locked": _l("account locked"),
    "inactive": _l("account deactivated"),
}


DECISION_LABELS = {
    Decision.APPROVE: _l("Approve"),
    Decision.REJECT: _l("Reject"),
    Decision.HIDE: _l("Hide from the public list"),
}


# Marks the sign-on form puts on submissions that look automated.
FLAG_LABELS = {**SIGNON_FLAG_LABELS, **IMPORT_FLAG_LABELS}


IMPORT_OUTCOME_LABELS = {
    Outcome.IMPORTED: _l("Imported"),
    Outcome.MERGED: _l("Merged with an earlier row"),
    Outcome.UNCHANGED: _l("Already on the platform"),
    Outcome.REJECTED: _l("Rejected"),
}

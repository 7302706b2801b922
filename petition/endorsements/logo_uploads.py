"""Logos that signers give: while signing on, and later from the manage link."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..logos import services as logos
from ..logos.images import MAX_BYTES, CleanLogo
from ..logos.models import OrganizationLogo
from ..platforms.models import Platform
from .models import Endorsement, EndorsementKind, EndorsementStatus
from .signon import Submission, canonical_email

# A signer may upload a logo while the endorsement is anything but withdrawn or rejected.
MAY_CHANGE_LOGO = (
    EndorsementStatus.UNVERIFIED,
    EndorsementStatus.PENDING_REVIEW,
    EndorsementStatus.APPROVED,
    EndorsementStatus.HIDDEN,
)

# How large a request with a logo may be: a file of up to 2 MB plus the form's other fields.
# A file a little over 2 MB gets the field's own message; a request past this, the 413 page.
UPLOAD_REQUEST_LIMIT = MAX_BYTES + 256 * 1024


def attach_at_signon(platform: Platform, submission: Submission, logo: CleanLogo) -> None:
    """Give a sign-on's logo to its endorsement, if that endorsement awaits confirmation.

    The file is kept whatever the outcome (the same work on every path). An address that
    has confirmed already keeps its logo: a sign-on in its name proves no ownership, the
    manage link does. An unconfirmed one shows nothing to anyone until its owner confirms
    and a moderator approves.
    """
    logos.keep(logo)
    endorsement = db.session.scalar(
        select(Endorsement).where(
            Endorsement.platform_id == platform.id,
            Endorsement.kind == EndorsementKind.ORGANIZATION,
            Endorsement.email_canonical == canonical_email(submission.email),
        )
    )
    if endorsement is not None and endorsement.status == EndorsementStatus.UNVERIFIED:
        logos.submit(endorsement.id, logo)


def may_change_logo(endorsement: Endorsement) -> bool:
    return endorsement.is_organization and endorsement.status in MAY_CHANGE_LOGO


def current_logo(endorsement: Endorsement) -> OrganizationLogo | None:
    return logos.logo_of(endorsement.id) if endorsement.is_organization else None


def replace_logo(endorsement: Endorsement, logo: CleanLogo) -> OrganizationLogo:
    """Give an endorsement a new logo from its manage link: it goes back to review."""
    return logos.submit(endorsement.id, logo)


def remove_logo(endorsement: Endorsement) -> bool:
    """Remove an endorsement's logo at its signer's request; say whether there was one."""
    row = logos.logo_of(endorsement.id)
    if row is None:
        return False
    logos.remove(row)
    return True

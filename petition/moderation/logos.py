"""Moderators and logos: approve with the endorsement, or on their own; remove; replace."""

from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..accounts.models import AdminUser
from ..endorsements.models import Endorsement, EndorsementStatus
from ..extensions import db
from ..logos import services as logos
from ..logos.images import CleanLogo
from ..logos.models import LogoStatus, OrganizationLogo
from ..platforms.models import Platform


def _record(action: str, endorsement: Endorsement, moderator: AdminUser, digest: str) -> None:
    audit.record(
        f"logo.{action}",
        actor=moderator,
        target_type="endorsement",
        target_id=endorsement.id,
        platform_id=endorsement.platform_id,
        details={"logo": digest},
    )


def approve_with(endorsement: Endorsement, moderator: AdminUser) -> None:
    """Approve an endorsement's waiting logo as its endorsement is approved."""
    row = logos.logo_of(endorsement.id)
    if row is not None and row.status == LogoStatus.PENDING:
        logos.approve(row)
        _record("approve", endorsement, moderator, row.digest)


def approve(endorsement: Endorsement, moderator: AdminUser) -> bool:
    """Approve an endorsement's waiting logo; say whether there was one."""
    row = logos.logo_of(endorsement.id)
    if row is None or row.status != LogoStatus.PENDING:
        return False
    logos.approve(row)
    _record("approve", endorsement, moderator, row.digest)
    return True


def remove(endorsement: Endorsement, moderator: AdminUser) -> bool:
    """Remove an endorsement's logo (a moderator's decision); say whether there was one."""
    row = logos.logo_of(endorsement.id)
    if row is None:
        return False
    digest = row.digest
    logos.remove(row)
    _record("remove", endorsement, moderator, digest)
    return True


def replace(endorsement: Endorsement, logo: CleanLogo, moderator: AdminUser) -> None:
    """Give an endorsement a logo a moderator chose: approved at once."""
    logos.submit(endorsement.id, logo, approved=True)
    _record("replace", endorsement, moderator, logo.digest)


def changed_on_listed(platform: Platform) -> list[tuple[Endorsement, OrganizationLogo]]:
    """Return listed organizations whose new logo waits for review, oldest upload first."""
    rows = db.session.execute(
        select(Endorsement, OrganizationLogo)
        .join(OrganizationLogo, OrganizationLogo.endorsement_id == Endorsement.id)
        .where(
            Endorsement.platform_id == platform.id,
            Endorsement.status.in_((EndorsementStatus.APPROVED, EndorsementStatus.HIDDEN)),
            OrganizationLogo.status == LogoStatus.PENDING,
        )
        .order_by(OrganizationLogo.submitted_at, OrganizationLogo.id)
        .limit(100)
    )
    return [(e, logo) for e, logo in rows]


def known(digest: str) -> bool:
    """Say whether any endorsement has (or waits with) the logo of this digest."""
    return (
        db.session.scalar(select(OrganizationLogo.id).where(OrganizationLogo.digest == digest))
        is not None
    )

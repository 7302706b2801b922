"""A small, complete world for the fault tests: a platform, accounts, endorsements with links.

Everything is fictional. Names, emails and IP hashes carry unique markers, so a test can search
any response for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from petition.endorsements import tokens
from petition.endorsements.models import TokenPurpose
from petition.extensions import db
from tests.factories import make_admin_user, make_endorsement, make_platform

SLUG = "harm-reduction-now"
ADMIN = "admin@coalition.example"
MODERATOR = "moderator@coalition.example"
# The account that admin-only forms about "an account" act on, so the logged-in ones survive.
TARGET = "target@coalition.example"


@dataclass
class World:
    slug: str
    admin_id: int
    moderator_id: int
    target_id: int
    # Endorsement ids by label ("pending_org", "approved_individual"...).
    endorsements: dict[str, int] = field(default_factory=dict)
    # Usable links: confirm tokens of unverified endorsements, manage tokens of the others.
    confirm_tokens: dict[str, str] = field(default_factory=dict)
    manage_tokens: dict[str, str] = field(default_factory=dict)

    def url_values(self) -> dict[str, object]:
        """Values for URL rule arguments, taken from this world."""
        return {
            "slug": self.slug,
            "token": next(iter(self.manage_tokens.values())),
            "endorsement_id": self.endorsements["pending_org"],
            "user_id": self.target_id,
            "filename": "css/site.css",
        }


def build_world(app, *, confirm_links: int = 1) -> World:
    """Add the world to the app's (empty) database and commit it."""
    with app.app_context():
        platform = make_platform(SLUG)
        admin = make_admin_user(ADMIN, role="admin")
        moderator = make_admin_user(MODERATOR, role="moderator")
        target = make_admin_user(TARGET, role="moderator")
        world = World(platform.slug, admin.id, moderator.id, target.id)
        rows = {
            "unverified_org": make_endorsement(
                platform, "unverified", email="unverified-org@members.example"
            ),
            "pending_org": make_endorsement(platform, email="pending-org@members.example"),
            "approved_org": make_endorsement(
                platform, "approved", email="approved-org@members.example"
            ),
            "unverified_individual": make_endorsement(
                platform,
                "unverified",
                kind="individual",
                email="unverified-person@members.example",
            ),
            "approved_individual": make_endorsement(
                platform, "approved", kind="individual", email="approved-person@members.example"
            ),
        }
        for label, endorsement in rows.items():
            world.endorsements[label] = endorsement.id
            if endorsement.status == "unverified":
                for n in range(confirm_links):
                    world.confirm_tokens[f"{label}-{n}"] = tokens.issue(
                        endorsement, TokenPurpose.CONFIRM, timedelta(hours=72)
                    )
            else:
                world.manage_tokens[label] = tokens.issue(endorsement, TokenPurpose.MANAGE)
        db.session.commit()
    return world

"""The admin area's navigation: each link appears only if its page exists and the user may use it.

Other capabilities' admin pages appear here by endpoint name: register the blueprint, decorate
the view with `moderator_required` or `admin_required`, and the link shows up.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from ..accounts.access import may_open
from ..i18n import _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    # Other endpoints under the same heading (the link is marked current on those too).
    section: tuple[str, ...] = ()


ADMIN_NAV = (
    NavItem("moderation.queue", _l("Queue")),
    NavItem("platforms_admin.index", _l("Platforms"), ("platforms_admin.",)),
    NavItem("moderation.dashboard", _l("Dashboard")),
    NavItem("abuse_console.console", _l("Abuse"), ("abuse_console.",)),
    NavItem("moderation.audit_log", _l("Audit log")),
    NavItem("accounts.users", _l("Accounts"), ("accounts.user", "accounts.new_user")),
)


def admin_nav() -> list[dict]:
    """Return the navigation links the current admin may follow, marking the current one."""
    endpoint = request.endpoint or ""
    links = []
    for item in ADMIN_NAV:
        if not may_open(item.endpoint):
            continue
        current = endpoint == item.endpoint or any(
            endpoint == other or (other.endswith(".") and endpoint.startswith(other))
            for other in item.section
        )
        links.append({"url": url_for(item.endpoint), "label": item.label, "current": current})
    return links

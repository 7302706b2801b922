"""Who may open which admin page: every `/admin/...` view carries one of these decorators.

    @bp.get("/admin/queue")
    @moderator_required
    def queue(): ...

Anonymous visitors are sent to the login page; a moderator opening an admin-only page gets
403. Each decorator marks the view with `ACCESS_ATTR` ("moderator", "admin" or "public"), so
the navigation shows only links the user may follow and a test can check every admin route.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app

from . import sessions
from .models import AdminRole, AdminUser

ACCESS_ATTR = "admin_access"
PUBLIC, MODERATOR, ADMIN = "public", "moderator", "admin"


def _guard(view, level: str):
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = sessions.current_admin()
        if user is None:
            return sessions.redirect_to_login()
        if not may_use(user, level):
            abort(403)
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, level)
    return wrapper


def moderator_required(view):
    """Let logged-in moderators and admins use a view; send anyone else to the login page."""
    return _guard(view, MODERATOR)


def admin_required(view):
    """Let only logged-in admins use a view: moderators get 403, anonymous visitors the login."""
    return _guard(view, ADMIN)


def login_page(view):
    """Mark an admin-area view that must work without a login (the login page itself)."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def may_use(user: AdminUser | None, level: str) -> bool:
    """Say whether `user` may use views of access `level`."""
    if level == PUBLIC:
        return True
    if user is None or not user.active:
        return False
    return level == MODERATOR or user.role == AdminRole.ADMIN


def access_level(endpoint: str) -> str | None:
    """Return the access level of the view behind `endpoint` (None: no such view, or unmarked)."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None) if view is not None else None


def may_open(endpoint: str) -> bool:
    """Say whether the current admin may open `endpoint` (False if no such page exists)."""
    level = access_level(endpoint)
    return level is not None and may_use(sessions.current_admin(), level)

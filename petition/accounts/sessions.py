"""Admin login sessions: who is logged in, for how long, and in which language.

Flask-Login keeps "<user id>:<session version>" in the signed session cookie; a session whose
version no longer matches the account (after logout or a password change) is anonymous. This
module adds the login time and the last-seen time, and ends sessions that are idle for longer
than ADMIN_IDLE_MINUTES or older than ADMIN_SESSION_HOURS.

Only admin pages call into this module. Public pages never read the session, so they send no
cookie and no `Vary: Cookie`, and a CDN can cache them.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ADMIN_LANGUAGE_HOOK
from ..extensions import db, login_manager
from ..i18n import _
from ..security import whole_number
from .models import AdminUser
from .redirects import safe_admin_next

LOGIN_AT = "admin_login_at"
SEEN_AT = "admin_seen_at"


def init_app(app: Flask) -> None:
    """Bind Flask-Login without its template helper, and mark admin responses never stored."""
    # Not `login_manager.init_app(app)`: it adds a context processor that loads the user and an
    # after-request hook that looks into the session for its remember-me cookie, on every
    # response. Either makes public pages `Vary: Cookie` (uncacheable). Without remember-me
    # cookies neither is needed; admin templates call `current_admin()` instead.
    app.login_manager = login_manager
    # Our own checks (session version, idle and absolute limits) replace Flask-Login's
    # IP/user-agent heuristics, which log people out when a phone changes networks.
    login_manager.session_protection = None

    @app.after_request
    def _admin_pages_are_not_stored(response):
        if request.path == "/admin" or request.path.startswith("/admin/"):
            response.cache_control.no_store = True
            response.cache_control.private = True
        return response

    app.jinja_env.globals["current_admin"] = current_admin
    app.extensions[ADMIN_LANGUAGE_HOOK] = _find_admin_for_error_page


def _find_admin_for_error_page() -> None:
    """Look up the logged-in admin (so their saved language) for an error page, if any."""
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies or "admin_user" in g:
        # No session, no admin: the page must not start reading (and so varying on) cookies.
        return
    try:
        current_admin()
    except SQLAlchemyError:
        # The error may be the database itself: the page is then in the browser's language.
        db.session.rollback()


@login_manager.user_loader
def _load_user(session_id: str) -> AdminUser | None:
    user_id, _sep, version = session_id.partition(":")
    if whole_number(user_id) is None or whole_number(version) is None:
        return None
    user = db.session.get(AdminUser, whole_number(user_id))
    if user is None or not user.active or user.session_version != whole_number(version):
        return None
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    return redirect_to_login()


def start(user: AdminUser) -> None:
    """Log `user` in for this browser: a fresh session with the login and last-seen times."""
    # A new session for a new identity: nothing from before the login is carried over.
    session.clear()
    login_user(user, remember=False)
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    g.ui_lang = str(user.preferred_locale)


def refresh(user: AdminUser) -> None:
    """Keep this browser logged in after `user`'s session version changed (password change)."""
    login_at = session.get(LOGIN_AT)
    login_user(user, remember=False)
    session[LOGIN_AT] = login_at or int(time.time())
    session[SEEN_AT] = int(time.time())


def end() -> None:
    """Forget the login in this browser (other browsers are ended by the session version)."""
    logout_user()
    session.pop(LOGIN_AT, None)
    session.pop(SEEN_AT, None)


def current_admin() -> AdminUser | None:
    """Return the logged-in admin or moderator, ending the session if it is stale or too old."""
    if "admin_user" in g:
        return g.admin_user
    g.admin_user = None
    if not current_user.is_authenticated:
        if "_user_id" in session:
            # A session from before a logout or password change elsewhere: drop it.
            end()
        return None
    now = int(time.time())
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    config = current_app.config
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        end()
        return None
    if now - seen_at > config["ADMIN_IDLE_MINUTES"] * 60:
        end()
        flash(_("You were logged out after a period of inactivity. Please log in again."))
        return None
    if now - login_at > config["ADMIN_SESSION_HOURS"] * 3600:
        end()
        flash(_("Your session has reached its time limit. Please log in again."))
        return None
    session[SEEN_AT] = now
    user = current_user._get_current_object()
    g.ui_lang = str(user.preferred_locale)
    g.admin_user = user
    return user


def redirect_to_login():
    """Send an anonymous visitor to the login page, coming back here afterwards."""
    # Only a page can be come back to: after a form post, start from the dashboard instead.
    target = request.full_path.rstrip("?") if request.method in {"GET", "HEAD"} else None
    return redirect(url_for("accounts.login", next=safe_admin_next(target)))

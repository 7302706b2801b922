"""Logging in to the admin area the way a person does: through the login form."""

from __future__ import annotations

from urllib.parse import quote

from tests.factories import ADMIN_PASSWORD as PASSWORD
from tests.pages import csrf_token


def log_in(client, email: str, password: str = PASSWORD, next: str | None = None):
    """Submit the login form (with its CSRF token) and return the response."""
    url = "/admin/login" + (f"?next={quote(next)}" if next else "")
    page = client.get(url)
    return client.post(
        url, data={"email": email, "password": password, "csrf_token": csrf_token(page)}
    )


def token_for(client) -> str:
    """Return a CSRF token valid for this client's session, taken from an admin page's form."""
    page = client.get("/admin/login")
    if page.status_code == 302:
        # Logged in: the login page sends you on; every admin page has the logout form.
        page = client.get("/admin/")
    return csrf_token(page)

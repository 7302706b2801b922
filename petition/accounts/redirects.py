"""Where to send an admin after login: only back to a page of the admin area on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_admin_next(target: str | None) -> str | None:
    """Return `target` if it is a local /admin path, else None."""
    if not target or len(target) > 2000:
        return None
    # Browsers treat "\" like "/" and ignore tabs and newlines: "/\evil.example" and
    # "//evil.example" both leave the site.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    if parts.path != "/admin" and not parts.path.startswith("/admin/"):
        return None
    # "/admin/../x" would resolve outside the admin area.
    if ".." in parts.path.split("/"):
        return None
    # Coming back to the login or logout page would be a loop.
    if parts.path.startswith(("/admin/login", "/admin/logout")):
        return None
    return target

"""Translated names for the console's codes."""

from __future__ import annotations

from ..i18n import _l
from ..screening import ScreeningKind, ScreeningList

LIST_LABELS = {
    ScreeningList.BLOCK: _l("Blocked"),
    ScreeningList.ALLOW: _l("Exempt from the sign-on rate limit"),
    ScreeningList.DISPOSABLE_OK: _l("Not a throwaway mail service"),
}

KIND_LABELS = {
    ScreeningKind.DOMAIN: _l("Email domain (and its subdomains)"),
    ScreeningKind.IP: _l("IP fingerprint or address"),
    ScreeningKind.ADDRESS: _l("Exact email address"),
}

KIND_SHORT_LABELS = {
    ScreeningKind.DOMAIN: _l("domain"),
    ScreeningKind.IP: _l("IP fingerprint"),
    ScreeningKind.ADDRESS: _l("address"),
}

"""Screening sign-ons: block and allow lists (email domains, IP fingerprints, addresses) and
disposable email domains.

It sits below the endorsements: the sign-on form asks `screen()` about each submission (one
query, the same on every path) and `is_disposable()` about each address. The admin console
that edits the lists is petition.abuse_console. Raw IP addresses are never stored: an IP entry
holds the keyed hash of an address (petition.security.ip_hash) or a short fingerprint of one.
"""

from .models import ScreeningEntry, ScreeningHit, ScreeningKind, ScreeningList
from .services import (
    FINGERPRINT_LENGTH,
    InvalidEntry,
    Verdict,
    add_entry,
    domain_of,
    fingerprint,
    is_disposable,
    list_entries,
    normalize,
    record_hit,
    remove_entry,
    screen,
)

__all__ = [
    "FINGERPRINT_LENGTH",
    "InvalidEntry",
    "ScreeningEntry",
    "ScreeningHit",
    "ScreeningKind",
    "ScreeningList",
    "Verdict",
    "add_entry",
    "domain_of",
    "fingerprint",
    "is_disposable",
    "list_entries",
    "normalize",
    "record_hit",
    "remove_entry",
    "screen",
]

"""Password rules, hashing and verification for admin accounts.

The rules follow NIST SP 800-63B: a minimum length, a generous maximum, and a refusal of
passwords known to be common (`common-passwords.txt`, see `common-passwords.LICENSE`) or made
from the account's own address; no composition rules, no forced expiry.
"""

from __future__ import annotations

import itertools
import re
import secrets
import string
from functools import cache
from importlib import resources

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..i18n import _l, ngettext
from ..security import password_hasher

MIN_LENGTH = 12
# Long passphrases are welcome; the cap only keeps hashing costs bounded.
MAX_LENGTH = 128
# Stripped from both ends before the list look-up, so "dragon2024!!!!" counts as "dragon".
_PADDING = string.digits + string.punctuation + string.whitespace


class WeakPassword(ValueError):
    """The password breaks a rule; `message` says which, in the current language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords (lowercased)."""
    text = resources.files(__package__).joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line)


def _is_guessable(password: str) -> bool:
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or lowered.strip(_PADDING) in common:
        return True
    # One short unit (or one common word) repeated: "abcabcabcabc", "passwordpassword".
    repeated = re.fullmatch(r"(.+?)\1+", lowered)
    if repeated and (len(repeated.group(1)) < 8 or repeated.group(1) in common):
        return True
    # A run up or down the alphabet or the digits: "abcdefghijkl", "987654321098".
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(lowered)}
    return steps <= {1, -9} or steps <= {-1, 9}


def check_password(password: str, email: str | None = None) -> None:
    """Raise WeakPassword unless `password` may be used for the account at `email`."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            ngettext(
                "Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_LENGTH
            )
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            ngettext(
                "Use at most %(num)d character.", "Use at most %(num)d characters.", MAX_LENGTH
            )
        )
    local_part = (email or "").partition("@")[0].lower()
    if len(local_part) >= 3 and local_part in password.lower():
        raise WeakPassword(
            _l("The password must not contain the part of the email address before the @.")
        )
    if _is_guessable(password):
        raise WeakPassword(
            _l(
                "This password is too common or too easy to guess. A phrase of several "
                "unrelated words is long and easy to remember."
            )
        )


def generate_password() -> str:
    """Return a random password that passes every rule (20 characters, about 120 bits)."""
    while True:
        password = secrets.token_urlsafe(15)
        if not _is_guessable(password):
            return password


def hash_password(password: str) -> str:
    """Return the argon2id hash of `password` with the current parameters."""
    return password_hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return password_hasher.hash(secrets.token_urlsafe(32))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Say whether `password` matches `stored_hash`; with no hash, spend the same time anyway."""
    # Unknown accounts are checked against a throwaway hash made with the same parameters,
    # so a wrong address takes as long to refuse as a wrong password.
    dummy = _dummy_hash()
    try:
        return password_hasher.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Say whether the hash was made with other parameters than the current ones."""
    return password_hasher.check_needs_rehash(stored_hash)

"""Password rules, hashing and verification for admin accounts.

The rules follow NIST SP 800-63B: a minimum length, a generous maximum, and a refusal of
passwords that are easy to guess; no composition rules, no forced expiry. A password is
checked in its NFKC form (so full-width "ｐａｓｓｗｏｒｄ" is "password"), against the shipped list
of common passwords (`common-passwords.txt`, see `common-passwords.LICENSE`), the account's own
address, and zxcvbn's strength estimate, which knows keyboard walks, repeats, sequences,
dates, words and names. A refusal says which of these it was.
"""

from __future__ import annotations

import re
import secrets
import string
import threading
import unicodedata
from functools import cache
from importlib import resources

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from ..i18n import _l, ngettext
from ..security import password_hasher

MIN_LENGTH = 12
# Long passphrases are welcome; the cap only keeps hashing costs bounded.
MAX_LENGTH = 128
# zxcvbn's score from 0 to 4; 3 is "safely unguessable" (about 10^8 guesses or more).
MIN_SCORE = 3
# zxcvbn refuses longer input (its cost grows fast); the first 72 characters of a password
# are at least as hard to guess as their own estimate, and a longer one is harder still.
ESTIMATE_LENGTH = 72
# A local part this long or longer may not appear in the password (shorter ones, such as "jo",
# would refuse too many good passwords; zxcvbn still counts them as guessable words).
LOCAL_PART_MIN = 3
# Stripped from both ends before the list look-up, so "dragon2024!!!!" counts as "dragon".
_PADDING = string.digits + string.punctuation + string.whitespace
_SEPARATORS = re.compile(r"[._+\-]+")
# zxcvbn keeps the user's words in a module-level dictionary while it estimates.
_zxcvbn_lock = threading.Lock()

COMMON = _l(
    "This password is too common or too easy to guess. A phrase of several unrelated words is "
    "long and easy to remember."
)
REASONS = {
    "spatial": _l(
        "This password follows keys that are next to each other on a keyboard (like “qwerty” "
        "or “1qaz2wsx”), which is easy to guess. A phrase of several unrelated words is long "
        "and easy to remember."
    ),
    "repeat": _l(
        "This password repeats the same characters or words (like “aaaa” or “abcabc”), which "
        "is easy to guess. A phrase of several unrelated words is long and easy to remember."
    ),
    "sequence": _l(
        "This password is a run of letters or digits in order (like “abcd” or “9876”), which "
        "is easy to guess. A phrase of several unrelated words is long and easy to remember."
    ),
    "date": _l(
        "This password relies on a date or a year, which is easy to guess. A phrase of several "
        "unrelated words is long and easy to remember."
    ),
    "user_inputs": _l(
        "This password is built from your email address, which is easy to guess. A phrase of "
        "several unrelated words is long and easy to remember."
    ),
    "dictionary": COMMON,
}
REASONS["regex"] = REASONS["date"]  # zxcvbn's only pattern: recent years


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


def _normalized(text: str) -> str:
    """Return `text` as it is compared: NFKC (full-width, ligatures...), case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _own_words(email: str | None) -> list[str]:
    """Return the parts of the account's address a password should not be made of."""
    local, _, domain = _normalized(email or "").partition("@")
    words = [local, _SEPARATORS.sub("", local), *_SEPARATORS.split(local)]
    words += [domain, *domain.split(".")[:-1]]
    return [w for w in dict.fromkeys(words) if w]


def _only_own_words(normalized: str, own: list[str]) -> bool:
    """Say whether every letter of the password comes from the address's own words."""
    rest = normalized
    for word in sorted((w for w in own if len(w) >= LOCAL_PART_MIN), key=len, reverse=True):
        rest = rest.replace(word, " ")
    return rest != normalized and not any(c.isalpha() for c in rest)


def weakness(password: str, email: str | None = None):
    """Return why `password` is easy to guess (a translated message), or None if it is not."""
    normalized = _normalized(password)
    common = common_passwords()
    if normalized in common or normalized.strip(_PADDING) in common:
        return COMMON
    own = _own_words(email)
    if own and _only_own_words(normalized, own):
        return REASONS["user_inputs"]
    with _zxcvbn_lock:
        estimate = zxcvbn(normalized[:ESTIMATE_LENGTH], user_inputs=own)
    if estimate["score"] >= MIN_SCORE:
        return None
    # The reason is the largest guessable part of the password (zxcvbn's "matches").
    matches = [m for m in estimate["sequence"] if m["pattern"] != "bruteforce"]
    if not matches:
        return COMMON
    largest = max(matches, key=lambda m: len(m["token"]))
    if largest.get("dictionary_name") == "user_inputs":
        return REASONS["user_inputs"]
    return REASONS.get(largest["pattern"], COMMON)


def check_password(password: str, email: str | None = None) -> None:
    """Raise WeakPassword unless `password` may be used for the account at `email`."""
    if len(unicodedata.normalize("NFKC", password)) < MIN_LENGTH:
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
    local_part = _normalized(email or "").partition("@")[0]
    normalized = _normalized(password)
    squeezed = _SEPARATORS.sub("", local_part)
    if any(len(part) >= LOCAL_PART_MIN and part in normalized for part in (local_part, squeezed)):
        raise WeakPassword(
            _l("The password must not contain the part of the email address before the @.")
        )
    reason = weakness(password, email)
    if reason is not None:
        raise WeakPassword(reason)


def generate_password() -> str:
    """Return a random password that passes every rule (20 characters, about 120 bits)."""
    while True:
        password = secrets.token_urlsafe(15)
        if weakness(password) is None:
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

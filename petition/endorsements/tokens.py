"""Secret links sent by email: 128-bit random tokens of which only a SHA-256 is stored."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from ..db_types import utcnow
from ..extensions import db
from .models import EmailToken, Endorsement, TokenPurpose

# token_urlsafe(16) gives 22 URL-safe characters; anything else is not one of ours.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22}$")


class TokenProblem(enum.StrEnum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


class TokenError(Exception):
    """A link that cannot be used; `problem` says why, for the page that explains it."""

    def __init__(self, problem: TokenProblem, token: EmailToken | None = None):
        super().__init__(problem)
        self.problem = problem
        self.token = token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    endorsement: Endorsement,
    purpose: TokenPurpose,
    lifetime: timedelta | None = None,
    *,
    usable: bool = True,
) -> str:
    """Create a token for `endorsement` and return it (the only time it exists in clear).

    An unusable token is written as used already: for a link that will never be sent, issued
    so that the request does the same work as one whose link is sent.
    """
    token = secrets.token_urlsafe(16)
    now = utcnow()
    db.session.add(
        EmailToken(
            endorsement=endorsement,
            purpose=purpose,
            token_hash=hash_token(token),
            expires_at=now + lifetime if lifetime is not None else None,
            used_at=None if usable else now,
        )
    )
    return token


def find(token: str, purpose: TokenPurpose, now: datetime | None = None) -> EmailToken:
    """Return the usable token row for `token`, or raise TokenError saying why not."""
    if not _TOKEN_SHAPE.match(token or ""):
        raise TokenError(TokenProblem.INVALID)
    row = db.session.scalar(
        select(EmailToken).where(
            EmailToken.token_hash == hash_token(token), EmailToken.purpose == purpose
        )
    )
    if row is None:
        raise TokenError(TokenProblem.INVALID)
    if row.used_at is not None:
        raise TokenError(TokenProblem.USED, row)
    if row.expires_at is not None and (now or utcnow()) >= row.expires_at:
        raise TokenError(TokenProblem.EXPIRED, row)
    return row

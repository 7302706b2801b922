"""Signals that a sign-on was automated or abusive: honeypot, fill time, per-IP rate, block lists.

A flagged submission looks accepted to whoever sent it (no hints for bots) but is marked,
never emailed, never confirmed and never published.
"""

from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import ratelimit
from ..screening import Verdict

HONEYPOT = "honeypot"
TOO_FAST = "too_fast"
RATE_LIMITED = "rate_limited"
# Matched an admin's block list (petition.screening): recorded, answered alike, never emailed.
BLOCKED = "blocked"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="form-started")


def form_started_token() -> str:
    """Return a signed timestamp to put in a form when it is shown."""
    return _serializer().dumps(int(time.time()))


def seconds_since_started(token: str | None) -> float | None:
    """Return how long ago the form was shown, or None if the stamp is missing or forged."""
    try:
        started = _serializer().loads(token or "", max_age=24 * 3600)
    except BadSignature:
        return None
    return time.time() - float(started)


def over_rate_limit(ip: str) -> bool:
    """Count one sign-on from `ip`; say whether it exceeds SIGNON_RATE_LIMIT."""
    # Counted in the shared store, under the IP's keyed hash (see petition.ratelimit).
    return not ratelimit.allow_signon(ip or "")


def submission_flags(
    *, honeypot: str, started: str | None, ip: str, verdict: Verdict | None = None
) -> set[str]:
    """Return the abuse marks for one submission (an empty set for a person).

    `verdict` is what the block and allow lists say of it: an allowed source (a partner's
    domain, a shared office IP) is not counted against the sign-on rate limit.
    """
    verdict = verdict or Verdict()
    flags = set()
    if verdict.blocked:
        flags.add(BLOCKED)
    if honeypot:
        flags.add(HONEYPOT)
    elapsed = seconds_since_started(started)
    if elapsed is None or elapsed < current_app.config["MIN_FILL_SECONDS"]:
        flags.add(TOO_FAST)
    if not verdict.exempt and over_rate_limit(ip):
        flags.add(RATE_LIMITED)
    return flags

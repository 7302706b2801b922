"""The time a sign-on takes says nothing about the address: new, already endorsed, flagged...

The "check your inbox" page is the same whatever happened, and so must be the time it takes to
get there: otherwise anyone can learn whether an address has endorsed a platform (or signed on
without confirming) by timing a sign-on with it. The request does the same work on every path
(see `sign_on`), and this test measures it.

A benchmark, not a stopwatch: every path is posted ROUNDS times through the real form, the
paths interleaved in a shuffled order each round (so a burst of load on this shared machine,
or the tables growing, falls on all of them alike), after a warm-up; the medians are compared.
It fails when the slowest path's median exceeds the fastest's by more than MAX_RATIO.

Why 1.2: on the code before this test (rendering the email in the request, and writing
nothing at all for a flagged repeat), one run measured new 14.2 ms, unverified 13.8, already
endorsed 11.2, flagged new 10.2, capped and flagged repeats 7.5: a ratio of 1.88, and 1.27
between a new address and an endorsed one alone. Doing the same work on every path brought
the ratio to 1.07-1.11 on SQLite and 1.10 on PostgreSQL, run alone or beside other tests.
1.2 leaves room for that noise, and fails a path that skips (or adds) a write or a render.
"""

from __future__ import annotations

import random
import re
import statistics
import time

import pytest
from sqlalchemy import func, select

from petition.extensions import db
from petition.outbox.models import OutboxMessage, OutboxStatus
from tests.factories import make_endorsement, make_platform
from tests.pages import csrf_token
from tests.signon import ORGANIZATION

pytestmark = pytest.mark.slow

ROUNDS = 200
WARM_UP = 20
MAX_RATIO = 1.2
SLUG = "timing"
PATHS = ("new", "approved", "unverified", "capped", "flagged_new", "flagged_existing")


def _address(path: str, n: int) -> str:
    return f"{path.replace('_', '-')}-{n}@timing.example"


def _existing(app, rounds: int) -> None:
    """Add the endorsements the repeat paths sign on again for, one per round and path."""
    with app.app_context():
        platform = make_platform(SLUG)
        for n in range(rounds):
            make_endorsement(platform, "approved", email=_address("approved", n))
            make_endorsement(platform, "unverified", email=_address("unverified", n))
            make_endorsement(platform, "approved", email=_address("flagged_existing", n))
            capped = make_endorsement(platform, "unverified", email=_address("capped", n))
            # Its one email of the day (EMAILS_PER_ADDRESS_PER_DAY=1) is already out.
            db.session.add(
                OutboxMessage(
                    recipient=capped.email_canonical,
                    locale="en",
                    template="endorsements/confirm",
                    subject="Confirm your endorsement",
                    message_id=f"<capped-{n}@timing.example>",
                    status=OutboxStatus.SENT,
                )
            )
        db.session.commit()


def test_every_sign_on_outcome_takes_the_same_time(make_app):
    app = make_app(SIGNON_RATE_LIMIT="1000000 per hour", EMAILS_PER_ADDRESS_PER_DAY=1)
    total = WARM_UP + ROUNDS
    _existing(app, total)
    client = app.test_client()
    page = client.get(f"/en/p/{SLUG}/sign/organization")
    started = re.search(r'name="started" type="hidden" value="([^"]*)"', page.get_data(True))
    form = {**ORGANIZATION, "csrf_token": csrf_token(page), "started": started.group(1)}
    url = f"/en/p/{SLUG}/sign/organization"

    def post(path: str, n: int) -> int:
        data = {**form, "email": _address(path, n)}
        if path.startswith("flagged"):
            data["homepage"] = "https://spam.example"  # the honeypot
        begin = time.perf_counter_ns()
        response = client.post(url, data=data)
        elapsed = time.perf_counter_ns() - begin
        assert response.status_code == 303, (path, response.status_code)
        assert response.headers["Location"] == f"/en/p/{SLUG}/sign/check-your-inbox"
        return elapsed

    order = random.Random(20261203)
    times: dict[str, list[int]] = {path: [] for path in PATHS}
    for n in range(total):
        paths = list(PATHS)
        order.shuffle(paths)
        for path in paths:
            elapsed = post(path, n)
            if n >= WARM_UP:
                times[path].append(elapsed)

    medians = {path: statistics.median(values) / 1e6 for path, values in times.items()}
    ratio = max(medians.values()) / min(medians.values())
    table = ", ".join(f"{path} {ms:.2f} ms" for path, ms in medians.items())
    print(f"\nsign-on medians over {ROUNDS} rounds: {table}; ratio {ratio:.3f}")
    assert ratio <= MAX_RATIO, f"sign-on time depends on the outcome: {table} (ratio {ratio:.2f})"

    # Each path was the one it is named after: new, approved and unverified emailed, once
    # each; the capped and flagged ones did not.
    with app.app_context():
        queued = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.QUEUED)
        )
    assert queued == total * 3

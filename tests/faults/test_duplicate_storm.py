"""Fifty people (or one impatient person) submit the same sign-on at the same moment.

Against a real gunicorn with several workers and threads: the database must end up with exactly
one endorsement, every submitter sees the same "check your inbox" page, and the address gets a
bounded number of emails (EMAILS_PER_ADDRESS_PER_DAY), however the requests interleave.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from petition.endorsements.models import Endorsement
from petition.extensions import db
from petition.outbox.models import OutboxMessage, OutboxStatus
from petition.outbox.relay import drain
from tests.factories import make_platform
from tests.faults.live import Browser, hidden_value
from tests.signon import ORGANIZATION

pytestmark = pytest.mark.slow

SIGNERS = 50
EMAIL = "storm@harbourside-peers.example"
CAP = 5


def test_fifty_simultaneous_sign_ons_with_one_email(make_app, serve, smtp_server):
    app = make_app(**smtp_server.config, EMAILS_PER_ADDRESS_PER_DAY=CAP)
    with app.app_context():
        slug = make_platform("storm").slug
        db.session.commit()
    server = serve(smtp=smtp_server, workers=2, threads=8, EMAILS_PER_ADDRESS_PER_DAY=str(CAP))

    path = f"/en/p/{slug}/sign/organization"
    # Every client loads the form first, as a browser does (session cookie, CSRF token, start).
    browsers = [Browser(server.port) for _ in range(SIGNERS)]
    forms = []
    for n, browser in enumerate(browsers):
        page = browser.get(path)
        assert page.status == 200
        # The same address, typed in different ways: the database must see one signer.
        email = EMAIL.upper() if n % 3 == 0 else (EMAIL.title() if n % 3 == 1 else EMAIL)
        forms.append(
            {
                **ORGANIZATION,
                "email": email,
                "city": f"Halifax {n}",
                "csrf_token": hidden_value(page.body, "csrf_token"),
                "started": hidden_value(page.body, "started"),
            }
        )
    start = threading.Barrier(SIGNERS)

    def submit(n: int):
        start.wait()
        return browsers[n].post(path, forms[n])

    with ThreadPoolExecutor(SIGNERS) as pool:
        replies = list(pool.map(submit, range(SIGNERS)))

    statuses = sorted({reply.status for reply in replies})
    assert statuses == [303], f"{statuses}\n{server.output()[-3000:]}"
    assert {reply.location for reply in replies} == {f"/en/p/{slug}/sign/check-your-inbox"}

    with app.app_context():
        endorsements = db.session.scalars(
            select(Endorsement).where(Endorsement.email_canonical == EMAIL)
        ).all()
        assert len(endorsements) == 1
        assert db.session.scalar(select(func.count()).select_from(Endorsement)) == 1
        to_send = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient == EMAIL, OutboxMessage.status == OutboxStatus.QUEUED)
        )
        assert 1 <= to_send <= CAP, to_send
        # Every sign-on wrote its email; those past the cap are withheld, never sent.
        total = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == EMAIL)
        )
        assert total == SIGNERS
        drain()
    assert 1 <= len(smtp_server.messages) <= CAP
    assert {str(m["To"]) for m in smtp_server.messages} == {EMAIL}
    assert len(set(smtp_server.message_ids())) == len(smtp_server.messages)

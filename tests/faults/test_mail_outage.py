"""The mail server goes away during a burst of sign-ons, then comes back.

Sign-ons never wait for SMTP (the outbox holds their emails), so every one is stored; once the
server is back every email goes out exactly once; an address the server refuses for good is
marked failed, shown to admins, and not tried again.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from petition.db_types import utcnow
from petition.endorsements.models import Endorsement
from petition.extensions import db
from petition.outbox.models import OutboxMessage, OutboxStatus
from petition.outbox.relay import drain
from petition.outbox.services import failed_messages
from tests.factories import make_admin_user, make_platform
from tests.faults.routes import routes
from tests.faults.state import log_in_directly
from tests.faults.world import ADMIN
from tests.signon import sign

BURST = 12
REFUSED = "nobody@closed-mailbox.example"


def _time_passes(app) -> None:
    """Make every waiting email due now, as if its backoff had run out."""
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.QUEUED)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def _relay(app):
    with app.app_context():
        return drain()


def _outbox(app) -> dict[str, OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        db.session.expunge_all()
    return {row.message_id: row for row in rows}


def test_sign_ons_survive_a_mail_outage_and_every_email_goes_out_once(make_app, smtp_server):
    app = make_app(**smtp_server.config)
    with app.app_context():
        slug = make_platform("outage").slug
        make_admin_user(ADMIN, role="admin")
        db.session.commit()
    client = app.test_client()

    smtp_server.refuse_connections()
    emails = [f"signer{n}@outage-{n % 3}.example" for n in range(BURST)]
    for n, email in enumerate(emails):
        kind = "organization" if n % 2 else "individual"
        response = sign(client, slug, kind, lang="fr" if n % 3 else "en", email=email)
        assert response.status_code == 303, response.status_code
        if n % 4 == 3:
            # The relay keeps trying while the server is down: nothing goes, nothing is lost.
            result = _relay(app)
            assert result.sent == 0
            assert result.failed == 0
            _time_passes(app)

    with app.app_context():
        stored = set(db.session.scalars(select(Endorsement.email_canonical)))
    assert stored == set(emails)
    waiting = _outbox(app)
    assert len(waiting) == BURST
    assert {m.status for m in waiting.values()} == {OutboxStatus.QUEUED}
    tried = [m for m in waiting.values() if m.attempts]
    assert tried
    assert all("ConnectionRefusedError" in m.last_error for m in tried)

    # The server is back, but one mailbox no longer exists.
    smtp_server.reset()
    smtp_server.answer("550 5.1.1 No such mailbox", at="RCPT", recipients={REFUSED})
    assert sign(client, slug, "organization", email=REFUSED).status_code == 303
    _time_passes(app)
    result = _relay(app)
    assert result.sent == BURST
    assert result.failed == 1

    received = smtp_server.message_ids()
    assert len(received) == len(set(received)) == BURST
    outbox = _outbox(app)
    assert set(received) == {i for i, m in outbox.items() if m.status == OutboxStatus.SENT}
    assert {str(m["To"]) for m in smtp_server.messages} == set(emails)

    # The refusal is final: marked failed after one attempt, never tried again.
    [failed] = [m for m in outbox.values() if m.status == OutboxStatus.FAILED]
    assert (failed.recipient, failed.attempts) == (REFUSED, 1)
    assert failed.last_error.startswith("550 5.1.1")
    connections = smtp_server.connections
    for _ in range(3):
        with app.app_context():
            db.session.execute(
                update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(hours=2))
            )
            db.session.commit()
        assert _relay(app).claimed == 0
    assert smtp_server.connections == connections
    assert _outbox(app)[failed.message_id].attempts == 1

    # Admins see it: in the failures list and the `outbox status` command...
    with app.app_context():
        assert [m.message_id for m in failed_messages()] == [failed.message_id]
    status = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert status.exit_code == 0
    assert "failed: 1" in status.output
    assert failed.message_id in status.output
    assert "550 5.1.1 No such mailbox" in status.output
    # ...and on any admin page about the outbox, once there is one.
    log_in_directly(app, client, ADMIN)
    for route in routes(app):
        if route.is_admin and "outbox" in route.rule and "GET" in route.methods:
            if route.arguments:
                continue
            page = client.get(route.url({})).get_data(as_text=True)
            assert failed.message_id in page or REFUSED in page, route.rule

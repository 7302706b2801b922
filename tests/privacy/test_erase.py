"""Erasing one person's data on request: off every public surface, nothing personal left."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from petition.endorsements.models import EmailToken, Endorsement, EndorsementStatus
from petition.endorsements.services import can_approve
from petition.extensions import db
from petition.outbox.models import OutboxMessage
from petition.privacy.services import erase
from tests.pages import csrf_token
from tests.privacy.test_retention import every_stored_text
from tests.signon import ORGANIZATION, link_to, sign

EMAIL = ORGANIZATION["email"]


@pytest.fixture
def approved(app, client, platform, deliver):
    """An organization that signed on, confirmed and was approved; returns its manage link."""
    sign(client, platform)
    [mail] = deliver()
    page = client.get(link_to(mail, "/confirm/"))
    client.post(link_to(mail, "/confirm/"), data={"csrf_token": csrf_token(page)})
    [receipt] = deliver()
    with app.app_context():
        row = db.session.scalar(select(Endorsement))
        row.status = EndorsementStatus.APPROVED
        db.session.commit()
    return link_to(receipt, "/manage/")


def erase_cli(app, *args):
    return app.test_cli_runner().invoke(args=["petition", "erase", *args])


def test_erase_by_email_withdraws_and_leaves_nothing_personal(app, client, approved):
    result = erase_cli(app, "--email", "  Coordination@HARBOURSIDE-peers.example ", "--yes")
    assert result.exit_code == 0, result.output
    with app.app_context():
        row = db.session.scalar(select(Endorsement))
        assert result.output.strip() == (
            f"Erased endorsement {row.id} (organization, platform drug-policy): was approved, "
            "now withdrawn; 2 links and 2 emails deleted."
        )
        assert row.status == EndorsementStatus.WITHDRAWN and row.withdrawn_at is not None
        assert row.anonymized_at is not None and not can_approve(row)
        assert db.session.scalar(select(func.count()).select_from(EmailToken)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    stored = every_stored_text(app)
    for field in ("org_name", "city", "website", "about", "name", "title", "email"):
        assert ORGANIZATION[field] not in stored, field
    assert "harbourside" not in stored.lower()
    # The manage link died with the data.
    assert client.get(approved).status_code == 404


def test_erase_asks_before_it_acts(app, approved):
    result = app.test_cli_runner().invoke(args=["petition", "erase", "--email", EMAIL], input="n\n")
    assert result.exit_code == 1
    assert (
        "Erase the endorsements of coordination@harbourside-peers.example on every platform?"
        in (result.output)
    )
    with app.app_context():
        assert db.session.scalar(select(Endorsement)).status == EndorsementStatus.APPROVED


def test_erase_can_be_limited_to_one_platform(app, approved):
    from tests.factories import make_platform

    with app.app_context():
        make_platform("another")
        db.session.commit()
    result = erase_cli(app, "--email", EMAIL, "--platform", "another", "--yes")
    assert result.output.strip() == "No endorsement uses this address on another."
    with app.app_context():
        assert db.session.scalar(select(Endorsement)).anonymized_at is None


def test_erase_of_an_unknown_address_says_so(app, platform):
    result = erase_cli(app, "--email", "nobody@example.org", "--yes")
    assert result.exit_code == 0
    assert result.output.strip() == "No endorsement uses this address."


@pytest.mark.parametrize(
    ("status", "after"),
    [
        (EndorsementStatus.UNVERIFIED, EndorsementStatus.WITHDRAWN),
        (EndorsementStatus.PENDING_REVIEW, EndorsementStatus.WITHDRAWN),
        (EndorsementStatus.HIDDEN, EndorsementStatus.WITHDRAWN),
        (EndorsementStatus.REJECTED, EndorsementStatus.REJECTED),
    ],
)
def test_erase_service_takes_any_status(app, client, platform, status, after):
    sign(client, platform)
    with app.app_context():
        row = db.session.scalar(select(Endorsement))
        row.status = status
        done = erase(row, actor="test")
        db.session.commit()
        assert (done.previous_status, done.status) == (status, after)
        assert row.email == f"anonymized-{row.id}@invalid" and row.org_name == ""
        # Erasing twice is harmless.
        erase(row, actor="test")
        db.session.commit()

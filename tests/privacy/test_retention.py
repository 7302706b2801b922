"""The retention run: expired unconfirmed sign-ons deleted, old refusals anonymized, counts kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import String, Text, func, select

from petition.db_types import utcnow
from petition.endorsements.models import (
    Consent,
    EmailToken,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
)
from petition.extensions import db
from petition.outbox.models import OutboxMessage
from petition.privacy import retention
from tests.factories import make_platform
from tests.privacy.builders import make_endorsement

S = EndorsementStatus
# Columns an anonymized endorsement keeps: none of them says who someone is.
KEPT_TEXT = {"kind", "status", "province", "org_type", "display_mode", "locale", "source"}
KEPT_TEXT |= {"platform_version"}
PERSONAL = (
    "Sam Fictional-Person",
    "Fictional Harbour",
    "fictif",
    "fictional-harbour.example",
    "Kingston",
    "Coordinator",
    "lived experience",
    "waterfront",
    "ab" * 32,
    "@people.example",
)


@pytest.fixture
def world(app):
    """Endorsements of every kind of age, on two platforms; returns their ids by name."""
    now = utcnow()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    with app.app_context():
        platform = make_platform("drug-policy")
        other = make_platform("other-platform")
        rows = {
            "old_unverified": make_endorsement(
                platform, "a@people.example", S.UNVERIFIED, at=days(8)
            ),
            "new_unverified": make_endorsement(
                platform, "b@people.example", S.UNVERIFIED, at=days(2)
            ),
            "old_withdrawn": make_endorsement(
                platform,
                "c@people.example",
                S.WITHDRAWN,
                at=days(91),
                kind=EndorsementKind.INDIVIDUAL,
            ),
            "old_rejected": make_endorsement(
                platform, "d@people.example", S.REJECTED, at=days(100)
            ),
            "new_withdrawn": make_endorsement(
                platform, "e@people.example", S.WITHDRAWN, at=days(10)
            ),
            "approved": make_endorsement(platform, "f@people.example", S.APPROVED, at=days(400)),
            "hidden": make_endorsement(platform, "g@people.example", S.HIDDEN, at=days(200)),
            # Same address as "approved", elsewhere: its emails must stay for that endorser.
            "shared_unverified": make_endorsement(
                other, "f@people.example", S.UNVERIFIED, at=days(30)
            ),
        }
        db.session.commit()
        return {name: row.id for name, row in rows.items()}


def aggregate(app) -> list[tuple]:
    """What public and admin counts are made of: everything but unconfirmed sign-ons."""
    with app.app_context():
        return db.session.execute(
            select(
                Endorsement.platform_id,
                Endorsement.status,
                Endorsement.kind,
                Endorsement.province,
                Endorsement.org_type,
                Endorsement.by_and_for,
                func.count(),
            )
            .where(Endorsement.status != S.UNVERIFIED)
            .group_by(
                Endorsement.platform_id,
                Endorsement.status,
                Endorsement.kind,
                Endorsement.province,
                Endorsement.org_type,
                Endorsement.by_and_for,
            )
            .order_by(Endorsement.platform_id, Endorsement.status, Endorsement.kind)
        ).all()


def snapshot(app, ids=None) -> list[tuple]:
    with app.app_context():
        rows = []
        for model in (Endorsement, Consent, EmailToken, OutboxMessage):
            table = model.__table__
            query = select(table).order_by(table.c.id)
            if ids is not None and model is Endorsement:
                query = query.where(table.c.id.in_(ids))
            elif ids is not None:
                continue
            rows += [(table.name, *row) for row in db.session.execute(query)]
        return rows


def every_stored_text(app) -> str:
    """Every value of every table, as one text to search for leftovers."""
    with app.app_context():
        values = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                values += [str(v) for v in row]
        return "\n".join(values)


def purge(app, runner_args=()):
    return app.test_cli_runner().invoke(args=["petition", "purge", *runner_args])


def test_dry_run_counts_and_changes_nothing(app, world):
    before = snapshot(app)
    result = purge(app, ["--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Dry run: nothing was changed. A real run would:",
        "  delete 2 unconfirmed endorsements",
        "  anonymize 1 withdrawn endorsements",
        "  anonymize 1 rejected endorsements",
    ]
    assert snapshot(app) == before


def test_purge_deletes_expired_sign_ons_and_anonymizes_old_refusals(app, world):
    counts_before = aggregate(app)
    untouched = [world[k] for k in ("new_unverified", "new_withdrawn", "approved", "hidden")]
    untouched_before = snapshot(app, untouched)

    result = purge(app)
    assert result.exit_code == 0, result.output
    assert "  delete 2 unconfirmed endorsements" in result.output
    assert "  anonymize 1 withdrawn endorsements" in result.output
    assert "  anonymize 1 rejected endorsements" in result.output

    assert aggregate(app) == counts_before
    assert snapshot(app, untouched) == untouched_before
    with app.app_context():
        remaining = set(db.session.scalars(select(Endorsement.id)))
        assert world["old_unverified"] not in remaining
        assert world["shared_unverified"] not in remaining
        gone = [world["old_unverified"], world["shared_unverified"]]
        for model in (Consent, EmailToken):
            assert not db.session.scalar(
                select(func.count()).where(model.endorsement_id.in_(gone))
            ), model
        recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
        # Still used by the approved endorsement: its emails stay.
        assert "f@people.example" in recipients
        assert {"a@people.example", "c@people.example", "d@people.example"}.isdisjoint(recipients)

        for name in ("old_withdrawn", "old_rejected"):
            row = db.session.get(Endorsement, world[name])
            assert row.anonymized_at is not None
            assert row.email == row.email_canonical == f"anonymized-{row.id}@invalid"
            for column in Endorsement.__table__.columns:
                text_column = isinstance(column.type, String | Text)
                if text_column and column.key not in KEPT_TEXT | {"email", "email_canonical"}:
                    assert getattr(row, column.key) == "", (name, column.key)
            assert not row.contact_public
            assert all(c.withdrawn_at is not None for c in row.consents)
            assert not db.session.scalar(
                select(func.count()).where(EmailToken.endorsement_id == row.id)
            )
        withdrawn = db.session.get(Endorsement, world["old_withdrawn"])
        assert (withdrawn.status, withdrawn.kind) == (S.WITHDRAWN, EndorsementKind.INDIVIDUAL)
        assert withdrawn.withdrawn_at is not None and withdrawn.province == "ON"
        rejected = db.session.get(Endorsement, world["old_rejected"])
        assert (rejected.status, rejected.org_type) == (S.REJECTED, "community")

    # The only personal data left belongs to endorsements that are still current.
    stored = every_stored_text(app)
    for address in ("a@", "c@", "d@"):
        assert f"{address}people.example" not in stored


def test_nothing_personal_is_left_of_an_anonymized_endorsement(app):
    with app.app_context():
        platform = make_platform("drug-policy")
        make_endorsement(platform, "x@people.example", S.REJECTED, at=utcnow() - timedelta(days=95))
        db.session.commit()
    purge(app)
    stored = every_stored_text(app)
    for fragment in PERSONAL:
        assert fragment not in stored, fragment


def test_second_run_changes_nothing(app, world):
    purge(app)
    before = snapshot(app)
    result = purge(app)
    assert "  delete 0 unconfirmed endorsements" in result.output
    assert "  anonymize 0 withdrawn endorsements" in result.output
    assert "Done in 0 batches." in result.output
    assert snapshot(app) == before


def test_retention_periods_come_from_the_configuration(make_app, world):
    app = make_app(UNVERIFIED_RETENTION_DAYS=1, ANONYMIZE_AFTER_DAYS=5)
    result = purge(app, ["--dry-run"])
    assert "  delete 3 unconfirmed endorsements" in result.output
    assert "  anonymize 2 withdrawn endorsements" in result.output


def test_an_interrupted_run_keeps_whole_batches_and_the_next_run_finishes(app):
    with app.app_context():
        platform = make_platform("drug-policy")
        for n in range(5):
            make_endorsement(
                platform, f"w{n}@people.example", S.WITHDRAWN, at=utcnow() - timedelta(days=120)
            )
        db.session.commit()

        def stop_after_first_batch(report):
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            retention.purge(batch_size=2, on_batch=stop_after_first_batch)
        db.session.rollback()
        anonymized = select(func.count()).where(Endorsement.anonymized_at.is_not(None))
        assert db.session.scalar(anonymized) == 2

        report = retention.purge(batch_size=2)
        assert (report.withdrawn_anonymized, report.batches) == (3, 2)
        assert db.session.scalar(anonymized) == 5


def test_withheld_emails_go_once_a_day_old(app):
    from petition.outbox.models import OutboxStatus
    from petition.outbox.services import queue_email

    with app.app_context():
        old = queue_email(to="x@people.example", locale="en", template="t", withhold=True)
        old.created_at = utcnow() - timedelta(days=1, minutes=1)
        queue_email(to="x@people.example", locale="en", template="t", withhold=True)
        sent = queue_email(to="x@people.example", locale="en", template="t")
        sent.created_at = utcnow() - timedelta(days=30)
        db.session.commit()
        report = retention.purge()
        assert report.messages_deleted == 1
        left = db.session.execute(select(OutboxMessage.status)).scalars().all()
        assert sorted(left) == [OutboxStatus.QUEUED, OutboxStatus.WITHHELD]

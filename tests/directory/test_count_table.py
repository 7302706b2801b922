"""The count table stays equal to counting the rows, through every change that moves a count."""

from __future__ import annotations

import random

from sqlalchemy import create_engine, func, select, update

from petition.directory import services
from petition.directory.tally import EndorserCount
from petition.endorsements.models import (
    DisplayMode,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
)
from petition.extensions import db
from tests.directory.endorsers import add_endorsement
from tests.factories import make_platform


def _from_rows(platform) -> dict[tuple, int]:
    listed = (Endorsement.kind == EndorsementKind.ORGANIZATION) | Endorsement.display_mode.in_(
        services.LISTED_MODES
    )
    rows = db.session.execute(
        select(
            Endorsement.kind,
            listed,
            Endorsement.province,
            Endorsement.org_type,
            Endorsement.by_and_for,
            func.count(),
        )
        .where(Endorsement.platform_id == platform.id, Endorsement.status == "approved")
        .group_by(
            Endorsement.kind,
            listed,
            Endorsement.province,
            Endorsement.org_type,
            Endorsement.by_and_for,
        )
    )
    return {
        (kind.value, bool(shown), province.value, org_type.value if org_type else "", bool(bf)): n
        for kind, shown, province, org_type, bf, n in rows
    }


def _from_table(platform) -> dict[tuple, int]:
    rows = db.session.scalars(select(EndorserCount).where(EndorserCount.platform_id == platform.id))
    return {
        (r.kind, bool(r.listed), r.province, r.org_type, bool(r.by_and_for)): r.n
        for r in rows
        if r.n
    }


def test_counts_follow_approvals_edits_withdrawals_deletions_and_rollbacks(app):
    rng = random.Random(12)
    with app.app_context():
        platform = make_platform("counted")
        rows = []
        for n in range(40):
            kind = rng.choice(list(EndorsementKind))
            fields = {"province": rng.choice(list(Province))}
            if kind == EndorsementKind.INDIVIDUAL:
                fields["display_mode"] = rng.choice(list(DisplayMode))
            else:
                fields["org_type"] = rng.choice(list(OrgType))
                fields["by_and_for"] = rng.random() < 0.5
            status = rng.choice([EndorsementStatus.APPROVED, EndorsementStatus.PENDING_REVIEW])
            rows.append(add_endorsement(platform, f"Group {n}", kind=kind, status=status, **fields))
        db.session.commit()
        assert _from_table(platform) == _from_rows(platform)
        for step in range(120):
            row = rng.choice(rows)
            match step % 6:
                case 0:
                    row.status = rng.choice(list(EndorsementStatus))
                case 1:
                    row.province = rng.choice(list(Province))
                case 2 if row.kind == EndorsementKind.INDIVIDUAL:
                    row.display_mode = rng.choice(list(DisplayMode))
                case 3 if row.kind == EndorsementKind.ORGANIZATION:
                    row.org_type = rng.choice(list(OrgType))
                    row.by_and_for = not row.by_and_for
                case 4 if len(rows) > 10:
                    rows.remove(row)
                    db.session.delete(row)
                case _:
                    row.status = EndorsementStatus.APPROVED
            db.session.commit()
            if step % 10 == 9:
                # A change that is rolled back leaves the counts as they were.
                before = _from_table(platform)
                rng.choice(rows).status = EndorsementStatus.WITHDRAWN
                db.session.flush()
                db.session.rollback()
                assert _from_table(platform) == before
                rows = list(db.session.scalars(select(Endorsement)))
            assert _from_table(platform) == _from_rows(platform), step
        totals = services.totals(platform)
        approved = db.session.scalar(
            select(func.count()).where(Endorsement.status == EndorsementStatus.APPROVED)
        )
        assert totals.total == approved


def test_a_page_and_its_counts_come_from_one_snapshot(app, database_url):
    """An approval committed while a list page is being read shows on the next page, not
    half-way: the page, its count and its facets agree."""
    with app.app_context():
        platform = make_platform("snapshot")
        for n in range(3):
            add_endorsement(platform, f"Group {n}")
        waiting = add_endorsement(platform, "Late Group", status=EndorsementStatus.PENDING_REVIEW)
        db.session.commit()
        waiting_id = waiting.id
    with app.test_request_context("/", method="GET"):
        services.one_snapshot()
        from petition.platforms.services import get_public_platform

        platform = get_public_platform("snapshot")
        first = services.list_page(platform, services.Filters(), "en")
        other = create_engine(database_url)
        with other.begin() as conn:
            conn.execute(
                update(Endorsement).where(Endorsement.id == waiting_id).values(status="approved")
            )
        other.dispose()
        again = services.list_page(platform, services.Filters(), "en")
        facets = services.province_counts(platform, services.Filters(), "en")
        assert first.total == again.total == len(again.items) == 3
        assert sum(c.count for c in facets) == services.totals(platform).total == 3
        db.session.rollback()
    with app.app_context():
        from petition.platforms.services import get_public_platform

        platform = get_public_platform("snapshot")
        assert services.list_page(platform, services.Filters(), "en").total == 4

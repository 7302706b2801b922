"""Admins import an earlier sign-on list through the web, and erase a person's data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from petition.audit.models import AuditEvent
from petition.endorsements.models import Endorsement, EndorsementStatus
from petition.extensions import db
from tests.factories import make_admin_user, make_endorsement, make_platform
from tests.logins import log_in, token_for
from tests.pages import csrf_token, text

SAMPLE = Path("/work/shared/samples/form-export-endorsements.csv")
SAMPLE_BYTES = (
    SAMPLE.read_bytes()
    if SAMPLE.exists()
    else (
        Path(__file__).parent.parent / "endorsements" / "form-export-endorsements.csv"
    ).read_bytes()
)


@pytest.fixture
def admin(app, client):
    with app.app_context():
        make_platform("drug-policy")
        make_admin_user("admin@coalition.example")
        make_admin_user("moderator@coalition.example", role="moderator")
        db.session.commit()
    log_in(client, "admin@coalition.example")
    return client


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Endorsement))


def upload(client, data: bytes, action: str, **extra):
    page = client.get("/admin/p/drug-policy/import")
    return client.post(
        "/admin/p/drug-policy/import",
        data={
            "csrf_token": csrf_token(page),
            "action": action,
            "file": (io.BytesIO(data), "export.csv"),
            **extra,
        },
        content_type="multipart/form-data",
    )


def test_check_then_import_the_sample(app, admin):
    checked = upload(admin, SAMPLE_BYTES, "check")
    assert checked.status_code == 200
    page = text(checked)
    assert "Check of the file: nothing was saved" in page
    assert "Not-an-email" not in page
    assert count(app) == 0
    imported = upload(admin, SAMPLE_BYTES, "import")
    assert "Import done" in text(imported)
    assert count(app) == 16
    with app.app_context():
        statuses = set(db.session.scalars(select(Endorsement.status)))
        assert statuses == {EndorsementStatus.PENDING_REVIEW}
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "endorsement.import")
        ).all()
        assert event.details["imported"] == 16 and event.details["rejected"] == 2
    again = text(upload(admin, SAMPLE_BYTES, "import"))
    assert "Already on the platform" in again
    assert count(app) == 16


def test_bad_files_change_nothing(app, admin):
    for data in (b"", b"\xff\xfe\x00garbage\x00\x81", b"just,some\nother,columns\n"):
        response = upload(admin, data, "import")
        assert response.status_code == 422
        assert "Nothing was imported." in text(response) or "Choose a CSV file." in text(response)
    assert count(app) == 0


def test_moderators_cannot_import(app, client, admin):
    client.post("/admin/logout", data={"csrf_token": token_for(client)})
    log_in(client, "moderator@coalition.example")
    assert client.get("/admin/p/drug-policy/import").status_code == 403


def test_erase_from_the_endorsement_page(app, admin):
    with app.app_context():
        from petition.platforms.models import Platform

        platform = db.session.scalar(select(Platform))
        endorsement_id = make_endorsement(platform, status="approved", name="Robin Tremblay").id
        db.session.commit()
    url = f"/admin/p/drug-policy/endorsements/{endorsement_id}"
    page = admin.get(url)
    assert "Erase this person's data" in text(page)
    refused = admin.post(url + "/erase", data={"csrf_token": csrf_token(page)})
    assert "Tick the box to confirm the erasure." in text(admin.get(refused.headers["Location"]))
    admin.post(url + "/erase", data={"csrf_token": csrf_token(page), "confirm": "y"})
    with app.app_context():
        row = db.session.get(Endorsement, endorsement_id)
        assert row.anonymized_at is not None and row.name == ""
        assert row.status == EndorsementStatus.WITHDRAWN
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "endorsement.erase")
            )
            == 1
        )


def test_admin_csv_export_is_audited_and_safe(app, admin):
    with app.app_context():
        from petition.platforms.models import Platform

        platform = db.session.scalar(select(Platform))
        make_endorsement(
            platform, org_name='=HYPERLINK("http://x.example","Click")', city="Montréal"
        )
        db.session.commit()
    response = admin.get("/admin/p/drug-policy/endorsements.csv")
    assert response.status_code == 200
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    content = body.decode("utf-8-sig")
    assert "'=HYPERLINK" in content and "Montréal" in content
    assert "@harbour-peers.example" in content
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "endorsement.export")
            )
            == 1
        )

"""Endorsers of an earlier version are told what changed and may reaffirm or withdraw."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from petition.audit.models import AuditEvent
from petition.endorsements.models import Endorsement
from petition.extensions import db
from petition.platforms.models import Platform, PlatformVersion
from tests.factories import make_admin_user, make_endorsement
from tests.logins import log_in
from tests.pages import csrf_token, text
from tests.signon import link_to


@pytest.fixture
def versions(app, platform):
    """Endorsers of version 1.0 (one French, one withdrawn, one erased); version 2.0 published."""
    from petition.db_types import utcnow

    with app.app_context():
        row = db.session.scalar(select(Platform).where(Platform.slug == platform))
        make_admin_user("admin@coalition.example")
        make_endorsement(
            row, status="approved", org_name="Harbour Light", email="a@harbour.example"
        )
        make_endorsement(
            row,
            status="pending_review",
            locale="fr",
            org_name="Réseau Nord",
            email="b@nord.example",
        )
        make_endorsement(row, status="withdrawn", email="c@gone.example")
        make_endorsement(row, status="approved", email="d@erased.example", anonymized_at=utcnow())
        row.version_label = "2.0"
        version = PlatformVersion(
            platform=row,
            label="2.0",
            published_at=utcnow(),
            changes_en="Recommendation 3 now covers necessity sharing.",
            changes_fr="La recommandation 3 couvre maintenant le partage de nécessité.",
        )
        db.session.add(version)
        db.session.commit()
        return version.id


def notify(client, platform, version_id):
    page = client.get(f"/admin/platforms/{platform}/versions")
    assert "2 endorsers of an earlier version have not been told" in text(page)
    return client.post(
        f"/admin/platforms/{platform}/versions/{version_id}/notify",
        data={"csrf_token": csrf_token(page)},
    )


def test_notice_goes_once_to_each_endorser_in_their_language(
    app, client, platform, versions, deliver
):
    log_in(client, "admin@coalition.example")
    response = notify(client, platform, versions)
    assert "2 endorsers will be emailed" in text(client.get(response.headers["Location"]))
    mails = {m["To"]: m for m in deliver()}
    assert set(mails) == {"a@harbour.example", "b@nord.example"}
    french = mails["b@nord.example"]
    assert french["Subject"] == "«\u00a0Plateforme test\u00a0» a une nouvelle version\u00a0: 2.0"
    body = french.get_body(("plain",)).get_content()
    assert "partage de nécessité" in body and "/fr/manage/" in body
    # Nobody is told twice.
    assert "have not been told" not in text(client.get(f"/admin/platforms/{platform}/versions"))
    with app.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "platform.version_notice")
        ).all()
        assert event.details == {"version": "2.0", "sent": 2}

    # The link lets the signer endorse the new version.
    manage = client.get(link_to(mails["a@harbour.example"], "/manage/"))
    assert "You endorsed version 1.0. The current version is 2.0." in text(manage)
    client.post(
        link_to(mails["a@harbour.example"], "/manage/") + "/reaffirm",
        data={"csrf_token": csrf_token(manage)},
    )
    with app.app_context():
        row = db.session.scalar(select(Endorsement).where(Endorsement.email == "a@harbour.example"))
        assert row.platform_version == "2.0"


def test_public_list_shows_the_version_endorsed(app, client, platform, versions):
    page = text(client.get(f"/en/p/{platform}/endorsers"))
    assert "Endorsed version 1.0" in page

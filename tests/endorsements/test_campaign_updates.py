"""Admins email news to endorsers who asked for it; each email lets them stop, nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from petition.db_types import utcnow
from petition.endorsements import consents
from petition.endorsements.models import CampaignUpdate, ConsentPurpose, Endorsement
from petition.extensions import db
from petition.platforms.models import Platform
from tests.factories import make_admin_user, make_endorsement
from tests.logins import log_in
from tests.pages import csrf_token, text
from tests.signon import link_to

FORM = {
    "subject_en": "The platform goes to Parliament",
    "subject_fr": "La plateforme va au Parlement",
    "body_en": "We deliver the list on Monday.\n\nThank you for standing with us.",
    "body_fr": "Nous remettons la liste lundi.\n\nMerci de votre appui.",
}


@pytest.fixture
def admin(app, client, platform):
    with app.app_context():
        row = db.session.scalar(select(Platform).where(Platform.slug == platform))
        make_admin_user("admin@coalition.example")
        for email, locale, status, wants in [
            ("yes-en@example.org", "en", "approved", True),
            ("yes-fr@example.org", "fr", "pending_review", True),
            ("no@example.org", "en", "approved", False),
            ("gone@example.org", "en", "withdrawn", True),
        ]:
            e = make_endorsement(row, status=status, email=email, locale=locale)
            if wants:
                e.consents.append(consents.record(e.kind, ConsentPurpose.UPDATES, locale))
                if status == "withdrawn":
                    e.consents[-1].withdrawn_at = utcnow()
        db.session.commit()
    log_in(client, "admin@coalition.example")
    return client


def compose(client, platform, action, **fields):
    page = client.get(f"/admin/platforms/{platform}/updates")
    key = page.get_data(as_text=True).split('name="form_key" type="hidden" value="', 1)[1]
    return client.post(
        f"/admin/platforms/{platform}/updates",
        data={
            "csrf_token": csrf_token(page),
            "form_key": key.split('"', 1)[0],
            "action": action,
            **FORM,
            **fields,
        },
    )


def test_preview_then_send_to_those_who_asked(app, admin, platform, deliver):
    page = text(admin.get(f"/admin/platforms/{platform}/updates"))
    assert "2 endorsers currently want updates." in page
    preview = compose(admin, platform, "preview")
    assert "Nous remettons la liste lundi." in text(preview)
    assert "Send to 2 endorsers" in text(preview)
    assert deliver() == []

    sent = compose(admin, platform, "send")
    assert "on its way to 2 endorsers" in text(admin.get(sent.headers["Location"]))
    mails = {m["To"]: m for m in deliver()}
    assert set(mails) == {"yes-en@example.org", "yes-fr@example.org"}
    assert mails["yes-fr@example.org"]["Subject"] == "La plateforme va au Parlement"
    stop = link_to(mails["yes-en@example.org"], "/manage/")
    manage = admin.get(stop)
    admin.post(stop + "/stop-updates", data={"csrf_token": csrf_token(manage)})
    with app.app_context():
        row = db.session.scalar(
            select(Endorsement).where(Endorsement.email == "yes-en@example.org")
        )
        assert not row.has_consent(ConsentPurpose.UPDATES) and row.status == "approved"
    assert "1 endorser currently wants updates." in text(
        admin.get(f"/admin/platforms/{platform}/updates")
    )


def test_resubmitted_form_sends_once(app, admin, platform, deliver):
    page = admin.get(f"/admin/platforms/{platform}/updates")
    key = page.get_data(as_text=True).split('name="form_key" type="hidden" value="', 1)[1]
    data = {
        "csrf_token": csrf_token(page),
        "form_key": key.split('"', 1)[0],
        "action": "send",
        **FORM,
    }
    admin.post(f"/admin/platforms/{platform}/updates", data=data)
    again = admin.post(f"/admin/platforms/{platform}/updates", data=data)
    assert "already sent" in text(admin.get(again.headers["Location"]))
    assert len(deliver()) == 2
    with app.app_context():
        assert len(db.session.scalars(select(CampaignUpdate)).all()) == 1


def test_missing_french_is_refused(app, admin, platform, deliver):
    response = compose(admin, platform, "send", body_fr="")
    assert response.status_code == 422
    assert "Write the message in French." in text(response)
    assert deliver() == []

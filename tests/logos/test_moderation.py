"""Moderators and logos: seen beside the signals, approved with the endorsement, or alone."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from petition.audit.models import AuditEvent
from petition.endorsements.models import Endorsement
from petition.extensions import db
from petition.logos import services as logos
from petition.logos.images import clean
from petition.logos.models import LogoStatus, OrganizationLogo
from tests.factories import make_admin_user, make_endorsement, make_platform
from tests.logins import log_in, token_for
from tests.logos import samples
from tests.pages import text


@pytest.fixture
def setup(app):
    with app.app_context():
        platform = make_platform("drug-policy")
        make_admin_user("moderator@coalition.example", role="moderator")
        waiting = make_endorsement(platform, org_name="Prairie Peer Network")
        listed = make_endorsement(platform, "approved", org_name="Harbour Light Society")
        first = logos.submit(waiting.id, clean(samples.png()))
        second = logos.submit(listed.id, clean(samples.webp()))
        db.session.commit()
        return {
            "waiting": waiting.id,
            "listed": listed.id,
            "waiting_digest": first.digest,
            "listed_digest": second.digest,
        }


@pytest.fixture
def moderator(client, setup):
    log_in(client, "moderator@coalition.example")
    return client


def logo_status(app, endorsement_id):
    with app.app_context():
        row = db.session.scalar(
            select(OrganizationLogo).where(OrganizationLogo.endorsement_id == endorsement_id)
        )
        return row.status if row else None


def actions(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_the_queue_shows_each_logo_beside_the_signals(moderator, setup):
    page = moderator.get("/admin/queue?platform=drug-policy").get_data(True)
    assert f"/admin/logos/{setup['waiting_digest']}.png" in page
    assert "Logo: waits for review (approved with the endorsement)" in page
    # The listed organization's new logo waits in a section of its own.
    assert "New logos of listed organizations" in page
    assert f"/admin/logos/{setup['listed_digest']}.png" in page


def test_moderators_see_waiting_logos_and_nobody_else_does(app, client, setup):
    path = f"/admin/logos/{setup['waiting_digest']}.png"
    assert client.get(path).status_code == 302  # to the login page
    log_in(client, "moderator@coalition.example")
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    assert client.get("/admin/logos/" + "0" * 64 + ".png").status_code == 404


def test_approving_the_endorsement_approves_its_logo(app, moderator, setup):
    response = moderator.post(
        f"/admin/p/drug-policy/endorsements/{setup['waiting']}/decide",
        data={"csrf_token": token_for(moderator), "decision": "approve", "seen": "pending_review"},
    )
    assert response.status_code == 303
    assert logo_status(app, setup["waiting"]) == LogoStatus.APPROVED
    assert "logo.approve" in actions(app)


def test_rejecting_the_endorsement_leaves_the_logo_unapproved(app, moderator, setup):
    moderator.post(
        f"/admin/p/drug-policy/endorsements/{setup['waiting']}/decide",
        data={"csrf_token": token_for(moderator), "decision": "reject", "seen": "pending_review"},
    )
    assert logo_status(app, setup["waiting"]) == LogoStatus.PENDING


def test_a_changed_logo_is_approved_or_removed_on_its_own(app, moderator, setup):
    base = f"/admin/p/drug-policy/endorsements/{setup['listed']}/logo"
    response = moderator.post(
        base + "/approve", data={"csrf_token": token_for(moderator), "next": "queue"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#logos")
    assert logo_status(app, setup["listed"]) == LogoStatus.APPROVED
    page = text(moderator.get("/admin/queue?platform=drug-policy"))
    assert "New logos of listed organizations" not in page
    moderator.post(base + "/remove", data={"csrf_token": token_for(moderator)})
    assert logo_status(app, setup["listed"]) is None
    assert actions(app)[-2:] == ["logo.approve", "logo.remove"]


def test_a_logo_decision_needs_the_csrf_token(app, moderator, setup):
    base = f"/admin/p/drug-policy/endorsements/{setup['listed']}/logo"
    assert moderator.post(base + "/remove", data={"csrf_token": "forged"}).status_code == 400
    assert logo_status(app, setup["listed"]) == LogoStatus.PENDING


def test_a_moderator_replaces_a_logo_and_it_is_approved_at_once(app, moderator, setup):
    base = f"/admin/p/drug-policy/endorsements/{setup['waiting']}"
    page = moderator.get(base)
    assert 'enctype="multipart/form-data"' in page.get_data(True)
    upload = FileStorage(io.BytesIO(samples.jpeg_with_exif()), filename="new.jpg", name="logo")
    response = moderator.post(
        base + "/logo/replace", data={"csrf_token": token_for(moderator), "logo": upload}
    )
    assert response.status_code == 303
    assert logo_status(app, setup["waiting"]) == LogoStatus.APPROVED
    # A file that is no logo changes nothing and says why.
    bad = FileStorage(io.BytesIO(samples.svg_with_script()), filename="x.svg", name="logo")
    response = moderator.post(
        base + "/logo/replace", data={"csrf_token": token_for(moderator), "logo": bad}
    )
    assert "SVG files cannot be used" in text(moderator.get(response.headers["Location"]))
    assert actions(app).count("logo.replace") == 1


def test_moderators_mark_founding_organizations(app, moderator, setup):
    base = f"/admin/p/drug-policy/endorsements/{setup['listed']}"
    assert "Founding organization of the platform" in text(moderator.get(base))
    with app.app_context():
        row = db.session.get(Endorsement, setup["listed"])
        form = {
            "csrf_token": token_for(moderator),
            "org_name": row.org_name,
            "org_type": row.org_type.value,
            "city": row.city,
            "province": row.province.value,
            "founding": "y",
        }
    assert moderator.post(base + "/edit", data=form).status_code == 303
    with app.app_context():
        assert db.session.get(Endorsement, setup["listed"]).founding is True

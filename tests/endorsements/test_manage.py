"""The signer's own page: see the endorsement, change how one appears, download, withdraw."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from petition.endorsements.models import ConsentPurpose, Endorsement, EndorsementStatus
from petition.extensions import db
from tests.pages import csrf_token, text
from tests.signon import link_to, sign


@pytest.fixture
def manage_path(app, client, platform, deliver):
    """Sign on as an individual (with updates), confirm, and return the emailed manage link."""
    sign(client, platform, kind="individual", consent_updates="y")
    [mail] = deliver()
    page = client.get(link_to(mail, "/confirm/"))
    client.post(link_to(mail, "/confirm/"), data={"csrf_token": csrf_token(page)})
    [receipt] = deliver()
    return link_to(receipt, "/manage/")


def the_endorsement(app) -> Endorsement:
    with app.app_context():
        row = db.session.scalar(select(Endorsement))
        _ = row.consents
        db.session.expunge_all()
        return row


def approve(app):
    with app.app_context():
        row = db.session.scalar(select(Endorsement))
        row.status = EndorsementStatus.APPROVED
        db.session.commit()


def test_manage_page_shows_public_view_without_email(client, manage_path):
    page = text(client.get(manage_path))
    assert "Marie-Ève T." in page
    assert "marie-eve@example.net" not in page
    assert client.get(manage_path).headers["Cache-Control"].startswith("no-store")


def test_change_to_full_name_applies_at_once(app, client, manage_path):
    approve(app)
    page = client.get(manage_path)
    response = client.post(
        manage_path + "/appearance",
        data={"csrf_token": csrf_token(page), "display_mode": "full_name", "descriptor": ""},
    )
    assert response.status_code == 303
    assert "Marie-Ève Tremblay-Côté" in text(client.get(manage_path))
    row = the_endorsement(app)
    assert row.status == EndorsementStatus.APPROVED
    assert row.search_key == "marie eve tremblay cote"


def test_new_description_goes_back_to_review(app, client, manage_path):
    approve(app)
    page = client.get(manage_path)
    client.post(
        manage_path + "/appearance",
        data={
            "csrf_token": csrf_token(page),
            "display_mode": "descriptor",
            "descriptor": "peer worker",
        },
    )
    row = the_endorsement(app)
    assert row.status == EndorsementStatus.PENDING_REVIEW
    assert row.search_key == "peer worker rimouski"


def test_bad_appearance_input_changes_nothing(app, client, manage_path):
    page = client.get(manage_path.replace("/en/", "/fr/"))
    response = client.post(
        manage_path.replace("/en/", "/fr/") + "/appearance",
        data={"csrf_token": csrf_token(page), "display_mode": "descriptor", "descriptor": ""},
    )
    assert response.status_code == 422
    assert "Entrez une courte description" in text(response)
    assert the_endorsement(app).display_mode == "first_initial"


def test_withdraw_asks_first_then_takes_effect_and_emails(app, client, manage_path, deliver):
    approve(app)
    confirm_page = client.get(manage_path + "/withdraw")
    assert "Yes, withdraw my endorsement" in text(confirm_page)
    assert the_endorsement(app).status == EndorsementStatus.APPROVED
    response = client.post(manage_path + "/withdraw", data={"csrf_token": csrf_token(confirm_page)})
    assert response.status_code == 303
    assert "no longer appears anywhere" in text(client.get(manage_path))
    row = the_endorsement(app)
    assert row.status == EndorsementStatus.WITHDRAWN and row.withdrawn_at is not None
    assert not row.has_consent(ConsentPurpose.PUBLIC_LISTING)
    [mail] = deliver()
    assert mail["Subject"] == "Your endorsement of “Test platform” is withdrawn"


def test_withdrawn_signer_can_endorse_again(app, client, platform, manage_path, deliver):
    page = client.get(manage_path + "/withdraw")
    client.post(manage_path + "/withdraw", data={"csrf_token": csrf_token(page)})
    deliver()
    sign(client, platform, kind="individual")
    [mail] = deliver()
    assert "Confirm your endorsement" in mail["Subject"]
    assert the_endorsement(app).status == EndorsementStatus.UNVERIFIED


def test_download_my_data_holds_exactly_my_data(app, client, platform, manage_path):
    sign(client, platform, kind="individual", email="someone-else@example.org", name="Other Person")
    response = client.get(manage_path + "/my-data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    assert data["email"] == "marie-eve@example.net"
    assert data["name"] == "Marie-Ève Tremblay-Côté"
    assert {c["purpose"] for c in data["consents"]} == {"public_listing", "updates"}
    assert "Other Person" not in response.get_data(as_text=True)
    assert "someone-else" not in response.get_data(as_text=True)
    # Named in the page's language.
    assert 'filename="my-endorsement.json"' in response.headers["Content-Disposition"]
    french = client.get(manage_path.replace("/en/", "/fr/", 1) + "/my-data.json")
    assert 'filename="mon-appui.json"' in french.headers["Content-Disposition"]


def test_stop_updates_keeps_endorsement(app, client, manage_path):
    page = client.get(manage_path)
    assert "Stop campaign updates" in text(page)
    client.post(manage_path + "/stop-updates", data={"csrf_token": csrf_token(page)})
    row = the_endorsement(app)
    assert not row.has_consent(ConsentPurpose.UPDATES)
    assert row.status == EndorsementStatus.PENDING_REVIEW


def test_bad_manage_link(client, manage_path):
    page = client.get(manage_path[:-3] + "zzz")
    assert page.status_code == 404
    assert "We do not recognize this link" in text(page)
    assert client.post(manage_path[:-3] + "zzz/withdraw").status_code == 400


def test_reaffirm_the_current_version(app, client, manage_path):
    from petition.platforms.models import Platform

    assert "The platform has been updated" not in text(client.get(manage_path))
    with app.app_context():
        db.session.scalar(select(Platform)).version_label = "2.0"
        db.session.commit()
    page = client.get(manage_path)
    assert "You endorsed version 1.0. The current version is 2.0." in text(page)
    response = client.post(manage_path + "/reaffirm", data={"csrf_token": csrf_token(page)})
    assert "you now endorse version 2.0" in text(client.get(response.headers["Location"]))
    assert the_endorsement(app).platform_version == "2.0"
    again = client.post(manage_path + "/reaffirm", data={"csrf_token": csrf_token(page)})
    assert "already names the current version" in text(client.get(again.headers["Location"]))


def _cookie_and_form(app, path: str) -> tuple[bool, bool]:
    """Visit `path` as a new browser: does it set a cookie, does it show a form?"""
    response = app.test_client().get(path)
    return "Set-Cookie" in response.headers, '<form method="post"' in text(response)


def test_manage_pages_set_a_cookie_only_when_they_show_a_form(app, client, manage_path):
    # While it can be changed, the page has forms (and their CSRF token needs the cookie).
    assert _cookie_and_form(app, manage_path) == (True, True)
    page = client.get(manage_path + "/withdraw")
    client.post(manage_path + "/withdraw", data={"csrf_token": csrf_token(page)})
    # Withdrawn: nothing left to submit, no cookie. Nor for a link that does not work.
    unknown = manage_path.rsplit("/", 1)[0] + "/" + "x" * 22
    for path in (
        manage_path,
        manage_path.replace("/en/", "/fr/"),
        unknown,
        unknown + "/withdraw",
        manage_path + "/my-data.json",
    ):
        assert _cookie_and_form(app, path) == (False, False), path

"""The harness that later journeys rely on: real mail capture, form filling, keyboard helpers."""

from __future__ import annotations

import pytest
from flask_mail import Message

from petition.extensions import mail
from tests.browser.actions import check_by_label, fill_by_label, tab_until
from tests.browser.mailbox import mail_link, text_body


def _send(app, to: str, lang: str, body: str) -> None:
    with app.app_context():
        mail.send(
            Message(
                "Confirm your endorsement",
                recipients=[to],
                body=body,
                extra_headers={"Content-Language": lang},
            )
        )


def test_mail_from_the_live_app_reaches_the_smtp_server(live_server, smtp_server):
    base = live_server.url
    body = f"Read it: https://example.org/about\nConfirm: {base}/fr/confirm/abc123.\n"
    _send(live_server.app, "signer@example.org", "fr", body)

    message = smtp_server.latest(to="signer@example.org")
    assert message["Subject"] == "Confirm your endorsement"
    assert "Confirm:" in text_body(message)
    assert mail_link(smtp_server) == "https://example.org/about"
    assert mail_link(smtp_server, "fr", to="signer@example.org") == f"{base}/fr/confirm/abc123"
    with pytest.raises(AssertionError, match="is in fr, expected en"):
        mail_link(smtp_server, "en")


def test_waiting_for_mail_that_never_comes_says_so(smtp_server):
    with pytest.raises(AssertionError, match="expected 1 email"):
        smtp_server.latest(to="nobody@example.org", timeout=0.2)


def test_following_a_mailed_link_in_the_browser(page, live_server, smtp_server):
    _send(live_server.app, "signer@example.org", "fr", f"Voir {live_server.url}/fr/\n")
    page.goto(mail_link(smtp_server, "fr"))
    assert page.locator("html").get_attribute("lang") == "fr-CA"


def test_form_helpers_use_labels_like_a_person(page):
    page.set_content(
        """<form>
        <label for="name">Organization name</label><input id="name">
        <label for="prov">Province or territory</label>
        <select id="prov"><option value="">-</option><option value="QC">Quebec</option></select>
        <input type="checkbox" id="ok"><label for="ok">I may sign for this organization</label>
        <button>Endorse</button>
        </form>"""
    )
    fill_by_label(page, "Organization name", "Fictional Harm Reduction Collective")
    fill_by_label(page, "Province or territory", "Quebec")
    check_by_label(page, "I may sign for this organization")
    assert page.locator("#name").input_value() == "Fictional Harm Reduction Collective"
    assert page.locator("#prov").input_value() == "QC"
    assert page.locator("#ok").is_checked()

    page.locator("#name").focus()
    assert tab_until(page, "button") == 3
    with pytest.raises(AssertionError, match=r"#nothing not focused after 3 x Tab"):
        tab_until(page, "#nothing", max_tabs=3)

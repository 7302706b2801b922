"""Journey 3: a keyboard user gets the organization form wrong twice, then right.

No mouse: Tab, Shift+Tab, Space, Enter, arrows and typing. Sent empty, then with a bad email
address and a name that is too long, the form comes back with an error summary that takes the
focus, whose links lead to the fields, and with each field's message in the page's language,
tied to its field with aria-describedby (so a screen reader reads it with the field). Then the
person corrects it and the sign-on goes through.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.actions import tab_to_label, tab_to_role
from tests.browser.journeys import load_demo, send_queued_mail
from tests.browser.mailbox import mail_link
from tests.browser.wording import HTML_LANG, say

# Field labels and the message each shows when left empty, in the order of the page.
REQUIRED = [
    ("Organization name", "Enter the organization's name."),
    ("Type of organization", "Choose the type of organization."),
    ("Province or territory", "Choose a province or territory."),
    ("City or town", "Enter a city or town."),
    ("Contact person's name", "Enter the contact person's name."),
    ("Email address", "Enter an email address."),
    (
        "I am authorized to endorse this platform on behalf of the organization.",
        "Confirm that you may endorse for this organization.",
    ),
    (
        "I agree that the organization's name, type, city, province or territory, website "
        "and description will be listed publicly as an endorser of this platform.",
        "Agree to the public listing to endorse as an organization.",
    ),
]
BAD_EMAIL = "Enter a valid email address, like name@example.org."
ORGANIZATION = {
    "en": {
        "name": "Prairie Drug User Advocacy Collective",
        "type_keys": "Group",
        "type": "drug_user_group",
        "province_keys": "Sask",
        "province": "SK",
        "city": "Moose Jaw",
        "contact": "Ali Rahimi",
        "email": "ali@prairie-advocacy.example",
    },
    "fr": {
        "name": "Regroupement des usagers de la Mauricie",
        "type_keys": "Groupe",
        "type": "drug_user_group",
        "province_keys": "Queb",
        "province": "QC",
        "city": "Trois-Rivières",
        "contact": "Élise Lafrenière",
        "email": "elise@usagers-mauricie.example",
    },
}


def _summary_messages(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(".error-summary li").all_inner_texts()]


def _assert_field_error(page, lang: str, label: str, message: str) -> None:
    """The field is marked invalid, and its error is its accessible description."""
    field = page.get_by_label(say(lang, label), exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    field_id = field.get_attribute("id")
    described_by = (field.get_attribute("aria-describedby") or "").split()
    assert f"{field_id}-error" in described_by, (label, described_by)
    expect(page.locator(f"[id='{field_id}-error']")).to_have_text(
        f"{say(lang, 'Error:')} {message}"
    )
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))


def _assert_errors_shown(page, lang: str, expected: list[tuple[str, str]]) -> None:
    summary = page.locator(".error-summary")
    # The summary has the focus, so a screen reader reads it out and Tab goes into its links.
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(say(lang, "There is a problem"))
    assert _summary_messages(page) == [message for _label, message in expected]
    for label, message in expected:
        _assert_field_error(page, lang, label, message)
    assert page.title().startswith(say(lang, "Error:"))
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_form_errors_are_announced_and_fixed_with_the_keyboard(
    make_live_server, smtp_server, new_page, key_page, lang
):
    server = make_live_server()
    slug = load_demo(server)
    org = ORGANIZATION[lang]
    signer = new_page(server, name="signer", locale=HTML_LANG[lang])
    keys = signer.keyboard
    form_url = server.absolute(f"/{lang}/p/{slug}/sign/organization")

    signer.goto(f"/{lang}/p/{slug}/")
    tab_to_role(signer, "link", say(lang, "Endorse as an organization"))
    keys.press("Enter")
    expect(signer).to_have_url(form_url)

    # 1. Sent empty.
    tab_to_role(signer, "button", say(lang, "Endorse the platform"))
    keys.press("Enter")
    expect(signer).to_have_url(form_url)
    required = [(label, say(lang, message)) for label, message in REQUIRED]
    _assert_errors_shown(signer, lang, required)
    key_page(signer, "empty-form-errors")

    # The summary's first link leads to the first field at fault.
    keys.press("Tab")
    expect(signer.locator(".error-summary a").first).to_be_focused()
    keys.press("Enter")
    expect(signer.get_by_label(say(lang, "Organization name"), exact=True)).to_be_focused()

    # 2. Filled in, but with a name over 200 characters and an incomplete email address.
    too_long = (org["name"] + " ") * 6
    assert len(too_long.strip()) > 200
    keys.type(too_long)
    tab_to_label(signer, say(lang, "Type of organization"))
    keys.type(org["type_keys"])
    tab_to_label(signer, say(lang, "Province or territory"))
    keys.type(org["province_keys"])
    tab_to_label(signer, say(lang, "City or town"))
    keys.type(org["city"])
    tab_to_label(signer, say(lang, "Contact person's name"))
    keys.type(org["contact"])
    tab_to_label(signer, say(lang, "Email address"))
    keys.type(org["email"].split("@")[0] + "@")
    for consent, _message in REQUIRED[-2:]:
        tab_to_label(signer, say(lang, consent))
        keys.press("Space")
    tab_to_role(signer, "button", say(lang, "Endorse the platform"))
    keys.press("Enter")

    invalid = [
        ("Organization name", say(lang, "Use %(max)d characters or fewer.", max=200)),
        ("Email address", say(lang, BAD_EMAIL)),
    ]
    _assert_errors_shown(signer, lang, invalid)
    # What was typed is still there, to be corrected rather than typed again.
    expect(signer.get_by_label(say(lang, "Organization name"), exact=True)).to_have_value(
        " ".join(too_long.split())
    )
    expect(signer.get_by_label(say(lang, "Type of organization"), exact=True)).to_have_value(
        org["type"]
    )
    expect(signer.get_by_label(say(lang, "Province or territory"), exact=True)).to_have_value(
        org["province"]
    )
    expect(signer.get_by_label(say(lang, REQUIRED[-1][0]), exact=True)).to_be_checked()
    # The email field keeps its hint as well as the error in its description.
    email = signer.get_by_label(say(lang, "Email address"), exact=True)
    expect(email).to_have_attribute("aria-describedby", "email-hint email-error")
    key_page(signer, "invalid-values-errors")

    # 3. Corrected through the summary's links: the email first, then back up to the name.
    keys.press("Tab")
    keys.press("Tab")
    expect(signer.locator(".error-summary a").nth(1)).to_be_focused()
    keys.press("Enter")
    expect(email).to_be_focused()
    keys.press("ControlOrMeta+a")
    keys.type(org["email"])
    tab_to_label(signer, say(lang, "Organization name"), key="Shift+Tab")
    keys.press("ControlOrMeta+a")
    keys.type(org["name"])
    tab_to_role(signer, "button", say(lang, "Endorse the platform"))
    keys.press("Enter")

    expect(signer).to_have_url(server.absolute(f"/{lang}/p/{slug}/sign/check-your-inbox"))
    expect(signer.get_by_role("heading", level=1)).to_have_text(say(lang, "Check your email"))
    key_page(signer, "check-your-inbox")
    send_queued_mail(server)
    assert f"/{lang}/confirm/" in mail_link(smtp_server, lang, to=org["email"])

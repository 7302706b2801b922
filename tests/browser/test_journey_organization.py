"""Journey 1: an organization endorses, from reading the platform to being found in the list.

A visitor lands on the platform in the other language, switches to their own on the same page,
signs on for their organization through the real form (mouse and keyboard on a computer, finger
and on-screen keyboard on a phone), gets the email from the real SMTP server, confirms; an admin
logs in and approves; the organization is then on the public list, and a search typed without
capitals or accents finds it. Run in English and in French, on a computer and on a phone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from petition.platforms.demo import TEXTS
from tests.browser.journeys import (
    add_admin,
    approve_in_queue,
    listed_names,
    load_demo,
    log_in_and_open_queue,
    search_list,
    send_queued_mail,
    tap_or_click,
    type_into,
)
from tests.browser.mailbox import mail_link, text_body
from tests.browser.wording import HTML_LANG, OTHER, say, say_n

# Fictional organizations, with accents in their names so the search has something to ignore.
ORGANIZATIONS = {
    "en": {
        "name": "Côte-Nord Peer Harm Reduction Network",
        "search": "cote-nord peer",
        "type": "Harm-reduction service",
        "province": "Quebec",
        "city": "Baie-Comeau",
        "website": "cotenord-peers.example",
        "about": "Peer outreach, naloxone and drug checking along the North Shore.",
        "contact": "Noor Haddad",
        "title": "Coordinator",
        "email": "noor@cotenord-peers.example",
    },
    "fr": {
        "name": "Collectif des pairs de l'Érablière",
        "search": "pairs de l'erabliere",
        "type": "Group of people who use drugs",
        "province": "New Brunswick",
        "city": "Edmundston",
        "website": "pairs-erabliere.example",
        "about": "Groupe de soutien par et pour les personnes qui consomment des drogues.",
        "contact": "Gabrielle Ouellet",
        "title": "Porte-parole",
        "email": "gabrielle@pairs-erabliere.example",
    },
}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def _fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


@pytest.mark.parametrize("device", ["computer", "phone"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_organization_endorses_and_is_listed(
    make_live_server, smtp_server, new_page, key_page, lang, device
):
    # Counts are computed afresh on each request, so the list shows the approval at once.
    server = make_live_server()
    slug = load_demo(server)
    other, org = OTHER[lang], ORGANIZATIONS[lang]
    touch = device == "phone"
    options = PHONE if touch else {}
    visitor = new_page(server, name="visitor", locale=HTML_LANG[lang], **options)

    # A shared link brought the visitor to the platform in the other language.
    visitor.goto(f"/{other}/")
    tap_or_click(visitor.get_by_role("link", name=TEXTS[other]["title"]), touch)
    expect(visitor).to_have_url(server.absolute(f"/{other}/p/{slug}/"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TEXTS[other]["title"])
    key_page(visitor, f"platform-{other}")

    # The switch, named in the visitor's language, leads to the same page in it.
    switch = visitor.locator("a.lang-switch")
    expect(switch).to_have_attribute("lang", HTML_LANG[lang])
    tap_or_click(switch, touch)
    expect(visitor).to_have_url(server.absolute(f"/{lang}/p/{slug}/"))
    expect(visitor.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TEXTS[lang]["title"])
    if touch:
        _fits(visitor, 390)
    key_page(visitor, f"platform-{lang}")

    tap_or_click(visitor.get_by_role("link", name=say(lang, "Endorse as an organization")), touch)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        say(lang, "Endorse as an organization")
    )
    type_into(visitor, say(lang, "Organization name"), org["name"], touch)
    visitor.get_by_label(say(lang, "Type of organization"), exact=True).select_option(
        label=say(lang, org["type"])
    )
    visitor.get_by_label(say(lang, "Province or territory"), exact=True).select_option(
        label=say(lang, org["province"])
    )
    type_into(visitor, say(lang, "City or town"), org["city"], touch)
    type_into(visitor, say(lang, "Website (optional)"), org["website"], touch)
    tap_or_click(
        visitor.get_by_label(say(lang, "Our organization is run by and for people who use drugs.")),
        touch,
    )
    type_into(visitor, say(lang, "Short public description (optional)"), org["about"], touch)
    type_into(visitor, say(lang, "Contact person's name"), org["contact"], touch)
    type_into(visitor, say(lang, "Contact person's title (optional)"), org["title"], touch)
    type_into(visitor, say(lang, "Email address"), org["email"], touch)
    for consent in (
        "I am authorized to endorse this platform on behalf of the organization.",
        "I agree that the organization's name, type, city, province or territory, website "
        "and description will be listed publicly as an endorser of this platform.",
    ):
        checkbox = visitor.get_by_label(say(lang, consent), exact=True)
        tap_or_click(checkbox, touch)
        expect(checkbox).to_be_checked()
    if touch:
        _fits(visitor, 390)
    key_page(visitor, "form-filled")
    tap_or_click(visitor.get_by_role("button", name=say(lang, "Endorse the platform")), touch)

    expect(visitor).to_have_url(server.absolute(f"/{lang}/p/{slug}/sign/check-your-inbox"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(say(lang, "Check your email"))
    key_page(visitor, "check-your-inbox")

    # The relay sends the confirmation through the real SMTP server, in the signer's language.
    send_queued_mail(server)
    confirmation = smtp_server.latest(to=org["email"])
    assert confirmation["Content-Language"].startswith(lang)
    assert org["name"] in text_body(confirmation)
    visitor.goto(mail_link(smtp_server, lang, to=org["email"]))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        say(lang, "Confirm your endorsement")
    )
    expect(visitor.locator(".entry__name")).to_contain_text(org["name"])
    key_page(visitor, "confirm")
    tap_or_click(visitor.get_by_role("button", name=say(lang, "Confirm my endorsement")), touch)
    expect(visitor).to_have_url(server.absolute(f"/{lang}/p/{slug}/sign/confirmed"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        say(lang, "Thank you: your endorsement is confirmed")
    )
    key_page(visitor, "confirmed")
    send_queued_mail(server)
    receipt = smtp_server.wait_for(2, to=org["email"])[-1]
    assert receipt["Content-Language"].startswith(lang)

    # A coalition admin, at a computer, approves it from the review queue.
    add_admin(server, "moderation@coalition.example", lang)
    admin = new_page(server, name="admin", locale=HTML_LANG[lang])
    log_in_and_open_queue(admin, "moderation@coalition.example", lang)
    key_page(admin, "queue")
    approve_in_queue(admin, org["name"], lang)
    key_page(admin, "approved")

    # The visitor goes back to the platform (reloading the page their browser kept).
    tap_or_click(visitor.get_by_role("link", name=say(lang, "Back to the platform")), touch)
    expect(visitor).to_have_url(server.absolute(f"/{lang}/p/{slug}/"))
    visitor.reload()
    expect(visitor.locator(".recent-list")).to_contain_text(org["name"])
    tap_or_click(
        visitor.get_by_role(
            "link", name=say(lang, "See all endorsers, search and download the list")
        ),
        touch,
    )
    expect(visitor).to_have_url(server.absolute(f"/{lang}/p/{slug}/endorsers"))
    assert listed_names(visitor) == [org["name"]]
    expect(visitor.locator("#results-heading")).to_have_text(
        say_n(lang, "%(num)s endorser listed", "%(num)s endorsers listed", 1)
    )
    entry = visitor.locator("ol.endorser-list .entry")
    expect(entry).to_contain_text(say(lang, org["type"]))
    expect(entry).to_contain_text(org["about"])
    expect(entry.get_by_role("link", name=org["name"])).to_have_attribute(
        "href", f"https://{org['website']}"
    )
    # Nothing about the contact person is public: they did not ask for it.
    expect(visitor.locator("main")).not_to_contain_text(org["contact"])
    expect(visitor.locator("main")).not_to_contain_text(org["email"])
    if touch:
        _fits(visitor, 390)
    key_page(visitor, "list")

    search_list(visitor, org["search"], lang, touch)
    assert org["search"] == org["search"].lower() and org["search"].isascii()
    expect(visitor).to_have_url(re.compile(r"/endorsers\?"))
    assert listed_names(visitor) == [org["name"]]
    expect(visitor.locator("#results-heading")).to_have_text(
        say_n(lang, "%(num)s endorser matches", "%(num)s endorsers match", 1)
    )
    key_page(visitor, "search")

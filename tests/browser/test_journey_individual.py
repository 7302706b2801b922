"""Journey 2: a person endorses as "first name and initial", is listed so, then withdraws.

The signer uses only the keyboard. They choose to appear by first name and initial, confirm
from the email, are approved, and appear exactly as chosen: their last name is on no public
page, download or feed, and a search for it finds nothing. With the manage link from their
receipt they withdraw, and at once they are gone from the list and from every count.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.actions import tab_to_label, tab_to_role
from tests.browser.journeys import (
    add_admin,
    approve_in_queue,
    listed_names,
    load_demo,
    log_in_and_open_queue,
    send_queued_mail,
)
from tests.browser.mailbox import mail_link
from tests.browser.wording import HTML_LANG, say, say_n

PEOPLE = {
    "en": {
        "name": "Marie-Ève Tremblay-Côté",
        "shown": "Marie-Ève T.",
        "hidden": ["Tremblay"],
        "email": "marie-eve.tc@example.net",
        "province_keys": "Queb",
        "province": "Quebec",
        "city": "Rimouski",
    },
    "fr": {
        "name": "Jean-Sébastien Bélanger-Nadeau",
        "shown": "Jean-Sébastien B.",
        "hidden": ["Bélanger", "Belanger", "Nadeau"],
        "email": "js.belanger@example.net",
        "province_keys": "Nouveau",
        "province": "New Brunswick",
        "city": "Caraquet",
    },
}


def _public_pages(slug: str, lang: str) -> list[str]:
    """Every public surface that could name an endorser."""
    base = f"/{lang}/p/{slug}"
    return [
        f"{base}/",
        f"{base}/endorsers",
        f"{base}/endorsers?kind=individual",
        f"{base}/endorsers.csv",
        f"{base}/endorsers.json",
        f"{base}/endorsers/print",
        f"{base}/embed",
        f"{base}/share",
        f"{base}/feed.atom",
        f"/api/v1/platforms/{slug}/endorsers",
        "/sitemap.xml",
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_person_listed_by_first_name_and_initial_then_withdraws(
    make_live_server, smtp_server, new_page, key_page, lang
):
    # Counts are computed afresh on each request, so they follow the withdrawal at once.
    server = make_live_server()
    slug = load_demo(server)
    person = PEOPLE[lang]
    signer = new_page(server, name="signer", locale=HTML_LANG[lang])
    keys = signer.keyboard

    signer.goto(f"/{lang}/p/{slug}/")
    tab_to_role(signer, "link", say(lang, "Endorse as an individual"))
    keys.press("Enter")
    expect(signer.get_by_role("heading", level=1)).to_have_text(
        say(lang, "Endorse as an individual")
    )

    # Keyboard only: Tab from field to field, type, arrows for the choices, Space to tick.
    tab_to_label(signer, say(lang, "Full name"))
    keys.type(person["name"])
    tab_to_label(signer, say(lang, "Email address"))
    keys.type(person["email"])
    tab_to_label(signer, say(lang, "Province or territory"))
    keys.type(person["province_keys"])
    expect(signer.get_by_label(say(lang, "Province or territory"), exact=True)).to_have_value(
        {"Quebec": "QC", "New Brunswick": "NB"}[person["province"]]
    )
    tab_to_label(signer, say(lang, "City or town"))
    keys.type(person["city"])
    # Tabbing into the group lands on its first choice; the arrow moves to the next one.
    tab_to_label(signer, say(lang, "My full name"))
    keys.press("ArrowDown")
    first_initial = signer.get_by_label(
        say(lang, "My first name and the initial of my last name"), exact=True
    )
    expect(first_initial).to_be_focused()
    expect(first_initial).to_be_checked()
    listing = say(
        lang,
        "I agree to be listed publicly as an endorser in the way I chose above. I can "
        "change this or withdraw at any time with the link I will receive by email.",
    )
    tab_to_label(signer, listing)
    keys.press("Space")
    expect(signer.get_by_label(listing, exact=True)).to_be_checked()
    key_page(signer, "form-filled")
    tab_to_role(signer, "button", say(lang, "Endorse the platform"))
    keys.press("Enter")
    expect(signer).to_have_url(server.absolute(f"/{lang}/p/{slug}/sign/check-your-inbox"))
    key_page(signer, "check-your-inbox")

    send_queued_mail(server)
    signer.goto(mail_link(smtp_server, lang, to=person["email"]))
    # Before confirming, the page shows how the entry will look: as chosen.
    expect(signer.locator(".entry__name")).to_have_text(person["shown"])
    tab_to_role(signer, "button", say(lang, "Confirm my endorsement"))
    keys.press("Enter")
    expect(signer).to_have_url(server.absolute(f"/{lang}/p/{slug}/sign/confirmed"))
    send_queued_mail(server)
    manage_link = mail_link(smtp_server, lang, to=person["email"])
    assert f"/{lang}/manage/" in manage_link

    add_admin(server, "moderation@coalition.example", lang)
    admin = new_page(server, name="admin", locale=HTML_LANG[lang])
    log_in_and_open_queue(admin, "moderation@coalition.example", lang)
    approve_in_queue(admin, person["shown"], lang)
    key_page(admin, "approved")

    signer.goto(f"/{lang}/p/{slug}/endorsers")
    assert listed_names(signer) == [person["shown"]]
    expect(signer.locator("ol.endorser-list .entry")).to_contain_text(person["city"])
    expect(signer.locator("#results-heading")).to_have_text(
        say_n(lang, "%(num)s endorser listed", "%(num)s endorsers listed", 1)
    )
    key_page(signer, "listed")
    _assert_last_name_nowhere(signer, slug, lang, person)
    # Search works on what is public only: the hidden last name finds no one.
    signer.goto(f"/{lang}/p/{slug}/endorsers?q={person['hidden'][-1].lower()}")
    assert listed_names(signer) == []
    signer.goto(f"/{lang}/p/{slug}/endorsers?q={person['shown'].split()[0].lower()}")
    assert listed_names(signer) == [person["shown"]]

    # Withdrawing, from the link in the receipt email.
    signer.goto(manage_link)
    expect(signer.get_by_role("heading", level=1)).to_have_text(say(lang, "Your endorsement"))
    expect(signer.locator(".summary")).to_contain_text(say(lang, "Listed publicly"))
    expect(signer.locator(".entry__name")).to_have_text(person["shown"])
    key_page(signer, "manage")
    tab_to_role(signer, "link", say(lang, "Withdraw my endorsement"))
    keys.press("Enter")
    expect(signer.get_by_role("heading", level=1)).to_have_text(
        say(lang, "Withdraw your endorsement")
    )
    key_page(signer, "withdraw")
    tab_to_role(signer, "button", say(lang, "Yes, withdraw my endorsement"))
    keys.press("Enter")
    expect(signer.get_by_role("status")).to_have_text(
        say(lang, "Your endorsement is withdrawn. It no longer appears anywhere on this site.")
    )
    expect(signer.locator(".summary")).to_contain_text(say(lang, "Withdrawn"))
    key_page(signer, "withdrawn")

    # Gone from the list and from every count (reloaded: the browser kept the earlier list).
    signer.goto(f"/{lang}/p/{slug}/endorsers")
    signer.reload()
    assert listed_names(signer) == []
    expect(signer.locator("#results-heading")).to_have_text(
        say_n(lang, "%(num)s endorser listed", "%(num)s endorsers listed", 0)
    )
    expect(signer.locator(".totals")).to_have_text(say(lang, "No endorsement is listed yet."))
    embed = signer.request.get(f"/{lang}/p/{slug}/embed").text()
    assert "<strong>0</strong>" in embed
    api = signer.request.get(f"/api/v1/platforms/{slug}").json()
    endorsers = api["endorsers"]
    assert (endorsers["total"], endorsers["individuals"]) == (0, 0), endorsers
    key_page(signer, "list-after-withdrawal")


def _assert_last_name_nowhere(page, slug: str, lang: str, person: dict) -> None:
    for path in _public_pages(slug, lang):
        response = page.request.get(path)
        assert response.ok, f"{path}: {response.status}"
        body = response.text().lower()
        for hidden in (person["name"], *person["hidden"]):
            assert hidden.lower() not in body, f"{hidden!r} is public on {path}"
    # The list shows the chosen form in the data downloads too.
    assert person["shown"] in page.request.get(f"/{lang}/p/{slug}/endorsers.json").text()

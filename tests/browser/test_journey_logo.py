"""The logo wall in a real browser: axe in both languages, 320 px, a logo from sign-on to wall.

A newcomer opens the demo platform and sees the wall led by groups run by and for people who
use drugs; an organization signs on with its logo (a real file chosen in the form), confirms by
email, an admin approves it in the queue (the logo beside the signals), and the logo appears
on the wall with the organization's name as its text alternative.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe
from tests.browser.journeys import (
    add_admin,
    approve_in_queue,
    load_demo,
    log_in_and_open_queue,
    send_queued_mail,
    type_into,
)
from tests.browser.mailbox import mail_link
from tests.browser.wording import HTML_LANG, say
from tests.logos import samples

LEADERS = {"en": "Harbourside Peer Collective", "fr": "Collectif des usagers de l'Estrie"}


def _load_demo_wall(server) -> str:
    from petition.directory.demo_wall import load_demo_wall
    from petition.extensions import db
    from petition.platforms.models import Platform

    slug = load_demo(server)
    with server.app.app_context():
        load_demo_wall(db.session.scalar(db.select(Platform).where(Platform.slug == slug)))
        db.session.commit()
    return slug


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_wall_passes_axe_and_fits_a_320px_screen(make_live_server, new_page, lang):
    server = make_live_server()
    slug = _load_demo_wall(server)
    page = new_page(server, locale=HTML_LANG[lang], viewport={"width": 320, "height": 640})
    page.goto(f"/{lang}/p/{slug}/")
    wall = page.locator("section.logo-wall")
    expect(wall).to_be_visible()
    first = wall.locator(".logo-wall__tile").first
    expect(first.locator("img")).to_have_attribute("alt", LEADERS[lang])
    expect(wall.locator("img").first).to_have_attribute("loading", "lazy")
    wall.scroll_into_view_if_needed()
    page.locator(".logo-wall__tile").last.scroll_into_view_if_needed()
    # Every logo loaded (lazily) and is drawn, none wider than the screen.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.logo-wall img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    axe(page, include="section.logo-wall")
    axe(page)
    page.goto(f"/{lang}/p/{slug}/endorsers")
    axe(page, include="section.logo-wall")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_logo_uploaded_while_signing_on_appears_after_approval(
    make_live_server, smtp_server, new_page, tmp_path, lang
):
    server = make_live_server()
    slug = load_demo(server)
    name = {"en": "Lakeshore Peer Support Circle", "fr": "Cercle d'entraide du Lac"}[lang]
    email = f"circle-{lang}@lakeshore-peers.example"
    logo = tmp_path / "logo.jpg"
    logo.write_bytes(samples.jpeg_with_exif())

    visitor = new_page(server, name="visitor", locale=HTML_LANG[lang])
    visitor.goto(f"/{lang}/p/{slug}/sign/organization")
    type_into(visitor, say(lang, "Organization name"), name)
    visitor.get_by_label(say(lang, "Type of organization"), exact=True).select_option(
        label=say(lang, "Group of people who use drugs")
    )
    visitor.get_by_label(say(lang, "Province or territory"), exact=True).select_option(
        label=say(lang, "Ontario")
    )
    type_into(visitor, say(lang, "City or town"), "Kingston")
    visitor.get_by_label(
        say(lang, "Our organization is run by and for people who use drugs.")
    ).check()
    visitor.get_by_label(say(lang, "Logo (optional)"), exact=True).set_input_files(str(logo))
    type_into(visitor, say(lang, "Contact person's name"), "Sam Okafor")
    type_into(visitor, say(lang, "Email address"), email)
    for consent in (
        "I am authorized to endorse this platform on behalf of the organization.",
        "I agree that the organization's name, type, city, province or territory, website "
        "and description will be listed publicly as an endorser of this platform.",
    ):
        visitor.get_by_label(say(lang, consent), exact=True).check()
    visitor.get_by_role("button", name=say(lang, "Endorse the platform")).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(say(lang, "Check your email"))

    send_queued_mail(server)
    visitor.goto(mail_link(smtp_server, lang, to=email))
    visitor.get_by_role("button", name=say(lang, "Confirm my endorsement")).click()
    expect(visitor).to_have_url(server.absolute(f"/{lang}/p/{slug}/sign/confirmed"))
    # Not public yet: the platform page shows no wall with it.
    visitor.goto(f"/{lang}/p/{slug}/")
    expect(visitor.locator("section.logo-wall img")).to_have_count(0)

    add_admin(server, "moderation@coalition.example", lang)
    admin = new_page(server, name="admin", locale=HTML_LANG[lang])
    log_in_and_open_queue(admin, "moderation@coalition.example", lang)
    item = admin.locator("li.queue__item").filter(has_text=name)
    preview = item.locator("figure.logo-preview img")
    expect(preview).to_be_visible()
    admin.wait_for_function(
        "() => { const i = document.querySelector('figure.logo-preview img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    approve_in_queue(admin, name, lang)

    visitor.reload()
    logo_on_wall = visitor.locator("section.logo-wall img")
    expect(logo_on_wall).to_have_count(1)
    expect(logo_on_wall).to_have_attribute("alt", name)
    logo_on_wall.scroll_into_view_if_needed()
    visitor.wait_for_function(
        "() => { const i = document.querySelector('section.logo-wall img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )

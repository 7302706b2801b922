"""Journey 4: an admin completes a draft platform's French text, previews it, and publishes it.

The draft has its English text but only a provisional French title, so it cannot be published
and has no public page. The admin (working in English or in French) writes the French title,
summary and text in the admin pages, checks the preview, saves, and publishes; the public
French page then shows exactly that text, marked as French.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from petition.platforms.models import PlatformStatus
from tests.browser.journeys import add_admin, load_demo
from tests.browser.wording import HTML_LANG, say
from tests.factories import ADMIN_PASSWORD, make_platform

SLUG = "housing-first-for-all"
ENGLISH = {
    "title": "Housing First for All",
    "summary": "Five steps to end homelessness among people who use drugs.",
    "body": "## Our demands\n\n1. Housing without conditions",
}
FRENCH = {
    "title": "Le logement d'abord, pour tout le monde",
    "summary": "Cinq mesures pour mettre fin à l'itinérance des personnes qui consomment.",
    "body": (
        "## Nos revendications\n\n"
        "1. **Un logement sans conditions**, sans exigence d'abstinence.\n"
        "2. Des services de réduction des méfaits sur place."
    ),
}


def _add_draft(server) -> None:
    from petition.extensions import db

    with server.app.app_context():
        make_platform(
            SLUG,
            status=PlatformStatus.DRAFT,
            texts={"en": ENGLISH, "fr": {"title": "Titre provisoire", "summary": "", "body": ""}},
        )
        db.session.commit()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_admin_completes_the_french_text_and_publishes(
    make_live_server, new_page, key_page, lang
):
    server = make_live_server()
    load_demo(server)
    _add_draft(server)
    add_admin(server, "platforms@coalition.example", lang)
    public = new_page(server, name="public", locale="fr-CA")
    assert public.goto(f"/fr/p/{SLUG}/").status == 404

    admin = new_page(server, name="admin", locale=HTML_LANG[lang])
    admin.goto("/admin/platforms")
    admin.get_by_label(say(lang, "Email address"), exact=True).fill("platforms@coalition.example")
    admin.get_by_label(say(lang, "Password"), exact=True).fill(ADMIN_PASSWORD)
    admin.get_by_role("button", name=say(lang, "Log in"), exact=True).click()
    expect(admin).to_have_url(server.absolute("/admin/platforms"))
    expect(admin.get_by_role("heading", level=1)).to_have_text(say(lang, "Platforms"))
    row = admin.get_by_role("row").filter(has_text=SLUG)
    expect(row).to_contain_text(say(lang, "Draft"))
    row.get_by_role("link", name=say(lang, "Texts"), exact=True).click()
    expect(admin).to_have_url(server.absolute(f"/admin/platforms/{SLUG}/texts"))
    missing = ", ".join(say(lang, m) for m in ("French summary", "French text"))
    expect(admin.locator("main")).to_contain_text(
        say(
            lang,
            "Still missing before the platform can be published: %(missing)s.",
            missing=missing,
        )
    )
    key_page(admin, "texts-incomplete")

    french = admin.get_by_role("group", name=say(lang, "French"), exact=True)
    french.get_by_label(say(lang, "Title"), exact=True).fill(FRENCH["title"])
    french.get_by_label(say(lang, "Summary"), exact=True).fill(FRENCH["summary"])
    french.get_by_label(say(lang, "Text (Markdown)"), exact=True).fill(FRENCH["body"])
    admin.get_by_role("button", name=say(lang, "Preview"), exact=True).click()

    # The preview shows the French text as the public page will, marked as French.
    preview = admin.locator("section.preview[lang='fr-CA']")
    expect(preview.locator(".preview__title")).to_have_text(FRENCH["title"])
    expect(preview.get_by_role("heading", name="Nos revendications")).to_be_visible()
    expect(preview.locator("ol > li")).to_have_count(2)
    expect(preview.locator("strong")).to_have_text("Un logement sans conditions")
    key_page(admin, "preview")
    # Nothing is saved by a preview.
    assert public.goto(f"/fr/p/{SLUG}/").status == 404

    admin.get_by_role("button", name=say(lang, "Save the texts"), exact=True).click()
    expect(admin.get_by_role("status").filter(has_text=say(lang, "Texts saved."))).to_be_visible()
    expect(admin.locator("main")).to_contain_text(say(lang, "Both languages are complete."))
    key_page(admin, "texts-saved")

    admin.get_by_role("link", name=say(lang, "Settings"), exact=True).click()
    admin.get_by_label(say(lang, "Published"), exact=True).check()
    admin.get_by_role("button", name=say(lang, "Save the settings"), exact=True).click()
    expect(
        admin.get_by_role("status").filter(has_text=say(lang, "Settings saved."))
    ).to_be_visible()
    expect(admin.locator("main .badge").first).to_have_text(say(lang, "Published"))
    key_page(admin, "published")

    # The public French page now exists and shows the text the admin wrote.
    response = public.goto(f"/fr/p/{SLUG}/")
    assert response.status == 200
    expect(public.locator("html")).to_have_attribute("lang", "fr-CA")
    expect(public.get_by_role("heading", level=1)).to_have_text(FRENCH["title"])
    expect(public.locator(".platform__header .lead")).to_have_text(FRENCH["summary"])
    document = public.locator(".document")
    expect(document.get_by_role("heading", name="Nos revendications")).to_be_visible()
    expect(document.locator("ol > li").first).to_contain_text("Un logement sans conditions")
    # Nothing in English stands in for the French text any more.
    expect(public.locator(".fallback-note")).to_have_count(0)
    expect(public.locator("main")).not_to_contain_text(ENGLISH["title"])
    key_page(public, "public-french-page")
    public.goto("/fr/")
    expect(public.get_by_role("link", name=FRENCH["title"])).to_be_visible()

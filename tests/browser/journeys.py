"""Steps that several journeys share: the mail relay, an admin's login and approval, the list.

Each step does what a person does in the page (through labels and the words on buttons, in the
page's language) and checks what that person would notice before going on.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.wording import HTML_LANG, say
from tests.factories import ADMIN_PASSWORD


def send_queued_mail(server) -> None:
    """Run the app's outbox relay once, as its own process would: queued mail goes out by SMTP."""
    from petition.outbox.relay import drain

    with server.app.app_context():
        drain()


def load_demo(server) -> str:
    """Load the demo platform into the live server's database; return its slug."""
    from petition.extensions import db
    from petition.platforms.demo import load_demo_platform

    with server.app.app_context():
        platform, _created = load_demo_platform()
        db.session.commit()
        return platform.slug


def add_admin(server, email: str, lang: str) -> None:
    """Create an admin account who works in `lang`, in the live server's database."""
    from petition.accounts.models import AdminLanguage
    from petition.extensions import db
    from tests.factories import make_admin_user

    with server.app.app_context():
        make_admin_user(email, role="admin", preferred_locale=AdminLanguage(lang))
        db.session.commit()


def tap_or_click(locator, touch: bool) -> None:
    """Press an element the way this person does: a finger on a phone, else the mouse."""
    if touch:
        locator.tap()
    else:
        locator.click()


def type_into(page, label: str, value: str, touch: bool = False) -> None:
    """Put the pointer in the field labelled `label` and type `value` on the keyboard.

    Like a person, it looks at what it typed and types again if the keys went nowhere: on a
    loaded machine an emulated phone sometimes loses the keys typed just after a tap (the
    field focused, its value still empty), though the page did nothing wrong.
    """
    field = page.get_by_label(label, exact=True)
    before = field.input_value()
    for _attempt in range(3):
        tap_or_click(field, touch)
        expect(field).to_be_focused()
        page.keyboard.type(value)
        try:
            expect(field).to_have_value(before + value, timeout=1000)
            return
        except AssertionError:
            field.fill(before)
    expect(field).to_have_value(before + value)


def log_in_and_open_queue(page, email: str, lang: str) -> None:
    """Go to the review queue, log in on the way (in `lang`), and arrive at the queue."""
    page.goto("/admin/queue")
    expect(page.get_by_role("heading", level=1)).to_have_text(say(lang, "Log in"))
    page.get_by_label(say(lang, "Email address"), exact=True).fill(email)
    page.get_by_label(say(lang, "Password"), exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name=say(lang, "Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/queue"))
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    expect(page.get_by_role("heading", level=1)).to_have_text(say(lang, "Review queue"))


def approve_in_queue(page, name: str, lang: str) -> None:
    """Approve the queue's entry for `name`, and see the queue say it is now public."""
    item = page.locator("li.queue__item").filter(has_text=name)
    expect(item).to_have_count(1)
    item.get_by_role("button", name=say(lang, "Approve"), exact=True).click()
    done = say(lang, "Approved: %(name)s now appears on the public list.", name=name)
    expect(page.get_by_role("status").filter(has_text=done)).to_be_visible()
    expect(page.locator("li.queue__item").filter(has_text=name)).to_have_count(0)


def listed_names(page) -> list[str]:
    """Return the names on the current page of the endorser list, in order (without badges)."""
    return page.locator("ol.endorser-list .entry__name").evaluate_all(
        """names => names.map(name => {
            const copy = name.cloneNode(true);
            copy.querySelectorAll(".badge, .meta").forEach(extra => extra.remove());
            return copy.textContent.replace(/\\s+/g, " ").replace(/[\\s,]+$/, "").trim();
        })"""
    )


def search_list(page, words: str, lang: str, touch: bool = False) -> None:
    """Search the endorser list for `words` with its search box, as a visitor types it."""
    box = page.get_by_label(say(lang, "Search by name"), exact=True)
    tap_or_click(box, touch)
    box.fill("")
    page.keyboard.type(words)
    tap_or_click(page.get_by_role("button", name=say(lang, "Show endorsers"), exact=True), touch)
    expect(page).to_have_url(re.compile(r"[?&]q="))

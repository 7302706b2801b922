"""Every public page and admin page, in English and in French, as assistive technology meets it.

One server and one set of fictional data serve the whole module (the checks only read, or send
forms that are refused), so each page state costs one page load and one axe run per language:
- axe-core finds no WCAG 2.1 A/AA violation, the page breaks no Content Security Policy rule,
  it declares its language, and its language switch declares the other one;
- on the form pages, every focusable element shows a focus ring when tabbed to;
- on the sign-on forms, every field has a label and the autocomplete token for its purpose;
- the form, list and manage pages reflow into a 320-pixel-wide window without sideways scrolling.

The platform admin's preview and refused-publication states are checked in
test_admin_platforms.py; the sign-on forms are completed with the keyboard alone in
test_journey_form_errors.py (organization) and test_journey_individual.py (individual).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import describe, focus_is_visible, tab_through
from tests.browser.axe import axe
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.wording import HTML_LANG, OTHER, say
from tests.factories import ADMIN_PASSWORD

LANGS = ["en", "fr"]


@dataclass
class Tab:
    """A browser tab kept for the module, and what its pages said against the CSP."""

    page: Page
    csp_errors: list[str] = field(default_factory=list)

    def note(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)


@dataclass(frozen=True)
class Visit:
    """A page state: where to go, then (for error states) which button to press."""

    name: str
    path: str
    status: int = 200
    press: str | None = None  # the button's words (a catalogue message), pressed after loading
    choose: str | None = None  # a radio button's label (a catalogue message), chosen first
    switch: bool = True  # has the site's language switch

    def url(self, seed: dict, lang: str) -> str:
        return self.path.format(lang=lang, **seed)


PUBLIC = [
    Visit("home", "/{lang}/"),
    Visit("platform", "/{lang}/p/{slug}/"),
    Visit("platform-print", "/{lang}/p/{slug}/print"),
    Visit("organization-form", "/{lang}/p/{slug}/sign/organization"),
    Visit(
        "organization-form-errors",
        "/{lang}/p/{slug}/sign/organization",
        status=422,
        press="Endorse the platform",
    ),
    Visit("individual-form", "/{lang}/p/{slug}/sign/individual"),
    Visit(
        "individual-form-errors",
        "/{lang}/p/{slug}/sign/individual",
        status=422,
        press="Endorse the platform",
    ),
    Visit("check-your-inbox", "/{lang}/p/{slug}/sign/check-your-inbox"),
    Visit("confirm", "/{lang}/confirm/{confirm}"),
    Visit("confirmed", "/{lang}/p/{slug}/sign/confirmed"),
    Visit("manage", "/{lang}/manage/{manage}"),
    Visit(
        "manage-errors",
        "/{lang}/manage/{manage}",
        status=422,
        choose="A description of me, with my city (no name)",
        press="Save",
    ),
    Visit("withdraw", "/{lang}/manage/{manage}/withdraw"),
    Visit("link-problem", "/{lang}/confirm/{bad_token}", status=404),
    Visit("endorsers", "/{lang}/p/{slug}/endorsers"),
    Visit(
        "endorsers-filtered",
        "/{lang}/p/{slug}/endorsers?province=QC&kind=organization&by_and_for=1",
    ),
    Visit("endorsers-search", "/{lang}/p/{slug}/endorsers?q=collective"),
    Visit("endorsers-no-results", "/{lang}/p/{slug}/endorsers?q=zzzz"),
    Visit("endorsers-ignored-filter", "/{lang}/p/{slug}/endorsers?kind=everyone"),
    Visit("endorsers-print", "/{lang}/p/{slug}/endorsers/print"),
    Visit("share", "/{lang}/p/{slug}/share"),
    Visit("embed", "/{lang}/p/{slug}/embed", switch=False),
    Visit("privacy", "/{lang}/privacy"),
    Visit("not-found", "/{lang}/p/no-such-platform/", status=404),
]
# Seen by a logged-in admin whose language is the page's; the login pages by nobody yet.
ADMIN = [
    Visit("queue", "/admin/queue"),
    Visit("endorsement", "/admin/p/{slug}/endorsements/{pending}"),
    Visit("endorsements", "/admin/endorsements"),
    Visit("endorsements-filtered", "/admin/endorsements?status=approved&kind=individual"),
    Visit("import", "/admin/p/{slug}/import"),
    Visit("audit-log", "/admin/audit"),
    Visit("accounts", "/admin/accounts/"),
    Visit("account", "/admin/accounts/{moderator}"),
    Visit("new-account", "/admin/accounts/new"),
    Visit("own-password", "/admin/account/password"),
    Visit("dashboard", "/admin/"),
    Visit("abuse-console", "/admin/abuse"),
    Visit("abuse-dry-run", "/admin/abuse/invalidate?platform={slug}&domain=example.org"),
    Visit("platforms", "/admin/platforms"),
    Visit("new-platform", "/admin/platforms/new"),
    Visit("platform-settings", "/admin/platforms/{slug}/settings"),
    Visit("platform-texts", "/admin/platforms/{slug}/texts"),
    Visit("draft-texts", "/admin/platforms/{draft}/texts"),
    Visit("platform-resources", "/admin/platforms/{slug}/resources"),
    Visit("platform-resource", "/admin/platforms/{slug}/resources/{resource}"),
    Visit("platform-versions", "/admin/platforms/{slug}/versions"),
    Visit("platform-updates", "/admin/platforms/{slug}/updates"),
]
LOGIN = [
    Visit("login", "/admin/login?lang={lang}"),
    Visit("login-error", "/admin/login?lang={lang}", press="Log in"),
]
FORMS = {
    "organization-form",
    "organization-form-errors",
    "individual-form",
    "individual-form-errors",
    "confirm",
    "manage",
    "manage-errors",
    "withdraw",
    "endorsers",
}
NARROW = FORMS | {"endorsers-search", "endorsers-no-results"}
# What each sign-on field collects, as the autocomplete token browsers and tools understand
# (WCAG 1.3.5); "" where no token fits (the name in French, the public description).
AUTOCOMPLETE = {
    "organization": {
        "org_name": "organization",
        "org_name_fr": "",
        "org_type": "",
        "province": "address-level1",
        "city": "address-level2",
        "website": "url",
        "about": "",
        "logo": "",
        "name": "name",
        "title": "organization-title",
        "email": "email",
    },
    "individual": {
        "name": "name",
        "email": "email",
        "province": "address-level1",
        "city": "address-level2",
        "title": "organization-title",
        "descriptor": "",
    },
}


def _seed(server) -> dict:
    """Fill the database with a little of everything the pages can show (fictional data)."""
    from petition.accounts.models import AdminLanguage
    from petition.db_types import utcnow
    from petition.endorsements import tokens
    from petition.endorsements.models import (
        DisplayMode,
        EndorsementStatus,
        OrgType,
        Province,
        TokenPurpose,
    )
    from petition.extensions import db
    from petition.moderation import review
    from petition.outbox.models import OutboxMessage, OutboxStatus
    from petition.platforms.demo import load_demo_platform
    from petition.platforms.models import PlatformStatus
    from tests.factories import make_admin_user, make_endorsement, make_platform

    with server.app.app_context():
        platform, _created = load_demo_platform()
        admin = make_admin_user("admin-en@coalition.example")
        make_admin_user("admin-fr@coalition.example", preferred_locale=AdminLanguage.FR)
        moderator = make_admin_user("moderator@coalition.example", role="moderator")
        organizations = [
            ("Collectif Pairs-Aidants de l'Estrie", OrgType.DRUG_USER_GROUP, Province.QC, True),
            ("Harbourside Peer Collective", OrgType.HARM_REDUCTION, Province.NS, True),
            ("Prairie Legal Rights Clinic", OrgType.LEGAL, Province.SK, False),
            ("Northern Lights Health Co-op", OrgType.HEALTH, Province.NT, False),
            ("Réseau communautaire du Saguenay", OrgType.COMMUNITY, Province.QC, False),
        ]
        for number, (name, org_type, province, by_and_for) in enumerate(organizations):
            make_endorsement(
                platform,
                status="approved",
                org_name=name,
                org_type=org_type,
                province=province,
                city="Sherbrooke" if province == Province.QC else "Springfield",
                by_and_for=by_and_for,
                website=f"https://org{number}.example",
                about_en="Peer support and outreach." if number % 2 else "",
                about_fr="Soutien par les pairs." if number % 3 == 0 else "",
                contact_public=number == 1,
                title="Coordinator",
            )
        for mode, name in [
            (DisplayMode.FULL_NAME, "Robin Okafor"),
            (DisplayMode.FIRST_INITIAL, "Marie-Ève Tremblay-Côté"),
            (DisplayMode.DESCRIPTOR, "Sam Leclerc"),
            (DisplayMode.COUNTED_ONLY, "Alex Martin"),
        ]:
            make_endorsement(
                platform,
                status="approved",
                kind="individual",
                display_mode=mode,
                name=name,
                descriptor="person with lived experience" if mode == DisplayMode.DESCRIPTOR else "",
            )
        managed = make_endorsement(
            platform,
            status="approved",
            kind="individual",
            name="Jordan Beaulieu",
            display_mode=DisplayMode.FIRST_INITIAL,
            email="jordan@example.net",
        )
        unconfirmed = make_endorsement(
            platform, status="unverified", org_name="Coastal Overdose Response Network"
        )
        pending = make_endorsement(platform, org_name="Island Harm Reduction Society")
        make_endorsement(platform, kind="individual", name="Chris Nakamura")
        to_decide = [
            make_endorsement(platform, org_name="Valley Outreach Collective"),
            make_endorsement(platform, org_name="Spam Spam Inc", website="https://spam.example"),
        ]
        now = utcnow()
        review.decide(
            to_decide[0], review.Decision.APPROVE, admin, seen=EndorsementStatus.PENDING_REVIEW
        )
        review.decide(
            to_decide[1],
            review.Decision.REJECT,
            moderator,
            seen=EndorsementStatus.PENDING_REVIEW,
            reason="Not an organization.",
        )
        make_endorsement(platform, status="withdrawn", withdrawn_at=now - timedelta(days=2))
        # Sign-ons on several days, for the dashboard's chart.
        for days in range(1, 8):
            make_endorsement(
                platform, status="unverified", created_at=now - timedelta(days=days * 3)
            )
        # A message the relay gave up on: the dashboard offers to retry it.
        db.session.add(
            OutboxMessage(
                recipient="someone@harbour-peers.example",
                locale="en",
                template="endorsements/confirm",
                subject="Confirm your endorsement",
                message_id="<every-page-failed@petition.test>",
                status=OutboxStatus.FAILED,
                attempts=8,
                last_error="550 5.1.1 mailbox unavailable",
            )
        )
        draft = make_platform(
            "harm-reduction-at-work",
            status=PlatformStatus.DRAFT,
            texts={"en": {"title": "Harm Reduction at Work", "summary": "", "body": ""}},
        )
        seed = {
            "slug": platform.slug,
            "confirm": tokens.issue(unconfirmed, TokenPurpose.CONFIRM, timedelta(hours=72)),
            "manage": tokens.issue(managed, TokenPurpose.MANAGE),
            "bad_token": "A" * 22,
            "pending": pending.id,
            "moderator": moderator.id,
            "draft": draft.slug,
            "resource": platform.resources[0].id,
        }
        db.session.commit()
    return seed


@pytest.fixture(scope="module")
def seed(shared_live_server) -> dict:
    return _seed(shared_live_server)


@pytest.fixture(scope="module")
def tabs(browser, shared_live_server, seed):
    """One tab per kind of visitor and language, kept for the module and moved from page to
    page: a fresh tab per check would cost more than the check (and axe parses faster in a
    tab that has run it before)."""
    made: dict[tuple[str, str], Tab] = {}

    def tab_of(kind: str, lang: str) -> Tab:
        if (kind, lang) not in made:
            options = {"locale": HTML_LANG[lang]}
            if kind == "narrow":
                options["viewport"] = {"width": 320, "height": 640}
            context = browser.new_context(base_url=shared_live_server.url, **options)
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            tab = Tab(context.new_page())
            tab.page.on("console", tab.note)
            if kind == "admin":
                _log_in(tab.page, f"admin-{lang}@coalition.example", lang)
            made[kind, lang] = tab
        return made[kind, lang]

    yield tab_of
    for tab in made.values():
        tab.page.context.close()


@pytest.fixture
def tab_for(tabs, artifact_page):
    """`tab_for(kind, lang, name)`: the module's tab for that visitor, ready for one check."""

    def ready(kind: str, lang: str, name: str) -> Tab:
        tab = tabs(kind, lang)
        artifact_page(tab.page, name)
        tab.csp_errors.clear()
        return tab

    return ready


def _log_in(page, email: str, lang: str) -> None:
    page.goto(f"/admin/login?lang={lang}")
    page.get_by_label(say(lang, "Email address"), exact=True).fill(email)
    page.get_by_label(say(lang, "Password"), exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name=say(lang, "Log in"), exact=True).click()
    page.wait_for_url("**/admin/")


def _open(page, visit: Visit, seed: dict, lang: str) -> None:
    """Go to the page state, checking its status."""
    url = visit.url(seed, lang)
    response = page.goto(url)
    if visit.choose or visit.press:
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        if visit.choose:
            page.get_by_label(say(lang, visit.choose), exact=True).check()
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=say(lang, visit.press), exact=True).click()
        response = navigation.value
    assert response is not None and response.status == (visit.status), (
        f"{url}: {response and response.status}"
    )


def _check_languages(page, lang: str, visit: Visit) -> None:
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    if not visit.switch:
        return
    switch = page.locator(".lang-switch")
    expect(switch).to_have_count(1)
    expect(switch).to_have_attribute("lang", HTML_LANG[OTHER[lang]])
    if switch.evaluate("el => el.tagName") == "A":
        expect(switch).to_have_attribute("hreflang", HTML_LANG[OTHER[lang]])


@pytest.mark.parametrize("visit", PUBLIC, ids=lambda v: v.name)
@pytest.mark.parametrize("lang", LANGS)
def test_public_page(tab_for, seed, lang, visit):
    tab = tab_for("visitor", lang, visit.name)
    page = tab.page
    _open(page, visit, seed, lang)
    _check_languages(page, lang, visit)
    axe(page)
    assert not tab.csp_errors


@pytest.mark.parametrize("visit", ADMIN, ids=lambda v: v.name)
@pytest.mark.parametrize("lang", LANGS)
def test_admin_page(tab_for, seed, lang, visit):
    tab = tab_for("admin", lang, visit.name)
    page = tab.page
    _open(page, visit, seed, lang)
    _check_languages(page, lang, visit)
    axe(page)
    assert not tab.csp_errors


@pytest.mark.parametrize("visit", LOGIN, ids=lambda v: v.name)
@pytest.mark.parametrize("lang", LANGS)
def test_login_page(tab_for, seed, lang, visit):
    tab = tab_for("visitor", lang, visit.name)
    page = tab.page
    if visit.press:
        page.goto(visit.url(seed, lang))
        page.get_by_label(say(lang, "Email address"), exact=True).fill("nobody@coalition.example")
        page.get_by_label(say(lang, "Password"), exact=True).fill("not the password")
        page.get_by_role("button", name=say(lang, "Log in"), exact=True).click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text(say(lang, "The email address or password is not right."))
        expect(summary).to_be_focused()
    else:
        _open(page, visit, seed, lang)
    _check_languages(page, lang, visit)
    axe(page)
    assert not tab.csp_errors


@pytest.mark.parametrize("visit", [v for v in PUBLIC if v.status == 422], ids=lambda v: v.name)
@pytest.mark.parametrize("lang", LANGS)
def test_every_error_is_tied_to_its_field(tab_for, seed, lang, visit):
    tab = tab_for("visitor", lang, visit.name)
    page = tab.page
    _open(page, visit, seed, lang)
    expect(page.locator(".error-summary")).to_be_focused()
    problems = page.evaluate(
        """() => {
            const problems = [];
            const describedBy = el => (el.getAttribute("aria-describedby") || "").split(/\\s+/);
            const described = [...document.querySelectorAll("[aria-describedby]")];
            for (const error of document.querySelectorAll(".field-error")) {
                if (!error.id || !described.some(el => describedBy(el).includes(error.id)))
                    problems.push("not tied to a field: " + error.textContent.trim());
            }
            for (const field of document.querySelectorAll("[aria-invalid=true]")) {
                const ids = describedBy(field).filter(id => id);
                if (!ids.some(id => document.getElementById(id)?.classList.contains("field-error")))
                    problems.push("invalid without its message: " + field.name);
                for (const id of ids)
                    if (!document.getElementById(id)) problems.push("no element #" + id);
            }
            for (const link of document.querySelectorAll(".error-summary a")) {
                if (!document.querySelector(link.getAttribute("href")))
                    problems.push("summary link to nothing: " + link.getAttribute("href"));
            }
            return problems;
        }"""
    )
    assert not problems
    assert page.locator(".field-error").count() >= 1


FOCUS = [v for v in PUBLIC if v.name in FORMS] + LOGIN


@pytest.mark.parametrize("visit", FOCUS, ids=lambda v: v.name)
@pytest.mark.parametrize("lang", LANGS)
def test_every_focusable_element_shows_focus(tab_for, seed, lang, visit):
    tab = tab_for("visitor", lang, visit.name)
    page = tab.page
    _open(page, visit, seed, lang)
    page.locator("body").focus()
    visited = tab_through(page)
    assert len(visited) >= 3, [describe(e) for e in visited]
    invisible = [describe(e) for e in visited if not focus_is_visible(e)]
    assert not invisible, f"no visible focus on: {invisible}"


@pytest.mark.parametrize("kind", ["organization", "individual"])
@pytest.mark.parametrize("lang", LANGS)
def test_sign_on_fields_have_labels_and_autocomplete(tab_for, seed, lang, kind):
    tab = tab_for("visitor", lang, f"{kind}-form")
    page = tab.page
    page.goto(f"/{lang}/p/{seed['slug']}/sign/{kind}")
    fields = page.locator("form.form").evaluate(
        """form => [...form.querySelectorAll("input, select, textarea")]
            .filter(el => el.type !== "hidden" && !el.closest("[aria-hidden=true]"))
            .map(el => ({
                name: el.name,
                type: el.type,
                labels: [...el.labels].map(label => label.innerText.trim()),
                autocomplete: el.getAttribute("autocomplete") || "",
            }))"""
    )
    unlabelled = [f["name"] for f in fields if not any(f["labels"])]
    assert not unlabelled, f"fields without a label: {unlabelled}"
    typed = {f["name"]: f["autocomplete"] for f in fields if f["type"] not in ("checkbox", "radio")}
    assert typed == AUTOCOMPLETE[kind]
    # The trap for automated form fillers is out of reach: not focusable, not announced.
    trap = page.locator("[name=homepage]")
    expect(trap).to_have_attribute("tabindex", "-1")
    expect(trap).to_have_attribute("autocomplete", "off")


@pytest.mark.parametrize("visit", [v for v in PUBLIC if v.name in NARROW], ids=lambda v: v.name)
@pytest.mark.parametrize("lang", LANGS)
def test_no_sideways_scrolling_at_320_pixels(tab_for, seed, lang, visit):
    tab = tab_for("narrow", lang, visit.name)
    page = tab.page
    _open(page, visit, seed, lang)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{visit.name} is {width}px wide in a 320px window"

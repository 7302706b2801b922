"""Every page, error and API error as a French-speaking visitor meets them (fr-CA browser).

A Quebec editor's read of the whole site: every public page and admin page state of
test_every_page.py, every error status (also outside /fr/: /nope, /admin/..., a refused
login, the 500 page) and every API error, read in a browser whose language is fr-CA. Each
fails on:
- an English word in the visible text or in title, alt, aria-label, placeholder (names and
  other data from the database are left out, as is text marked with another `lang` or with
  translate="no", which is how codes are shown);
- an ordinary space (or none) before : ; ! ? » or after «;
- the platform's title inserted into a sentence without « ».
The same pages in English (en-CA) must hold no French-only word.
"""

from __future__ import annotations

import pytest

from petition.platforms.demo import RESOURCES, TEXTS
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.test_every_page import ADMIN, LOGIN, PUBLIC, _log_in, _open, _seed
from tests.browser.wording import HTML_LANG
from tests.french_text import bad_spaces, other_language_words, unquoted_titles

# What the seeded database holds: names and words people typed, shown as they are.
CONTENT = [
    "Collectif Pairs-Aidants de l'Estrie",
    "Harbourside Peer Collective",
    "Prairie Legal Rights Clinic",
    "Northern Lights Health Co-op",
    "Réseau communautaire du Saguenay",
    "Peer support and outreach.",
    "Soutien par les pairs.",
    "Coordinator",
    "Robin Okafor",
    "Marie-Ève Tremblay-Côté",
    "Sam Leclerc",
    "Alex Martin",
    "Jordan Beaulieu",
    "person with lived experience",
    "Coastal Overdose Response Network",
    "Island Harm Reduction Society",
    "Chris Nakamura",
    "Valley Outreach Collective",
    "Spam Spam Inc",
    "Not an organization.",
    "550 5.1.1 mailbox unavailable",
    "Confirm your endorsement",  # the subject of the seeded failed email, as it was sent
    "Harm Reduction at Work",
    "Development admin",
    # Proper nouns and codes.
    "English",
    "Français",
    "Canada",
    "Ottawa",
    "OpenAPI",
    "JSON",
    "CSV",
    "Atom",
    *(title for _kind, _url, _date, title, french in RESOURCES if not french),
]
TITLES = {lang: texts["title"] for lang, texts in TEXTS.items()}
# Beyond test_every_page's states: errors without a prefix, decided by the browser's language.
ERRORS = [
    ("no-such-page", "GET", "/nope", 404),
    ("no-such-admin-page", "GET", "/admin/nope", 404),
    ("no-such-language", "GET", "/de/", 404),
    ("no-such-platform", "GET", "/{lang}/p/no-such-platform/", 404),
    ("wrong-method", "DELETE", "/{lang}/privacy", 405),
    ("form-without-its-token", "POST", "/{lang}/p/{slug}/sign/organization", 400),
    ("admin-form-without-its-token", "POST", "/admin/login?lang={lang}", 400),
]
API_ERRORS = [
    ("GET", "/api/v1/nope", 404),
    ("GET", "/api/v1/platforms/no-such-platform", 404),
    ("GET", "/api/v1/platforms/{slug}/endorsers?province=XX&limit=5000", 400),
    ("GET", "/api/v1/platforms/{slug}/endorsers?cursor=Zm9v", 400),
    ("POST", "/api/v1/platforms", 405),
    ("DELETE", "/api/v1/openapi.json", 405),
]

READ = """() => {
    const skip = "[lang]:not([lang^='LANG']), [translate='no'], script, style, noscript, template";
    const attributes = [];
    for (const el of document.querySelectorAll("[title], [alt], [aria-label], [placeholder]")) {
        if (el.closest(skip)) continue;
        for (const name of ["title", "alt", "aria-label", "placeholder"])
            if (el.hasAttribute(name)) attributes.push(el.getAttribute(name));
    }
    for (const el of [...document.querySelectorAll(skip)].reverse())
        if (el !== document.documentElement) el.remove();
    return {title: document.title, lines: document.body.innerText.split(/[\\n\\t]/), attributes};
}"""


@pytest.fixture(scope="module")
def seed(shared_live_server) -> dict:
    return _seed(shared_live_server)


@pytest.fixture(scope="module")
def tabs(browser, shared_live_server, seed):
    made = {}

    def tab_of(kind: str, lang: str):
        if (kind, lang) not in made:
            context = browser.new_context(base_url=shared_live_server.url, locale=HTML_LANG[lang])
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            page = context.new_page()
            if kind == "admin":
                _log_in(page, f"admin-{lang}@coalition.example", lang)
            made[kind, lang] = page
        return made[kind, lang]

    yield tab_of
    for page in made.values():
        page.context.close()


def problems_of(read: dict, lang: str) -> list[str]:
    """Return what a reader of `lang` would mark on a page read by READ."""
    text = "\n".join([read["title"], *read["lines"], *read["attributes"]])
    problems = [
        f"word of the other language: {w}" for w in other_language_words(text, lang, CONTENT)
    ]
    if lang == "fr":
        problems += [
            f"space: {s!r}" for s in bad_spaces("\n".join([read["title"], *read["lines"]]))
        ]
        problems += [
            f"unquoted title: {line!r}" for line in unquoted_titles(read["lines"], [TITLES["fr"]])
        ]
    return problems


def _read(page, lang: str) -> dict:
    return page.evaluate(READ.replace("LANG", lang))


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("visit", PUBLIC + LOGIN[:1], ids=lambda v: v.name)
def test_public_pages_speak_one_language(tabs, seed, artifact_page, lang, visit):
    page = tabs("visitor", lang)
    artifact_page(page, visit.name)
    _open(page, visit, seed, lang)
    assert page.locator("html").get_attribute("lang") == HTML_LANG[lang]
    assert not problems_of(_read(page, lang), lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("visit", ADMIN, ids=lambda v: v.name)
def test_admin_pages_speak_one_language(tabs, seed, artifact_page, lang, visit):
    page = tabs("admin", lang)
    artifact_page(page, visit.name)
    _open(page, visit, seed, lang)
    assert page.locator("html").get_attribute("lang") == HTML_LANG[lang]
    assert not problems_of(_read(page, lang), lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("name", "method", "path", "status"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_pages_follow_the_browsers_language(
    tabs, seed, artifact_page, lang, name, method, path, status
):
    page = tabs("visitor", lang)
    artifact_page(page, name)
    url = path.format(lang=lang, **seed)
    if method == "GET":
        response = page.goto(url)
        assert response is not None and response.status == status
    else:
        response = page.request.fetch(
            url, method=method, headers={"Accept-Language": HTML_LANG[lang]}
        )
        assert response.status == status
        page.set_content(response.text())
    assert page.locator("html").get_attribute("lang") == HTML_LANG[lang]
    assert not problems_of(_read(page, lang), lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("method", "path", "status"), API_ERRORS)
def test_api_errors_are_json_in_the_browsers_language(tabs, seed, lang, method, path, status):
    page = tabs("visitor", lang)
    response = page.request.fetch(
        path.format(**seed), method=method, headers={"Accept-Language": HTML_LANG[lang]}
    )
    assert response.status == status
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["lang"] == lang
    words = [error["title"], error["message"], *error.get("fields", {}).values()]
    read = {"title": "", "lines": words, "attributes": []}
    assert not problems_of(read, lang)

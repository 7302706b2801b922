"""Public platform pages: listing, reading, language fallback, sanitizing, caching."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from petition.db_types import utcnow
from petition.extensions import db
from petition.platforms.models import PlatformStatus, ResourceKind
from tests.factories import add_resource, make_platform
from tests.pages import elements, text


@pytest.fixture
def platform(app):
    with app.app_context():
        platform = make_platform()
        add_resource(platform, ResourceKind.PODCAST, title_en="Episode one", title_fr="Épisode un")
        add_resource(platform, ResourceKind.REPORT, title_en="Only in English")
        db.session.commit()
        return platform.slug


def test_home_lists_published_platforms_only(app, client):
    with app.app_context():
        make_platform("visible")
        make_platform("hidden", status=PlatformStatus.DRAFT, texts={"en": {"title": "Secret"}})
        db.session.commit()
    page = client.get("/en/").get_data(as_text=True)
    assert "/en/p/visible/" in page
    assert "Secret" not in page
    assert "Version 1.0" in page
    assert "January 21, 2026" in page
    assert "Open for endorsements" in page
    french = client.get("/fr/").get_data(as_text=True)
    assert "Plateforme test" in french
    assert "21 janvier 2026" in french


def test_platform_page_in_both_languages(client, platform):
    english = client.get(f"/en/p/{platform}/").get_data(as_text=True)
    assert "<h1>Test platform</h1>" in english
    assert '<html lang="en-CA"' in english
    french = client.get(f"/fr/p/{platform}/").get_data(as_text=True)
    assert "<h1>Plateforme test</h1>" in french
    assert "Premier point" in french
    assert "Balados" in french and "Épisode un" in french


def test_language_switch_points_at_same_page(client, platform):
    page = client.get(f"/en/p/{platform}/?utm_source=mail").get_data(as_text=True)
    switch = re.search(
        r'<a class="lang-switch" href="([^"]+)" lang="([^"]+)" hreflang="([^"]+)"', page
    )
    assert switch is not None
    assert switch.group(1) == f"/fr/p/{platform}/?utm_source=mail"
    assert switch.group(2) == "fr-CA" and switch.group(3) == "fr-CA"
    back = client.get(switch.group(1)).get_data(as_text=True)
    assert f'href="/en/p/{platform}/?utm_source=mail"' in back


def test_draft_platform_is_404(app, client):
    with app.app_context():
        make_platform("draft-one", status=PlatformStatus.DRAFT)
        db.session.commit()
    assert client.get("/en/p/draft-one/").status_code == 404
    assert client.get("/fr/p/draft-one/print").status_code == 404


def test_closed_platform_says_signon_ended(app, client):
    with app.app_context():
        make_platform("closed-one", status=PlatformStatus.CLOSED)
        db.session.commit()
    assert "Sign-on has ended" in client.get("/en/p/closed-one/").get_data(as_text=True)
    assert "La période d'appui est terminée" in text(client.get("/fr/p/closed-one/"))


def test_signon_window_shown(app, client):
    with app.app_context():
        make_platform("later", signon_opens_at=utcnow() + timedelta(days=3))
        make_platform("past", signon_closes_at=utcnow() - timedelta(minutes=1))
        db.session.commit()
    assert "Sign-on opens" in client.get("/en/p/later/").get_data(as_text=True)
    assert "Sign-on has ended" in client.get("/en/p/past/").get_data(as_text=True)


def test_missing_french_text_falls_back_marked(app, client):
    with app.app_context():
        make_platform(
            "english-only",
            texts={"en": {"title": "English title", "summary": "English summary", "body": "Text"}},
        )
        db.session.commit()
    page = client.get("/fr/p/english-only/").get_data(as_text=True)
    assert '<h1 lang="en-CA">English title</h1>' in page
    assert "pas encore offert en français" in page
    assert '<html lang="fr-CA"' in page


def test_resource_title_falls_back_marked(client, platform):
    page = client.get(f"/fr/p/{platform}/").get_data(as_text=True)
    assert 'lang="en-CA">Only in English</a>' in page
    # Said in words too, as for platform texts: a reader sees the link leads to English.
    item = page[page.index("Only in English") :]
    assert item[: item.index("</li>")].count("(en anglais)") == 1
    assert "(en anglais)" not in page[page.index("Épisode un") :][:200]
    english = client.get(f"/en/p/{platform}/").get_data(as_text=True)
    assert "(in English)" not in english and "(in French)" not in english


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "[x](JaVaScRiPt:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_markdown_renders_inert(app, client, source):
    with app.app_context():
        make_platform(
            "unsafe",
            texts={
                "en": {"title": "T", "summary": "S", "body": f"Intro\n\n{source}\n"},
                "fr": {"title": "T", "summary": "S", "body": "x"},
            },
        )
        db.session.commit()
    page = client.get("/en/p/unsafe/").get_data(as_text=True)
    document = page.split('class="document"', 1)[1].split("</section>", 1)[0]
    tags = elements(document)
    assert {name for name, _ in tags} <= {"p", "a", "h2", "ol", "li", "strong", "em", "code"}
    for _name, attrs in tags:
        assert not any(key.startswith("on") for key, _value in attrs)
        assert not any((value or "").lower().startswith("javascript") for _key, value in attrs)


def test_markdown_keeps_safe_structure():
    from petition.markup import render_markdown

    html = render_markdown("# Title\n\n1. **One**\n2. [Two](https://example.org)")
    assert "<h2>Title</h2>" in html
    assert "<ol>" in html and "<strong>One</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_printable_view(client, platform):
    page = client.get(f"/en/p/{platform}/print").get_data(as_text=True)
    assert "Test platform" in page
    assert "print.css" in page
    assert "https://petition.test/en/p/test-platform/" in page


def test_public_pages_are_cacheable_and_cookieless(client, platform):
    for url in ("/en/", f"/en/p/{platform}/", f"/fr/p/{platform}/print"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "public" in response.headers["Cache-Control"]
        assert "Cookie" not in response.headers.get("Vary", "")


def test_demo_command_is_idempotent(app, runner):
    from sqlalchemy import func, select

    from petition.platforms.models import Platform, Resource

    first = runner.invoke(args=["petition", "demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["petition", "demo"])
    assert "already present" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Platform)) == 1
        assert db.session.scalar(select(func.count()).select_from(Resource)) >= 4
    client = app.test_client()
    assert "Décriminaliser dans la dignité" in client.get(
        "/fr/p/decriminalization-with-dignity/"
    ).get_data(as_text=True)

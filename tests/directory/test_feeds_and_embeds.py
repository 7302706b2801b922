"""Atom feed, sitemap, social tags, the embeddable widget and its snippet, cached counts."""

from __future__ import annotations

import html
import re
from datetime import datetime
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, or_, select, update

from petition.endorsements.models import DisplayMode, Endorsement, EndorsementStatus, Province
from petition.extensions import db
from tests.directory.endorsers import add_endorsement, add_individual
from tests.factories import make_platform
from tests.pages import elements, text

SLUG = "drug-policy"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def parse(response) -> ET.Element:
    """Parse one of our own XML responses."""
    return ET.fromstring(response.get_data())  # noqa: S314 - the app's output, not untrusted


@pytest.fixture
def endorsers(app):
    with app.app_context():
        platform = make_platform(SLUG)
        add_endorsement(platform, "Older Peer Network", minutes_ago=300, province=Province.MB)
        add_endorsement(
            platform,
            "Newer Drug Users Union",
            minutes_ago=5,
            by_and_for=True,
            about_fr="Syndicat de pairs.",
        )
        add_individual(platform, "Not In Feed Person", minutes_ago=1)
        add_endorsement(platform, "Pending Group", status=EndorsementStatus.PENDING_REVIEW)
        db.session.commit()


def test_atom_feed_lists_newly_approved_organizations(client, endorsers):
    response = client.get(f"/en/p/{SLUG}/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = parse(response)
    assert feed.tag == f"{ATOM}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-CA"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == (
        f"https://petition.test/en/p/{SLUG}/feed.atom"
    )
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == ["Newer Drug Users Union", "Older Peer Network"]
    ids = set()
    for entry in entries:
        ids.add(entry.findtext(f"{ATOM}id"))
        updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert updated.tzinfo is not None
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
    assert len(ids) == 2 and all(i.startswith("tag:petition.test,") for i in ids)
    newest = datetime.fromisoformat(entries[0].findtext(f"{ATOM}updated"))
    assert datetime.fromisoformat(feed.findtext(f"{ATOM}updated")) >= newest
    newer = entries[0]
    assert "Run by and for people who use drugs" in newer.findtext(f"{ATOM}summary")
    content = newer.find(f"{ATOM}content")
    assert content.text == "Syndicat de pairs."
    assert content.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr-CA"
    # Entry ids never reveal database ids, and stay the same from one fetch to the next.
    again = parse(client.get(f"/en/p/{SLUG}/feed.atom"))
    assert {e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")} == ids


def test_french_feed(client, endorsers):
    feed = parse(client.get(f"/fr/p/{SLUG}/feed.atom"))
    assert feed.findtext(f"{ATOM}title").startswith("Organismes qui appuient")
    assert "/fr/p/" in feed.find(f"{ATOM}link[@rel='alternate']").get("href")


def test_list_page_advertises_its_feed(client, endorsers):
    page = client.get(f"/en/p/{SLUG}/endorsers").get_data(as_text=True)
    assert f'type="application/atom+xml" href="/en/p/{SLUG}/feed.atom"' in page


def test_sitemap_lists_both_languages_with_alternates(client, endorsers):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    urlset = parse(response)
    urls = {url.findtext(f"{SITEMAP}loc"): url for url in urlset.findall(f"{SITEMAP}url")}
    for lang in ("en", "fr"):
        for path in ("/", f"/p/{SLUG}/", f"/p/{SLUG}/endorsers"):
            loc = f"https://petition.test/{lang}{path}"
            assert loc in urls, loc
            alternates = {
                link.get("hreflang"): link.get("href") for link in urls[loc].findall(f"{XHTML}link")
            }
            assert alternates == {
                "en-CA": f"https://petition.test/en{path}",
                "fr-CA": f"https://petition.test/fr{path}",
            }
            assert all(link.get("rel") == "alternate" for link in urls[loc].findall(f"{XHTML}link"))


@pytest.mark.parametrize("path", [f"/p/{SLUG}/", f"/p/{SLUG}/endorsers"])
def test_social_tags_on_platform_and_directory_pages(client, endorsers, path):
    for lang, locale, alternate in (("en", "en_CA", "fr_CA"), ("fr", "fr_CA", "en_CA")):
        page = client.get(f"/{lang}{path}").get_data(as_text=True)
        meta = {
            (attrs.get("property") or attrs.get("name")): attrs.get("content")
            for tag, attr_list in elements(page)
            if tag == "meta"
            for attrs in [dict(attr_list)]
        }
        assert meta["og:type"] == "website"
        assert meta["og:url"] == f"https://petition.test/{lang}{path}"
        assert meta["og:locale"] == locale and meta["og:locale:alternate"] == alternate
        assert meta["og:title"] and meta["og:description"]
        # With the share card (tests/logos/test_share_cards.py), a large image.
        assert meta["twitter:card"] == "summary_large_image"
        assert meta["og:image"].startswith(f"https://petition.test/{lang}/p/")
        assert meta["twitter:title"] == meta["og:title"]


def test_embed_widget_shows_count_and_signon_link(client, endorsers):
    page = text(client.get(f"/fr/p/{SLUG}/embed"))
    assert '<html lang="fr-CA"' in page
    assert "<strong>3</strong> appuis" in page
    links = [dict(attrs) for tag, attrs in elements(page) if tag == "a"]
    endorse = next(link for link in links if link["href"] == f"/fr/p/{SLUG}/")
    assert endorse["target"] == "_blank" and "noopener" in endorse["rel"]
    assert " style=" not in page and "<script" not in page
    english = text(client.get(f"/en/p/{SLUG}/embed"))
    assert "<strong>3</strong> endorsements" in english and "Endorse this platform" in english


def test_share_page_gives_the_snippet_in_both_languages(client, endorsers):
    page = client.get(f"/en/p/{SLUG}/share").get_data(as_text=True)
    snippets = [
        (lang, html.unescape(code))
        for lang, code in re.findall(
            r'<textarea id="snippet-(en|fr)"[^>]*>([^<]+)</textarea>', page
        )
    ]
    assert [lang for lang, _ in snippets] == ["en", "fr"]
    for lang, snippet in snippets:
        assert snippet.startswith(f'<iframe src="https://petition.test/{lang}/p/{SLUG}/embed"')
    assert 'title="Endorsements of “Test platform”"' in snippets[0][1]
    assert 'title="Appuis à «\u00a0Plateforme test\u00a0»"' in snippets[1][1]
    # The page itself frames the widget only as a preview, and may not be framed itself.
    response = client.get(f"/fr/p/{SLUG}/share")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Widget en français" in text(response)


def test_counts_are_exact_at_once(make_app):
    """Counts come from the count table, kept in step by triggers in each change's transaction:
    with the page cache off, the next page after any change shows it, even one made behind the
    app's back (as by hand in psql)."""
    uncached_app = make_app(PUBLIC_PAGE_CACHE_SECONDS=0)
    with uncached_app.app_context():
        platform = make_platform(SLUG)
        add_endorsement(platform, "First Group")
        add_endorsement(platform, "Second Group", status=EndorsementStatus.PENDING_REVIEW)
        db.session.commit()
    client = uncached_app.test_client()
    assert "<strong>1</strong>" in client.get(f"/en/p/{SLUG}/embed").get_data(as_text=True)
    with uncached_app.app_context(), db.engine.begin() as conn:
        conn.execute(update(Endorsement).values(status=EndorsementStatus.APPROVED))
    assert "<strong>2</strong>" in client.get(f"/en/p/{SLUG}/embed").get_data(as_text=True)
    with uncached_app.app_context():
        second = db.session.scalar(
            select(Endorsement).where(Endorsement.org_name == "Second Group")
        )
        second.status = EndorsementStatus.WITHDRAWN
        db.session.commit()
    assert "<strong>1</strong>" in client.get(f"/en/p/{SLUG}/embed").get_data(as_text=True)


def test_generate_endorsers_command(app, runner):
    with app.app_context():
        make_platform(SLUG)
        db.session.commit()
    result = runner.invoke(
        args=["petition", "generate-endorsers", "--platform", SLUG, "--count", "400"]
    )
    assert result.exit_code == 0, result.output
    assert "Added 400 approved and 13 other endorsements" in result.output
    with app.app_context():
        counts = dict(
            db.session.execute(
                select(Endorsement.status, func.count()).group_by(Endorsement.status)
            ).all()
        )
        assert counts.pop(EndorsementStatus.APPROVED) == 400
        assert set(counts) == {s for s in EndorsementStatus if s != EndorsementStatus.APPROVED}
        provinces = db.session.scalar(select(func.count(func.distinct(Endorsement.province))))
        assert provinces >= 10
        blank_keys = db.session.scalar(
            select(func.count()).where(
                Endorsement.status == EndorsementStatus.APPROVED,
                or_(
                    Endorsement.display_mode.is_(None),
                    Endorsement.display_mode != DisplayMode.COUNTED_ONLY,
                ),
                Endorsement.sort_key_en == "",
            )
        )
        assert blank_keys == 0
    again = runner.invoke(
        args=["petition", "generate-endorsers", "--platform", SLUG, "--count", "10"]
    )
    assert again.exit_code == 0, again.output
    missing = runner.invoke(args=["petition", "generate-endorsers", "--platform", "nope"])
    assert missing.exit_code != 0 and "No platform with slug" in missing.output

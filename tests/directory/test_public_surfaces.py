"""Every public surface shows approved endorsers only, and never an email address or IP hash.

One platform holds endorsements in every status; each test walks every public endpoint (list
with filters, exports, printable list, feed, widget, share page, sitemap, platform page, API).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from petition.db_types import utcnow
from petition.endorsements.models import (
    DisplayMode,
    Endorsement,
    EndorsementStatus,
    OrgType,
    Province,
)
from petition.extensions import db
from petition.platforms.models import Platform
from tests.directory.endorsers import add_endorsement, add_individual
from tests.factories import make_platform

SLUG = "drug-policy"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NOT_PUBLIC = [s for s in EndorsementStatus if s != EndorsementStatus.APPROVED]


def public_urls(slug: str = SLUG) -> list[str]:
    urls = ["/sitemap.xml", "/api/v1/platforms", "/api/v1/openapi.json"]
    for lang in ("en", "fr"):
        base = f"/{lang}/p/{slug}"
        urls += [
            f"/{lang}/",
            f"{base}/",
            f"{base}/endorsers",
            f"{base}/endorsers?sort=date",
            f"{base}/endorsers?kind=individual",
            f"{base}/endorsers?kind=organization&by_and_for=1",
            f"{base}/endorsers?province=QC&org_type=drug_user_group",
            f"{base}/endorsers?q=status",
            f"{base}/endorsers?q=counted",
            f"{base}/endorsers.csv",
            f"{base}/endorsers.csv?kind=individual",
            f"{base}/endorsers.json",
            f"{base}/endorsers.json?q=status",
            f"{base}/endorsers/print",
            f"{base}/embed",
            f"{base}/share",
            f"{base}/feed.atom",
            f"/api/v1/platforms/{slug}?lang={lang}",
            f"/api/v1/platforms/{slug}/endorsers?lang={lang}",
            f"/api/v1/platforms/{slug}/endorsers?lang={lang}&kind=individual&sort=date",
            f"/api/v1/platforms/{slug}/endorsers?lang={lang}&q=status",
        ]
    return urls


@pytest.fixture
def crowd(app):
    """A platform with public endorsers and with endorsements that must never be shown."""
    secrets: list[str] = []
    with app.app_context():
        platform = make_platform(SLUG)
        visible = [
            add_endorsement(
                platform,
                "Réseau Visible des Pairs",
                province=Province.QC,
                city="Rimouski",
                org_type=OrgType.DRUG_USER_GROUP,
                by_and_for=True,
                website="https://reseau-visible.example",
                about_en="Peer support on the lower St. Lawrence.",
                name="Ximena Secretcontact",
                email="contact@reseau-visible.example",
            ),
            add_endorsement(
                platform,
                "Open Door Collective",
                contact_public=True,
                name="Yusuf Listedcontact",
                title="Coordinator",
            ),
            add_individual(platform, "Quinn Visibleperson", email="quinn@example.net"),
        ]
        counted = add_individual(
            platform, "Zephyr Countedonly", display_mode=DisplayMode.COUNTED_ONLY
        )
        secrets += ["Zephyr", "Countedonly", "Ximena", "Secretcontact"]
        hidden = [counted]
        for status in NOT_PUBLIC:
            label = status.value.replace("_", " ").title().replace(" ", "")
            hidden.append(add_endorsement(platform, f"Status{label} Organization", status=status))
            hidden.append(add_individual(platform, f"Status{label} Person", status=status))
            secrets.append(f"Status{label}")
        # Nobody's email address or IP hash is public, listed or not.
        for row in visible + hidden:
            secrets += [row.email, row.ip_hash]
        names = [e.org_name or e.name for e in visible]
        db.session.commit()
    return {"visible": names, "secrets": secrets}


def test_every_public_surface_shows_only_approved_endorsers(client, crowd):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for secret in crowd["secrets"]:
            assert secret not in body, (url, secret)
        assert not EMAIL.findall(body), (url, EMAIL.findall(body))


def test_public_surfaces_do_show_the_approved_endorsers(client, crowd):
    org, open_door, person = crowd["visible"]
    for lang in ("en", "fr"):
        base = f"/{lang}/p/{SLUG}"
        for url in (
            f"{base}/endorsers",
            f"{base}/endorsers.csv",
            f"{base}/endorsers.json",
            f"/api/v1/platforms/{SLUG}/endorsers?lang={lang}",
        ):
            body = client.get(url).get_data(as_text=True)
            assert org in body and person in body and open_door in body, url
            # Only the contact person who agreed to be listed is shown.
            assert "Yusuf Listedcontact" in body, url
        for url in (f"{base}/endorsers/print", f"{base}/feed.atom", f"{base}/"):
            body = client.get(url).get_data(as_text=True)
            assert org in body and open_door in body, url
            assert person not in body, url  # organizations only
    embed = client.get(f"/en/p/{SLUG}/embed").get_data(as_text=True)
    # 2 organizations and 2 individuals (one only counted): nothing else is counted.
    assert "<strong>4</strong> endorsements" in embed
    assert "2 organizations · 2 individuals" in embed


def test_withdrawing_removes_an_endorser_everywhere_at_once(app, client, crowd):
    from petition.endorsements import services

    with app.app_context():
        quinn = db.session.scalar(
            select(Endorsement).where(Endorsement.name == "Quinn Visibleperson")
        )
        services.withdraw(quinn)
        db.session.commit()
    for url in public_urls():
        assert "Quinn" not in client.get(url).get_data(as_text=True), url


@pytest.fixture
def embargoed(app):
    with app.app_context():
        platform = make_platform("embargoed", launch_at=utcnow() + timedelta(days=2))
        add_endorsement(platform, "Prairie Embargo Network", province=Province.SK)
        add_individual(platform, "Wren Embargoperson")
        db.session.commit()
    return "embargoed"


def set_launch(app, slug, when):
    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
        platform.launch_at = when
        db.session.commit()


def test_embargo_hides_everything_until_launch(app, client, embargoed):
    for url in public_urls(embargoed):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert "Embargo" not in body, url
    page = client.get(f"/en/p/{embargoed}/endorsers").get_data(as_text=True)
    assert "The list of endorsers will be published on" in page
    french = client.get(f"/fr/p/{embargoed}/endorsers").get_data(as_text=True)
    assert "La liste des appuis sera publiée le" in french
    assert "will be published on" in client.get(f"/en/p/{embargoed}/").get_data(as_text=True)
    embed = client.get(f"/en/p/{embargoed}/embed").get_data(as_text=True)
    assert "endorsements</p>" not in embed and "will be published on" in embed
    api = client.get(f"/api/v1/platforms/{embargoed}").get_json()
    assert api["endorsers"] == {
        "published": False,
        "publishes_at": api["endorsers"]["publishes_at"],
        "organizations": None,
        "individuals": None,
        "total": None,
    }
    assert api["by_province"] is None
    listing = client.get(f"/api/v1/platforms/{embargoed}/endorsers").get_json()
    assert listing["published"] is False and listing["data"] == [] and listing["total"] is None
    csv_body = client.get(f"/en/p/{embargoed}/endorsers.csv").get_data(as_text=True)
    assert len(csv_body.strip().splitlines()) == 1  # the header only
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"/p/{embargoed}/endorsers" not in sitemap
    assert f"/en/p/{embargoed}/" in sitemap

    set_launch(app, embargoed, utcnow() - timedelta(seconds=1))
    for url in (
        f"/en/p/{embargoed}/endorsers",
        f"/fr/p/{embargoed}/endorsers.csv",
        f"/en/p/{embargoed}/feed.atom",
        f"/api/v1/platforms/{embargoed}/endorsers",
    ):
        assert "Prairie Embargo Network" in client.get(url).get_data(as_text=True), url
    assert f"/en/p/{embargoed}/endorsers" in client.get("/sitemap.xml").get_data(as_text=True)
    assert client.get(f"/api/v1/platforms/{embargoed}").get_json()["endorsers"]["total"] == 2


def test_draft_platform_has_no_public_directory(app, client):
    from petition.platforms.models import PlatformStatus

    with app.app_context():
        platform = make_platform("secret-draft", status=PlatformStatus.DRAFT)
        add_endorsement(platform, "Draft Only Society")
        db.session.commit()
    for url in public_urls("secret-draft"):
        response = client.get(url)
        if "secret-draft" in url:
            assert response.status_code == 404, url
        assert "Draft Only Society" not in response.get_data(as_text=True), url


def test_public_pages_are_cookieless_and_cacheable(client, crowd):
    for url in public_urls():
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert "public" in response.headers["Cache-Control"], url
        # Browsers ask again every time; a proxy or CDN may keep it one second.
        assert "max-age=0" in response.headers["Cache-Control"], url
        assert "s-maxage=1" in response.headers["Cache-Control"], url


def test_only_the_embed_page_may_be_framed(client, crowd):
    embed = client.get(f"/fr/p/{SLUG}/embed")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    for url in public_urls():
        if url.endswith("/embed"):
            continue
        response = client.get(url)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Frame-Options"] == "DENY", url


def test_individual_appears_as_chosen(app, client):
    with app.app_context():
        platform = make_platform(SLUG)
        add_individual(
            platform,
            "Marie-Ève Tremblay-Côté",
            display_mode=DisplayMode.FIRST_INITIAL,
            city="Rimouski",
            province=Province.QC,
        )
        add_individual(
            platform,
            "Jonah Descriptorperson",
            display_mode=DisplayMode.DESCRIPTOR,
            descriptor="Peer worker",
            city="Sudbury",
            title="Secret Employer Inc.",
        )
        db.session.commit()
    page = client.get(f"/en/p/{SLUG}/endorsers").get_data(as_text=True)
    assert "Marie-Ève T." in page and "Tremblay-Côté" not in page
    assert "Peer worker, Sudbury" in page
    assert "Jonah" not in page and "Secret Employer" not in page
    data = client.get(f"/api/v1/platforms/{SLUG}/endorsers").get_json()["data"]
    assert {item["name"] for item in data} == {"Marie-Ève T.", "Peer worker, Sudbury"}
    assert all(item["title"] is None for item in data)


def test_queries_return_nothing_before_launch_whoever_calls_them(app, embargoed):
    from petition.directory import services

    with app.test_request_context("/en/"):
        platform = db.session.scalar(select(Platform).where(Platform.slug == embargoed))
        filters = services.Filters()
        assert services.totals(platform).total == 0
        assert services.matching_count(platform, filters) == 0
        assert services.list_page(platform, filters, "en").items == []
        assert services.list_slice(platform, filters, "en", 10).items == []
        assert list(services.iter_listed(platform, filters, "en")) == []
        assert services.recent_organizations(platform) == []
        assert services.organizations_by_province(platform, "en") == []
        assert {c.count for c in services.province_counts(platform, filters, "en")} == {0}

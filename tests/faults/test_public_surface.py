"""Everything the public can reach shows nothing private.

A crawler starts at the home page in both languages and follows every link, GET form and URL it
finds (pages, feeds, exports, API documents, sitemap), plus every public GET route of the URL map
(API, feed, export, embed... whatever exists when the test runs). The database holds
endorsements in every status, on a published platform, an embargoed one and a draft, each with
unique marker text. No response may contain an email address, an IP address or hash, a contact
person who did not agree to be listed, or anything of an endorsement the public may not see.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from petition.db_types import utcnow
from petition.endorsements.models import Endorsement, EndorsementStatus
from petition.extensions import db
from petition.platforms.models import PlatformStatus
from tests.factories import make_endorsement, make_platform
from tests.faults.crawl import Crawler
from tests.faults.live import hidden_value
from tests.faults.routes import public_get_routes
from tests.faults.test_headers import check_headers
from tests.signon import ORGANIZATION

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PO = Path(__file__).resolve().parents[2] / "petition/translations/fr/LC_MESSAGES/messages.po"
SIGNER_IP = "203.0.113.77"
BASE_URL = "https://petition.test"


class Markers:
    """Unique strings planted in the database: `forbidden` must never be public."""

    def __init__(self) -> None:
        self.forbidden: dict[str, str] = {}
        self.count = 0

    def new(self, label: str, *, forbidden: bool) -> str:
        self.count += 1
        # Letters only, so search keys and sort keys keep them whole.
        value = f"Zq{label.replace('_', '').title()}{'abcdefghij'[self.count % 10]}{self.count}x"
        if forbidden:
            self.forbidden[value] = label
        return value


def _endorsements(platform, markers: Markers, *, visible_platform: bool) -> None:
    """Add one organization and individuals in every status (and every way of appearing)."""
    for status in EndorsementStatus:
        public = visible_platform and status == EndorsementStatus.APPROVED
        for contact_public in (False, True) if public else (False,):
            # The contact person is public only if the organization chose so.
            contact_shown = public and contact_public
            make_endorsement(
                platform,
                status.value,
                email=f"{markers.new(f'{status}-org-email', forbidden=True)}@members.example",
                ip_hash=markers.new("iphash", forbidden=True).lower().ljust(64, "0")[:64],
                org_name=markers.new(f"{status}-org", forbidden=not public),
                org_name_fr=markers.new(f"{status}-org-fr", forbidden=not public),
                about_en=markers.new(f"{status}-about", forbidden=not public),
                about_fr=markers.new(f"{status}-about-fr", forbidden=not public),
                website="https://"
                + markers.new(f"{status}-site", forbidden=not public).lower()
                + ".example",
                city=markers.new(f"{status}-org-city", forbidden=not public),
                name=markers.new(f"{status}-contact", forbidden=not contact_shown)
                + " "
                + markers.new(f"{status}-contact-surname", forbidden=not contact_shown),
                title=markers.new(f"{status}-contact-title", forbidden=not contact_shown),
                contact_public=contact_public,
            )
        for mode in ("full_name", "first_initial", "descriptor", "counted_only"):
            if not public and mode != "full_name":
                continue
            named = public and mode in ("full_name", "first_initial", "descriptor")
            make_endorsement(
                platform,
                status.value,
                kind="individual",
                display_mode=mode,
                email=f"{markers.new(f'{status}-person-email', forbidden=True)}@people.example",
                ip_hash=markers.new("iphash", forbidden=True).lower().ljust(64, "0")[:64],
                # The first name shows in "first name and initial"; the surname only in full.
                name=markers.new(
                    f"{status}-first",
                    forbidden=not (public and mode in ("full_name", "first_initial")),
                )
                + " "
                + markers.new(f"{status}-surname", forbidden=not (public and mode == "full_name")),
                title=markers.new(
                    f"{status}-affiliation", forbidden=not (public and mode == "full_name")
                ),
                descriptor=markers.new(
                    f"{status}-descriptor", forbidden=not (public and mode == "descriptor")
                ),
                city=markers.new(f"{status}-city", forbidden=not named),
            )


@pytest.fixture
def surface(make_app):
    app = make_app(BASE_URL=BASE_URL)
    markers = Markers()
    with app.app_context():
        published = make_platform("published-platform")
        embargoed = make_platform(
            "embargoed-platform",
            launch_at=utcnow() + timedelta(days=30),
            texts={
                "en": {"title": "Embargoed platform", "summary": "S", "body": "B"},
                "fr": {"title": "Plateforme sous embargo", "summary": "S", "body": "B"},
            },
        )
        draft = make_platform(
            "draft-platform",
            status=PlatformStatus.DRAFT,
            texts={
                lang: {
                    "title": markers.new(f"draft-title-{lang}", forbidden=True),
                    "summary": "",
                    "body": "",
                }
                for lang in ("en", "fr")
            },
        )
        _endorsements(published, markers, visible_platform=True)
        _endorsements(embargoed, markers, visible_platform=False)
        _endorsements(draft, markers, visible_platform=False)
        public_logos = _logos(published, markers)
        slugs = [published.slug, embargoed.slug, draft.slug]
        db.session.commit()
    # One sign-on through the real form from a known address, then approved.
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = SIGNER_IP
    page = client.get(f"/en/p/{slugs[0]}/sign/organization").get_data(as_text=True)
    data = {
        **ORGANIZATION,
        "org_name": "Riverbend Outreach Cooperative",
        "email": "riverbend-signer@members.example",
        "csrf_token": hidden_value(page, "csrf_token"),
        "started": hidden_value(page, "started"),
    }
    assert client.post(f"/en/p/{slugs[0]}/sign/organization", data=data).status_code == 303
    with app.app_context():
        row = db.session.scalar(
            select(Endorsement).where(Endorsement.org_name == "Riverbend Outreach Cooperative")
        )
        row.status = EndorsementStatus.APPROVED
        row.approved_at = utcnow()
        markers.forbidden[row.ip_hash] = "ip hash of a real sign-on"
        markers.forbidden[row.email] = "email of a real sign-on"
        db.session.commit()
    markers.forbidden[SIGNER_IP] = "IP address of a real sign-on"
    app.config["test.public_logos"] = public_logos
    return app, slugs, markers


def _logos(published, markers: Markers) -> list[str]:
    """Give every organization a logo (approved, or awaiting review); return the public ones.

    A logo's digest is its URL: one of an organization the public may not see, or one still
    awaiting review, must appear nowhere (and its file answers 404).
    """
    from petition.endorsements.models import EndorsementKind
    from petition.logos import services as logos
    from petition.logos.images import clean
    from tests.logos import samples

    public = []
    rows = db.session.scalars(
        select(Endorsement).where(Endorsement.kind == EndorsementKind.ORGANIZATION)
    )
    for number, row in enumerate(rows):
        approved = number % 2 == 0
        logo = logos.submit(row.id, clean(samples.png((120 + number, 80))), approved=approved)
        if (
            approved
            and row.platform_id == published.id
            and row.status == EndorsementStatus.APPROVED
        ):
            public.append(logo.digest)
        else:
            markers.forbidden[logo.digest] = f"logo of a {row.status} organization ({approved=})"
    assert public
    return public


def _allowed_addresses(app) -> set[str]:
    """Addresses the site itself publishes: its contact, its sender, examples in the UI text."""
    catalogue = PO.read_text(encoding="utf-8")
    return {
        app.config["PRIVACY_CONTACT"],
        app.config["MAIL_DEFAULT_SENDER"],
        *EMAIL.findall(catalogue),
    }


def _frameable(app, path: str) -> bool:
    try:
        endpoint, _args = app.url_map.bind("petition.test").match(path.split("?")[0])
    except HTTPException:
        return False
    return bool(getattr(app.view_functions[endpoint], "_frameable", False))


def _seeds(app, slugs: list[str]) -> list[str]:
    seeds = ["/", "/en/", "/fr/"]
    for route in public_get_routes(app):
        if "token" in route.arguments:
            continue  # A signer's own links, not the public surface.
        for slug in slugs if "slug" in route.arguments else [None]:
            for lang in ("en", "fr") if "lang" in route.arguments else [None]:
                seeds.append(route.url({"slug": slug, "lang": lang}))
    return seeds


def test_nothing_private_on_any_public_page(surface):
    app, slugs, markers = surface
    client = app.test_client()
    crawler = Crawler(client, BASE_URL, allow=lambda path: not path.startswith("/admin"))
    pages = crawler.crawl(_seeds(app, slugs))
    assert len(pages) > 20

    # Search boxes: look for the hidden endorsers by part of their names.
    searched = set()
    probes = [m for m, label in markers.forbidden.items() if "email" not in label][::7][:12]
    for form in crawler.forms():
        if form.method != "get":
            continue
        action = form.action.split("?")[0]
        for name in [f.name for f in form.fields if f.kind in ("text", "search")]:
            if (action, name) in searched:
                continue
            searched.add((action, name))
            for marker in probes:
                query = urlencode({**dict(form.defaults()), name: marker[2:-3]})
                pages[f"{action}?{query}"] = crawler.fetch(f"{action}?{query}")

    allowed = _allowed_addresses(app)
    for path, page in pages.items():
        assert page.status < 500, path
        body = page.body
        leaked = {label for marker, label in markers.forbidden.items() if marker in body}
        assert not leaked, f"{path} shows {sorted(leaked)}"
        addresses = set(EMAIL.findall(body)) - allowed
        assert not addresses, f"{path} shows email addresses {addresses}"
        check_headers(page.headers, frameable=_frameable(app, path), https=True, what=path)
        if page.status < 400 and page.mimetype == "text/html" and 'method="post"' not in body:
            # A page without a form has no reason to set a cookie (and CDNs can cache it).
            assert not page.cookies, f"{path} sets a cookie"
    # The approved logos of listed organizations are on the wall, and their files are served.
    for digest in app.config["test.public_logos"]:
        path = f"/media/logos/{digest}.png"
        assert path in pages and pages[path].status == 200, path
    print(f"crawled {len(pages)} public responses ({len(searched)} search boxes)")

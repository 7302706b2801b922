"""Trending sources on a generated data set: four quiet weeks, then a burst."""

from __future__ import annotations

from datetime import timedelta

import pytest

from petition.abuse_console import trending
from petition.db_types import utcnow
from petition.extensions import db
from petition.platforms.models import Platform
from petition.screening import fingerprint
from tests.abuse_console.forms_in_pages import form_with
from tests.abuse_console.test_lists import add_entry, admin_client
from tests.factories import make_endorsement
from tests.pages import text

BURST_HASH = "f" * 64
OFFICE_HASH = "0123456789ab" + "c" * 52
QUIET_HASHES = [f"{n:02d}" * 32 for n in range(10, 40)]


def generate(app):
    """Four weeks of ordinary sign-ons, then in the last day a burst and a multi-group signer."""
    now = utcnow()
    with app.app_context():
        platform = db.session.query(Platform).one()
        # The usual: gmail.com 10 a day, a partner's domain 2 a day, over 28 days.
        for day in range(1, 29):
            at = now - timedelta(days=day, hours=3)
            for n in range(10):
                make_endorsement(
                    platform,
                    email=f"p{day}-{n}@gmail.com",
                    created_at=at,
                    ip_hash=QUIET_HASHES[n],
                    org_name=f"Group {day}-{n}",
                )
            for n in range(2):
                make_endorsement(
                    platform,
                    email=f"s{day}-{n}@partner-network.example",
                    created_at=at,
                    ip_hash=QUIET_HASHES[20 + n],
                    org_name="Partner Network",
                )
        # The last day: gmail.com at its usual rate, 30 more than usual from a new domain
        # (but spread over the day), and a burst of 200 in the last hour from one network.
        for n in range(10):
            make_endorsement(
                platform,
                email=f"today{n}@gmail.com",
                created_at=now - timedelta(hours=2 + n),
                ip_hash=QUIET_HASHES[n],
                org_name=f"Today {n}",
            )
        for n in range(30):
            make_endorsement(
                platform,
                email=f"n{n}@new-coalition.example",
                created_at=now - timedelta(hours=2, minutes=n * 20),
                ip_hash=QUIET_HASHES[25],
                org_name="New Coalition",
            )
        for n in range(200):
            make_endorsement(
                platform,
                status="approved",
                kind="individual",
                email=f"burst{n}@quick-throwaway.example",
                created_at=now - timedelta(minutes=n % 50),
                ip_hash=BURST_HASH,
            )
        # One network signing for four different organizations in the day.
        for name in ("Alpha Collective", "Beta Collective", "Gamma Network", "Delta Group"):
            make_endorsement(
                platform,
                email=f"x@{name.split()[0].lower()}.example",
                created_at=now - timedelta(hours=5),
                ip_hash=OFFICE_HASH,
                org_name=name,
            )
        db.session.commit()
        return platform.id  # fmt: skip


@pytest.fixture
def generated(app, platform):
    generate(app)
    return platform


def test_burst_tops_both_lists_and_usual_traffic_does_not_trend(app, generated):
    with app.app_context():
        result = trending.for_platform(db.session.query(Platform).one())
    top_domain = result.domains[0]
    assert (top_domain.value, top_domain.last_hour, top_domain.last_day) == (
        "quick-throwaway.example", 200, 200)  # fmt: skip
    assert top_domain.usual_per_day == 0
    top_ip = result.fingerprints[0]
    assert top_ip.value == fingerprint(BURST_HASH) and top_ip.last_hour == 200
    # The steady excess of a new domain comes second; gmail.com at its usual rate not at all.
    assert [s.value for s in result.domains[:2]] == [
        "quick-throwaway.example",
        "new-coalition.example",
    ]
    assert "gmail.com" not in [s.value for s in result.domains]
    assert "partner-network.example" not in [s.value for s in result.domains]
    # Never an address or a whole hash.
    assert all(len(s.value) == 12 for s in result.fingerprints)


def test_free_mail_is_weighted_down(app, platform):
    now = utcnow()
    with app.app_context():
        platform_row = db.session.query(Platform).one()
        for n in range(20):
            make_endorsement(
                platform_row,
                email=f"a{n}@gmail.com",
                created_at=now - timedelta(minutes=5),
                ip_hash=QUIET_HASHES[n],
            )
            make_endorsement(
                platform_row,
                email=f"b{n}@harbour-peers.example",
                created_at=now - timedelta(minutes=5),
                ip_hash=QUIET_HASHES[n],
            )
        db.session.commit()
        result = trending.for_platform(platform_row)
    by_value = {s.value: s for s in result.domains}
    assert by_value["gmail.com"].last_hour == by_value["harbour-peers.example"].last_hour == 20
    assert by_value["gmail.com"].free_mail
    assert by_value["gmail.com"].score * trending.FREE_MAIL_WEIGHT == pytest.approx(
        by_value["harbour-peers.example"].score
    )
    assert [s.value for s in result.domains] == ["harbour-peers.example", "gmail.com"]
    # A free-mail domain gets no one-click Block button (many real people share it).
    page = admin_client(app).get("/admin/abuse")
    form_with(page, kind="domain", value="harbour-peers.example")
    with pytest.raises(AssertionError):
        form_with(page, kind="domain", value="gmail.com")


def test_one_network_signing_for_several_organizations_is_highlighted(app, generated):
    with app.app_context():
        result = trending.for_platform(db.session.query(Platform).one())
    office = next(s for s in result.fingerprints if s.value == fingerprint(OFFICE_HASH))
    assert office.organizations == 4 and office.several_organizations
    admin = admin_client(app)
    page = admin.get("/admin/")
    assert "signed for several organizations" in text(page)


@pytest.mark.parametrize("path", ["/admin/", "/admin/queue?platform=drug-policy", "/admin/abuse"])
def test_trending_shows_on_dashboard_queue_and_console(app, generated, path):
    moderator = admin_client(app, "moderator@coalition.example")
    page = text(moderator.get(path))
    assert "quick-throwaway.example" in page and fingerprint(BURST_HASH) in page
    assert BURST_HASH not in page
    # Moderators see the sources, not the buttons that change the lists.
    assert ">Block<" not in page and "Invalidate…" not in page
    admin = admin_client(app)
    assert ">Block<" in text(admin.get(path))


def test_blocked_source_is_marked_and_offers_no_block_button(app, generated):
    admin = admin_client(app)
    add_entry(admin, kind="ip", value=fingerprint(BURST_HASH))
    with app.app_context():
        result = trending.for_platform(db.session.query(Platform).one())
    assert result.fingerprints[0].blocked
    assert not result.domains[0].blocked


def test_moderation_list_searched_by_fingerprint_and_domain(app, generated):
    moderator = admin_client(app, "moderator@coalition.example")
    by_ip = text(moderator.get(f"/admin/endorsements?fingerprint={fingerprint(OFFICE_HASH)}"))
    assert "4 endorsements" in by_ip and "Gamma Network" in by_ip
    by_domain = text(moderator.get("/admin/endorsements?domain=new-coalition.example"))
    assert "30 endorsements" in by_domain
    # A subdomain search finds nothing of its parent; nonsense finds nothing at all.
    assert "0 endorsements" in text(
        moderator.get("/admin/endorsements?domain=sub.new-coalition.example")
    )
    assert "0 endorsements" in text(moderator.get("/admin/endorsements?fingerprint=zz%25"))
    assert "0 endorsements" in text(moderator.get("/admin/endorsements?domain=%25"))

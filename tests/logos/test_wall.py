"""The logo wall: who leads, approved logos only, initials otherwise, in both languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from petition.db_types import utcnow
from petition.extensions import db
from petition.logos import services as logos
from petition.logos import tiles
from petition.logos.images import clean
from petition.platforms.models import WallOrder
from tests.factories import make_endorsement, make_platform
from tests.logos import samples
from tests.pages import text


@pytest.fixture
def app(make_app):
    return make_app()


def _org(platform, name, status="approved", **fields):
    return make_endorsement(platform, status, org_name=name, approved_at=utcnow(), **fields)


@pytest.fixture
def world(app):
    with app.app_context():
        platform = make_platform("drug-policy")
        _org(platform, "Allied Legal Clinic")
        _org(platform, "Zenith Health Network", founding=True)
        _org(platform, "Mountain Peers Union", by_and_for=True)
        bayside = _org(
            platform, "Bayside Users Collective", by_and_for=True, org_name_fr="Collectif Baie"
        )
        waiting = _org(platform, "Cedar Research Centre")
        hidden = _org(platform, "Quiet Pending Society", status="pending_review")
        approved_logo = logos.submit(bayside.id, clean(samples.png()), approved=True)
        waiting_logo = logos.submit(waiting.id, clean(samples.webp()))
        pending_org_logo = logos.submit(hidden.id, clean(samples.jpeg_with_exif()), approved=True)
        db.session.commit()
        return {
            "approved": approved_logo.digest,
            "waiting": waiting_logo.digest,
            "unlisted": pending_org_logo.digest,
        }


def wall_names(page: str) -> list[str]:
    section = page[page.index('class="logo-wall"') :]
    section = section[: section.index("</section>")]
    names = re.findall(r'alt="([^"]+)"|class="logo-wall__name">([^<]+)<', section)
    return [alt or name for alt, name in names]


def set_order(app, order: WallOrder):
    from petition.platforms.models import Platform

    with app.app_context():
        db.session.scalar(db.select(Platform)).wall_order = order
        db.session.commit()


def test_by_and_for_groups_lead_then_founding_then_the_others(client, world):
    page = text(client.get("/en/p/drug-policy/"))
    assert wall_names(page) == [
        "Bayside Users Collective",
        "Mountain Peers Union",
        "Zenith Health Network",
        "Allied Legal Clinic",
        "Cedar Research Centre",
    ]
    assert page.index("Groups run by and for people who use drugs") < page.index(
        "Founding organizations"
    )


def test_a_platform_may_put_its_founding_organizations_first(app, client, world):
    set_order(app, WallOrder.FOUNDING_FIRST)
    names = wall_names(text(client.get("/en/p/drug-policy/endorsers")))
    assert names[:3] == [
        "Zenith Health Network",
        "Bayside Users Collective",
        "Mountain Peers Union",
    ]


def test_or_list_everyone_by_name(app, client, world):
    set_order(app, WallOrder.ALPHABETICAL)
    page = text(client.get("/fr/p/drug-policy/"))
    assert wall_names(page) == sorted(wall_names(page), key=str.lower)
    assert "Groupes gérés par et pour les personnes qui consomment des drogues" not in page


def test_only_approved_logos_show_with_the_name_as_alt_text_in_the_page_language(client, world):
    for lang, name in (("en", "Bayside Users Collective"), ("fr", "Collectif Baie")):
        body = client.get(f"/{lang}/p/drug-policy/").get_data(True)
        [img] = re.findall(r"<img[^>]*logo-wall__logo[^>]*>", body)
        assert f'alt="{name}"' in img and 'loading="lazy"' in img
        assert f"/media/logos/{world['approved']}.png" in img
        # A logo waiting for review shows initials; an unlisted organization shows nothing.
        assert world["waiting"] not in body and world["unlisted"] not in body
        assert ">CRC</span>" in body
        assert "Quiet Pending Society" not in body


def test_the_logo_file_is_served_only_while_it_is_on_a_wall(app, client, world):
    response = client.get(f"/media/logos/{world['approved']}.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Set-Cookie" not in response.headers
    for digest in (world["waiting"], world["unlisted"], "f" * 64, "not-a-digest"):
        assert client.get(f"/media/logos/{digest}.png").status_code == 404
    # An embargo hides the wall and the files with it.
    from petition.platforms.models import Platform

    with app.app_context():
        db.session.scalar(db.select(Platform)).launch_at = utcnow() + timedelta(days=3)
        db.session.commit()
    assert client.get(f"/media/logos/{world['approved']}.png").status_code == 404
    assert 'class="logo-wall"' not in client.get("/en/p/drug-policy/").get_data(True)


def test_the_printable_list_and_the_embed_code_with_logos_show_the_wall(client, world):
    assert wall_names(text(client.get("/en/p/drug-policy/endorsers/print")))[0] == (
        "Bayside Users Collective"
    )
    assert 'class="logo-wall"' not in client.get("/en/p/drug-policy/embed").get_data(True)
    embed = client.get("/fr/p/drug-policy/embed?logos=1").get_data(True)
    assert 'alt="Collectif Baie"' in embed
    share = text(client.get("/en/p/drug-policy/share"))
    assert "embed?logos=1" in share


def test_every_initials_color_has_enough_contrast():
    for background in tiles.PALETTE:
        assert tiles.contrast_ratio(background, tiles.FOREGROUND) >= 4.5, background


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Harbour Light Society", "HLS"),
        ("Collectif des usagers de l'Estrie", "CUE"),
        ("Élan", "É"),
        ("AIDS Committee of the North", "ACN"),
        ("123 Outreach", "1O"),
    ],
)
def test_initials(name, expected):
    assert tiles.initials(name) == expected


def test_admins_choose_who_leads_the_wall_in_the_platform_settings(app, client, world):
    from petition.platforms.models import Platform
    from tests.factories import make_admin_user
    from tests.logins import log_in
    from tests.platforms.test_admin import post, settings_data

    with app.app_context():
        make_admin_user("boss@example.org")
        db.session.commit()
    log_in(client, "boss@example.org")
    url = "/admin/platforms/drug-policy/settings"
    assert "Who leads the logo wall" in text(client.get(url))
    data = settings_data(slug="drug-policy", status="published", wall_order="founding_first")
    assert post(client, url, data).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(Platform)).wall_order == WallOrder.FOUNDING_FIRST
    assert post(client, url, {**data, "wall_order": "loudest"}).status_code == 422

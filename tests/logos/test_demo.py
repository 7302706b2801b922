"""The demo shows a logo wall led by groups run by and for people who use drugs."""

from __future__ import annotations

import re

import pytest

from petition.platforms.demo import DEMO_SLUG


@pytest.fixture
def app(make_app):
    return make_app()


def test_the_demo_wall_leads_with_by_and_for_groups_in_both_languages(app, client, runner):
    first = runner.invoke(args=["petition", "demo"])
    assert first.exit_code == 0 and "Demo logo wall: 8" in first.output
    again = runner.invoke(args=["petition", "demo"])
    assert again.exit_code == 0 and "Demo logo wall" not in again.output
    for lang, leader, heading in (
        ("en", "Harbourside Peer Collective", "Groups run by and for people who use drugs"),
        ("fr", "Collectif des usagers de l'Estrie", "Groupes gérés par et pour les personnes"),
    ):
        body = client.get(f"/{lang}/p/{DEMO_SLUG}/").get_data(True).replace("&#39;", "'")
        wall = body[body.index('class="logo-wall"') :]
        assert heading in wall
        names = re.findall(r'alt="([^"]+)"|class="logo-wall__name">([^<]+)<', wall)
        assert (names[0][0] or names[0][1]) == leader
        images = re.findall(r'src="(/media/logos/[0-9a-f]{64}\.png)"', wall)
        assert len(images) == 6
        assert all(client.get(src).status_code == 200 for src in images)
        # Two organizations have no logo: their initials stand in.
        assert wall.count('class="logo-wall__initials') == 2

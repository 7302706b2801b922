"""Per-language settings and orders: the site's name, and provinces in the reader's alphabet."""

from __future__ import annotations

import re

import pytest

from petition.extensions import db
from petition.forms import collation_key
from tests.factories import make_platform
from tests.pages import text

SLUG = "provinces"


@pytest.fixture
def platform(app):
    with app.app_context():
        make_platform(SLUG)
        db.session.commit()


def _province_options(page: str) -> list[str]:
    select = re.search(r'<select[^>]*name="province".*?</select>', page, re.S).group(0)
    return [
        label.strip()
        for value, label in re.findall(r'<option value="(\w*)"[^>]*>([^<]*)', select)
        if value
    ]


@pytest.mark.parametrize(
    "path",
    [f"/fr/p/{SLUG}/sign/organization", f"/fr/p/{SLUG}/sign/individual", f"/fr/p/{SLUG}/endorsers"],
)
def test_french_selects_list_provinces_in_french_alphabetical_order(client, platform, path):
    labels = _province_options(text(client.get(path)))
    assert labels[-1] == "À l'extérieur du Canada"
    assert labels[:-1] == sorted(labels[:-1], key=collation_key)
    # Île-du-Prince-Édouard sorts among the I's, not after Z as a plain sort would put it.
    assert labels.index("Colombie-Britannique") < labels.index("Île-du-Prince-Édouard")
    assert labels.index("Île-du-Prince-Édouard") < labels.index("Manitoba")
    assert labels.index("Québec") < labels.index("Saskatchewan")


def test_english_selects_keep_english_order(client, platform):
    labels = _province_options(text(client.get(f"/en/p/{SLUG}/sign/organization")))
    assert labels[:3] == ["Alberta", "British Columbia", "Manitoba"]
    assert labels[-1] == "Outside Canada"


def test_site_name_per_language(make_app):
    app = make_app(SITE_NAME="Dignity Coalition", SITE_NAME_FR="Coalition Dignité")
    with app.app_context():
        make_platform(SLUG)
        db.session.commit()
    client = app.test_client()
    french, english = text(client.get("/fr/")), text(client.get("/en/"))
    assert "<title>" in french and "Coalition Dignité" in french
    assert "Dignity Coalition" not in french
    assert "Dignity Coalition" in english and "Coalition Dignité" not in english


def test_site_name_fr_falls_back_to_site_name(make_app):
    app = make_app(SITE_NAME="Dignity Coalition")
    assert "Dignity Coalition" in text(app.test_client().get("/fr/"))

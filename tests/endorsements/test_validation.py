"""Bad input on the sign-on forms: a clear message by the field, in the page's language,
the input kept, and nothing stored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from petition.endorsements.models import Endorsement
from petition.endorsements.naming import first_name_initial, fold, sort_key
from petition.endorsements.signon import canonical_email
from petition.extensions import db
from petition.forms import normalize_website
from petition.outbox.models import OutboxMessage
from tests.pages import text
from tests.signon import sign

ORG_CASES = [
    ("org_name", "", "Enter the organization's name.", "Entrez le nom de l'organisme."),
    ("org_name", "x" * 201, "Use 200 characters or fewer.", "Utilisez au plus 200 caractères."),
    (
        "org_name",
        "<b>Bold</b> Org",
        "Remove the < and > characters",
        "Retirez les caractères < et >",
    ),
    (
        "org_name",
        "Bad\x07Bell",
        "invisible control characters",
        "caractères de contrôle invisibles",
    ),
    (
        "org_name",
        "Evil\u202eOrg",
        "invisible control characters",
        "caractères de contrôle invisibles",
    ),
    ("org_type", "", "Choose the type of organization.", "Choisissez le type d'organisme."),
    ("org_type", "bank", "Not a valid choice", "pas un choix valide"),
    (
        "province",
        "",
        "Choose a province or territory.",
        "Choisissez une province ou un territoire.",
    ),
    ("province", "XX", "Not a valid choice", "pas un choix valide"),
    ("city", "", "Enter a city or town.", "Entrez une ville ou un village."),
    (
        "website",
        "javascript:alert(1)",
        "Enter the website's address",
        "Entrez l'adresse du site web",
    ),
    ("website", "not a site", "Enter the website's address", "Entrez l'adresse du site web"),
    ("about", "y" * 501, "Use 500 characters or fewer.", "Utilisez au plus 500 caractères."),
    (
        "about",
        "<script>alert(1)</script>",
        "Remove the < and > characters",
        "Retirez les caractères < et >",
    ),
    ("name", None, "Enter the contact person's name.", "Entrez le nom de la personne-ressource."),
    ("title", "t" * 121, "Use 120 characters or fewer.", "Utilisez au plus 120 caractères."),
    ("email", "not-an-email", "Enter a valid email address", "Entrez une adresse courriel valide"),
    ("email", "", "Enter an email address.", "Entrez une adresse courriel."),
    (
        "email",
        "a@b.c" + "x" * 260,
        "Use 254 characters or fewer.",
        "Utilisez au plus 254 caractères.",
    ),
    ("authorized", None, "Confirm that you may endorse", "Confirmez que vous pouvez appuyer"),
    ("consent_public", None, "Agree to the public listing", "Acceptez l'affichage public"),
]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(("field", "value", "english", "french"), ORG_CASES)
def test_bad_organization_input(app, client, platform, lang, field, value, english, french):
    response = sign(client, platform, lang=lang, **{field: value})
    assert response.status_code == 422
    page = text(response)
    message = english if lang == "en" else french
    # In the summary at the top (linking to the field) and by the field itself.
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert message in summary
    assert f'href="#{field}"' in summary
    assert re.search(rf'id="{field}-error">.*?{re.escape(message)}', page, re.S)
    assert 'aria-describedby="' in page and f"{field}-error" in page
    # What the person typed in other fields is kept.
    if field != "city":
        assert 'value="Halifax"' in page
    assert count(app, Endorsement) == 0
    assert count(app, OutboxMessage) == 0


@pytest.mark.parametrize(
    ("fields", "english"),
    [
        ({"display_mode": None}, "Choose how you want to appear."),
        ({"display_mode": "everything"}, "Not a valid choice"),
        ({"display_mode": "descriptor", "descriptor": ""}, "Enter a short description"),
        ({"consent_public": None}, "Agree to be listed as you chose"),
        ({"name": "   "}, "Enter your name."),
    ],
)
def test_bad_individual_input(app, client, platform, fields, english):
    response = sign(client, platform, kind="individual", **fields)
    assert response.status_code == 422
    assert english in text(response)
    assert count(app, Endorsement) == 0


def test_counted_only_needs_no_listing_consent(app, client, platform):
    response = sign(
        client, platform, kind="individual", display_mode="counted_only", consent_public=None
    )
    assert response.status_code == 303
    assert count(app, Endorsement) == 1


def test_missing_csrf_token_stores_nothing(app, client, platform):
    response = client.post(f"/fr/p/{platform}/sign/organization", data={"org_name": "X"})
    assert response.status_code == 400
    assert "Ce formulaire a expiré" in text(response)
    assert count(app, Endorsement) == 0


def test_error_summary_is_focused_on_load(client, platform):
    page = text(sign(client, platform, org_name=""))
    assert "data-focus-on-load" in page and "js/forms.js" in page
    assert "<title>Error: Endorse as an organization" in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("example.org", "https://example.org"),
        ("http://Example.ORG/", "https://example.org"),
        ("https://example.org/about/us?lang=fr#top", "https://example.org/about/us?lang=fr"),
        ("www.réseau.example", "https://www.réseau.example"),
        ("", ""),
    ],
)
def test_website_normalized_to_https(typed, stored):
    assert normalize_website(typed) == stored


@pytest.mark.parametrize(
    "typed", ["javascript:alert(1)", "ftp://example.org", "https://user:pw@example.org", "nodot"]
)
def test_website_refused(typed):
    with pytest.raises(ValueError):
        normalize_website(typed)


def test_names_and_keys():
    assert canonical_email("  Info@Réseau.Example ") == "info@réseau.example"
    assert fold("L'Île aux usagers") == "l ile aux usagers"
    assert sort_key("L'Île aux usagers") == "ile aux usagers"
    assert sort_key("The Harbour Collective") == "harbour collective"
    assert sort_key("Éclosion") < sort_key("Fondation") < sort_key("Zeta")
    assert first_name_initial("Marie-Ève Tremblay-Côté") == "Marie-Ève T."
    assert first_name_initial("Cher") == "Cher"

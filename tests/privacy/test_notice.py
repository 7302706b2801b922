"""The privacy notice, in both languages, and the links that lead to it."""

from __future__ import annotations

import pytest

from petition.extensions import db
from tests.factories import make_platform
from tests.pages import text


def test_notice_in_english_gives_retention_and_contact_from_configuration(make_app):
    app = make_app(
        UNVERIFIED_RETENTION_DAYS=10,
        ANONYMIZE_AFTER_DAYS=1,
        PRIVACY_CONTACT="dpo@coalition.example",
    )
    response = app.test_client().get("/en/privacy")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public")
    page = text(response)
    assert "<h1>Privacy notice</h1>" in page
    assert "your sign-on is deleted after 10 days." in page
    assert "its personal details are erased 1 day later." in page
    assert '<a href="mailto:dpo@coalition.example">dpo@coalition.example</a>' in page
    assert "keyed hash of your IP address" in page
    assert "What is never public" in page
    assert "download everything we store" in page


def test_notice_in_french(make_app):
    app = make_app(UNVERIFIED_RETENTION_DAYS=7, ANONYMIZE_AFTER_DAYS=90)
    page = text(app.test_client().get("/fr/privacy"))
    assert '<html lang="fr-CA"' in page
    assert "<h1>Avis de confidentialité</h1>" in page
    assert "votre appui est supprimé après 7 jours." in page
    assert "effacés 90 jours plus tard." in page
    assert "empreinte à clé de votre adresse IP" in page
    assert "privacy@petition.test" in page


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_links_to_the_notice(app, client, lang):
    with app.app_context():
        make_platform("drug-policy")
        db.session.commit()
    paths = [
        f"/{lang}/",
        f"/{lang}/p/drug-policy/",
        f"/{lang}/p/drug-policy/sign/organization",
        f"/{lang}/p/drug-policy/sign/individual",
        f"/{lang}/p/no-such-platform/",
    ]
    for path in paths:
        assert f'href="/{lang}/privacy"' in client.get(path).get_data(True), path


@pytest.mark.parametrize("kind", ["organization", "individual"])
def test_sign_on_forms_point_to_the_notice_by_the_agreement(app, client, kind):
    with app.app_context():
        make_platform("drug-policy")
        db.session.commit()
    page = text(client.get(f"/fr/p/drug-policy/sign/{kind}"))
    # In the agreement section, where the signer decides what to consent to.
    assert page.index("<h2>Consentement</h2>") < page.index("avis de confidentialité</a>")
    assert "Comment nous utilisons et protégeons ces renseignements\u00a0:" in page

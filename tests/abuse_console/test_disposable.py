"""Disposable (throwaway) mail services are refused at the form, in the page's language,
unless an admin exempted the domain."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from petition.endorsements.models import Endorsement
from petition.extensions import db
from petition.outbox.models import OutboxMessage
from tests.abuse_console.test_lists import add_entry, admin_client
from tests.pages import text
from tests.signon import sign

MESSAGES = {
    "en": "This address is at a throwaway mail service.",
    "fr": "Cette adresse est celle d'un service de courriel jetable.",
}


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("kind", ["organization", "individual"])
def test_disposable_address_refused_with_a_field_message(app, platform, lang, kind):
    response = sign(app.test_client(), platform, kind=kind, lang=lang, email="x@mailinator.com")
    assert response.status_code == 422
    page = text(response)
    assert MESSAGES[lang] in page
    assert rows(app, Endorsement) == 0 and rows(app, OutboxMessage) == 0


def test_subdomain_of_a_disposable_service_is_refused_too(app, platform):
    response = sign(app.test_client(), platform, email="x@inbox.mailinator.com")
    assert response.status_code == 422 and MESSAGES["en"] in text(response)


def test_admin_exempts_a_false_positive(app, platform):
    admin = admin_client(app)
    assert (
        add_entry(admin, list_="disposable_ok", kind="domain", value="mailinator.com").status_code
        == 303
    )
    response = sign(app.test_client(), platform, email="x@mailinator.com")
    assert response.status_code == 303
    assert rows(app, Endorsement) == 1 and rows(app, OutboxMessage) == 1


def test_only_domains_can_be_exempted(app, platform):
    admin = admin_client(app)
    refused = add_entry(admin, list_="disposable_ok", kind="address", value="x@mailinator.com")
    assert refused.status_code == 422 and "Only a domain" in text(refused)

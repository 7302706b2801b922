"""Fixtures for the outbox tests: apps wired to the test SMTP server, and a test-only template."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import update

from petition.db_types import utcnow
from petition.extensions import db
from petition.outbox.models import OutboxMessage, OutboxStatus

# A template like the ones the sign-on flow sends: a one-time secret link and a public link,
# both built with external_url. It lives only in a temporary folder, never in the product.
SECRET_LINK_TEMPLATE = {
    "subject.txt": '{{ _("Hello,") }} {{ name }}\n',
    "txt": (
        '{% extends "email/_layout.txt" %}{% block content %}\n'
        "{{ _('Hello,') }} {{ name }}\n\n"
        "{{ external_url('platforms.show', slug='test-platform', token=token) }}\n"
        "{% endblock %}\n"
    ),
    "html": (
        '{% extends "email/_layout.html" %}'
        '{% from "email/_macros.html" import button with context %}'
        "{% block content %}<p>{{ _('Hello,') }} {{ name }}</p>"
        "{{ button(external_url('platforms.show', slug='test-platform', token=token), "
        "_('Visit the site')) }}{% endblock %}"
    ),
}


@pytest.fixture
def email_templates(tmp_path):
    """Return a function that lets an app render `email/tests/secret_link.*` from tmp_path."""
    folder = tmp_path / "templates" / "email" / "tests"
    folder.mkdir(parents=True)
    for suffix, source in SECRET_LINK_TEMPLATE.items():
        (folder / f"secret_link.{suffix}").write_text(source)

    def install(app):
        app.jinja_loader = ChoiceLoader(
            [FileSystemLoader(str(tmp_path / "templates")), app.jinja_loader]
        )
        return app

    return install


@pytest.fixture
def smtp_app(make_app, smtp_server, email_templates):
    """An app that sends through the test SMTP server and knows the test template."""
    return email_templates(make_app(**smtp_server.config))


@pytest.fixture
def console_app(make_app, email_templates):
    """An app with no MAIL_SERVER: the relay prints emails instead of sending them."""
    return email_templates(make_app(MAIL_SERVER=""))


def time_passes(app) -> None:
    """Make every queued message due now, as if its backoff had run out."""
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.QUEUED)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()

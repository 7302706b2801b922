from __future__ import annotations

import pytest

from petition.extensions import db
from tests.factories import make_platform


@pytest.fixture
def app(make_app, smtp_server):
    """The app sending real email over SMTP to the loopback test server."""
    return make_app(**smtp_server.config)


@pytest.fixture
def platform(app):
    with app.app_context():
        slug = make_platform("drug-policy").slug
        db.session.commit()
    return slug


@pytest.fixture
def deliver(app, smtp_server):
    """Run the outbox relay once and return the messages the SMTP server received since."""
    from petition.outbox.relay import drain

    def run():
        before = len(smtp_server.messages)
        with app.app_context():
            drain()
        return smtp_server.messages[before:]

    return run

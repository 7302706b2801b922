from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from petition.extensions import db
from tests.factories import make_platform


@pytest.fixture
def app(make_app):
    """The app with counts never cached, so a test sees its own changes at once."""
    return make_app()


@pytest.fixture
def platform(app):
    with app.app_context():
        slug = make_platform("drug-policy").slug
        db.session.commit()
    return slug


class ReadingClient(FlaskClient):
    """A test client that reads every response in full, as a server sends it.

    Downloads are streamed from a generator that holds the request context; a response left
    unread would be closed later, inside another test request.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = ReadingClient
    return app.test_client()

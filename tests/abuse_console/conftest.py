from __future__ import annotations

import pytest

from petition.extensions import db
from tests.factories import make_admin_user, make_platform


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.config)


@pytest.fixture
def platform(app):
    with app.app_context():
        slug = make_platform("drug-policy").slug
        make_admin_user("admin@coalition.example")
        make_admin_user("moderator@coalition.example", role="moderator")
        db.session.commit()
    return slug

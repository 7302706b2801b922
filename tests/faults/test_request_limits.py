"""What a request may carry: a body over the limit is refused however it is sent, and a
malformed Referer is a bad request, not a server error.
"""

from __future__ import annotations

import http.client
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from petition.config import BaseConfig
from petition.endorsements.models import Endorsement
from petition.extensions import db
from tests.factories import make_platform
from tests.faults.live import Browser, hidden_value
from tests.pages import csrf_token
from tests.signon import ORGANIZATION

LIMIT = BaseConfig.MAX_CONTENT_LENGTH
TOO_LARGE = "What you sent is too large."


def _post_chunked(port: int, path: str, body: bytes, cookies: dict) -> tuple[int, str]:
    """POST `body` with Transfer-Encoding: chunked (no Content-Length), 64 KiB a chunk."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        }
        connection.request("POST", path, body=chunks, headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.slow
def test_a_chunked_body_over_the_limit_gets_413_under_gunicorn(make_app, serve):
    app = make_app()
    with app.app_context():
        slug = make_platform().slug
        db.session.commit()
    server = serve()
    path = f"/en/p/{slug}/sign/organization"
    browser = Browser(server.port)
    page = browser.get(path).body
    # The token first: a body cut at the limit still carries it (and was then processed).
    fields = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "started": hidden_value(page, "started"),
        **ORGANIZATION,
    }

    # A form whose one field is larger than the whole limit: refused, nothing of it echoed.
    marker = "Harbourside"
    huge = urlencode({**fields, "org_name": marker * (LIMIT // len(marker) + 1000)}).encode()
    assert len(huge) > LIMIT
    status, text = _post_chunked(server.port, path, huge, browser.cookies)
    assert status == 413, (status, len(text))
    assert TOO_LARGE in text
    assert marker * 3 not in text and len(text) < 20_000
    # Just over the limit, and much larger (still read to the end, so the 413 arrives).
    for size in (LIMIT + 1, 3 * LIMIT):
        body = urlencode({**fields, "about": "x" * size}).encode()[:size]
        assert _post_chunked(server.port, path, body, browser.cookies)[0] == 413, size

    # A sign-on of ordinary size sent the same way still works.
    body = urlencode({**fields, "email": "chunked@harbourside.example"}).encode()
    assert _post_chunked(server.port, path, body, browser.cookies)[0] == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Endorsement)) == 1


@pytest.mark.parametrize(
    "referer",
    ["http://[", "https://[::1", "https://petition.test:port/", "https://petition.test:99999/"],
)
def test_a_malformed_referer_over_https_is_a_bad_request(make_app, referer):
    app = make_app()
    with app.app_context():
        slug = make_platform().slug
        db.session.commit()
    client = app.test_client()
    https = {"base_url": "https://petition.test"}
    path = f"/en/p/{slug}/sign/organization"
    page = client.get(path, **https)
    data = {**ORGANIZATION, "csrf_token": csrf_token(page)}
    response = client.post(path, data=data, headers={"Referer": referer}, **https)
    assert response.status_code == 400
    assert "This form has expired or was sent from another site" in response.get_data(True)
    # The same form with a well-formed Referer of this site goes through.
    good = client.post(
        path, data=data, headers={"Referer": f"https://petition.test{path}"}, **https
    )
    assert good.status_code in {303, 422}

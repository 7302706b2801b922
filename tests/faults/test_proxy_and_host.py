"""Forged forwarding headers and Host: what a client says about itself is not believed.

Without TRUSTED_PROXIES, X-Forwarded-For cannot move a client to a fresh rate-limit bucket
(sign-on and login) nor change its stored IP hash; X-Forwarded-Proto cannot turn on HSTS. With
TRUSTED_PROXIES=1 the proxy's word is used. A Host that is neither BASE_URL's nor in ALLOWED_HOSTS
gets 400 before anything runs; an allowed one (or a forged X-Forwarded-Host) never reaches a link
in an email nor a redirect: both come from BASE_URL.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from petition import create_app
from petition.config import from_environment
from petition.endorsements.models import Endorsement
from petition.extensions import db
from petition.moderation.digest import send_digests
from petition.outbox.relay import drain
from petition.security import ip_hash
from tests.factories import make_admin_user, make_platform
from tests.faults.live import Browser, hidden_value
from tests.faults.state import csrf_for, fingerprint, log_in_directly
from tests.pages import text
from tests.signon import ORGANIZATION

CLIENT_IP = "198.51.100.7"
PROXY_IP = "10.0.0.2"
BASE_URL = "https://petition.test"


def _sign_on(client, slug: str, email: str, headers: dict, **request) -> None:
    path = f"/en/p/{slug}/sign/organization"
    page = client.get(path, headers=headers, **request).get_data(as_text=True)
    data = {
        **ORGANIZATION,
        "email": email,
        "csrf_token": hidden_value(page, "csrf_token"),
        "started": hidden_value(page, "started"),
    }
    response = client.post(path, data=data, headers=headers, **request)
    assert response.status_code == 303, response.status_code


def _client(app, peer: str):
    """A test client whose requests come from `peer` (the TCP peer address)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    return client


def _endorsements(app) -> dict[str, Endorsement]:
    with app.app_context():
        rows = db.session.scalars(select(Endorsement)).all()
        db.session.expunge_all()
    return {row.email_canonical: row for row in rows}


def _hash(app, ip: str) -> str:
    with app.app_context():
        return ip_hash(ip)


@pytest.mark.parametrize("trusted", [0, 1], ids=["no proxy trusted", "one proxy trusted"])
def test_forwarded_for_decides_the_sign_on_rate_limit_only_behind_a_trusted_proxy(
    make_app, trusted
):
    app = make_app(TRUSTED_PROXIES=trusted, SIGNON_RATE_LIMIT="2 per hour")
    with app.app_context():
        slug = make_platform().slug
        db.session.commit()
    peer = PROXY_IP if trusted else CLIENT_IP
    client = _client(app, peer)
    # One client, a new forged address on every request.
    for n in range(4):
        forged = {"X-Forwarded-For": f"203.0.113.{n + 1}"}
        _sign_on(client, slug, f"signer{n}@forged-ips.example", forged)

    rows = _endorsements(app)
    flagged = {email for email, row in rows.items() if "rate_limited" in row.flag_set}
    if trusted:
        # Four different clients behind the proxy: nobody is over the limit.
        assert flagged == set()
        assert rows["signer0@forged-ips.example"].ip_hash == _hash(app, "203.0.113.1")
    else:
        # One client however it signs its requests: over the limit from the third.
        assert flagged == {"signer2@forged-ips.example", "signer3@forged-ips.example"}
        assert {row.ip_hash for row in rows.values()} == {_hash(app, CLIENT_IP)}


@pytest.mark.parametrize("trusted", [0, 1], ids=["no proxy trusted", "one proxy trusted"])
def test_forwarded_for_decides_the_login_rate_limit_only_behind_a_trusted_proxy(make_app, trusted):
    app = make_app(TRUSTED_PROXIES=trusted, LOGIN_RATE_LIMIT="2 per hour")
    peer = PROXY_IP if trusted else CLIENT_IP
    client = _client(app, peer)
    statuses = []
    for n in range(4):
        forged = {"X-Forwarded-For": f"203.0.113.{n + 1}"}
        data = {
            "email": "nobody@example.org",
            "password": "wrong",
            "csrf_token": csrf_for(app, client),
        }
        statuses.append(client.post("/admin/login", data=data, headers=forged).status_code)
    if trusted:
        assert 429 not in statuses
    else:
        assert statuses[2:] == [429, 429]
        # The same client without any forged header is still limited.
        data = {
            "email": "nobody@example.org",
            "password": "wrong",
            "csrf_token": csrf_for(app, client),
        }
        assert client.post("/admin/login", data=data).status_code == 429


@pytest.mark.parametrize("trusted", [0, 1], ids=["no proxy trusted", "one proxy trusted"])
def test_forwarded_proto_turns_on_hsts_only_behind_a_trusted_proxy(make_app, trusted):
    app = make_app(TRUSTED_PROXIES=trusted)
    client = _client(app, PROXY_IP)
    response = client.get("/en/", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) == bool(trusted)


URL = re.compile(r"https?://[^\s<>\"')]+")


@pytest.mark.parametrize("trusted", [0, 1], ids=["no proxy trusted", "one proxy trusted"])
def test_a_forged_host_never_reaches_an_email(make_app, smtp_server, trusted):
    app = make_app(**smtp_server.config, TRUSTED_PROXIES=trusted, BASE_URL=BASE_URL)
    with app.app_context():
        slug = make_platform().slug
        make_admin_user("moderator@coalition.example", role="moderator", digest="immediately")
        db.session.commit()
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    # A Host the site answers to (ALLOWED_HOSTS) that is not BASE_URL's; a foreign one gets
    # 400 before anything runs (test_a_foreign_host_is_refused_before_anything_runs).
    site = {"base_url": "http://localhost"}
    client = _client(app, PROXY_IP)

    # Sign on (confirmation), sign on again (a new link), confirm (receipt with manage link).
    _sign_on(client, slug, "first@host-check.example", forged, **site)
    _sign_on(client, slug, "first@host-check.example", forged, **site)
    _sign_on(client, slug, "second@host-check.example", forged, **site)
    with app.app_context():
        drain()
    confirm_links = [
        link for m in smtp_server.messages for link in _links(m) if "/confirm/" in link
    ]
    path = confirm_links[-1].removeprefix(BASE_URL)
    page = client.get(path, headers=forged, **site)
    assert "evil.example" not in page.get_data(as_text=True)
    assert "localhost" not in page.get_data(as_text=True)
    token = hidden_value(page.get_data(as_text=True), "csrf_token")
    assert client.post(path, data={"csrf_token": token}, headers=forged, **site).status_code == 303
    # Withdraw with the emailed manage link (a goodbye email with the platform's link).
    with app.app_context():
        drain()
    manage = next(link for m in smtp_server.messages for link in _links(m) if "/manage/" in link)
    withdraw = manage.removeprefix(BASE_URL) + "/withdraw"
    page = client.get(withdraw, headers=forged, **site).get_data(as_text=True)
    token = hidden_value(page, "csrf_token")
    assert (
        client.post(withdraw, data={"csrf_token": token}, headers=forged, **site).status_code == 303
    )

    # A moderator rejects the other sign-on and emails the reason; the digest goes out.
    with app.app_context():
        pending = db.session.scalar(
            select(Endorsement).where(Endorsement.email_canonical == "first@host-check.example")
        )
        pending.status = "pending_review"
        from petition.db_types import utcnow

        pending.confirmed_at = utcnow()
        db.session.commit()
        pending_id = pending.id
    with app.test_request_context("/admin/", base_url="http://localhost", headers=forged):
        assert send_digests() == 1
        db.session.commit()
    log_in_directly(app, client, "moderator@coalition.example", **site)
    decide = f"/admin/p/{slug}/endorsements/{pending_id}/decide"
    data = {
        "csrf_token": csrf_for(app, client, **site),
        "decision": "reject",
        "seen": "pending_review",
        "reason": "Not an organization.",
        "notify": "y",
    }
    assert client.post(decide, data=data, headers=forged, **site).status_code == 303
    with app.app_context():
        drain()

    templates = {str(m["Subject"]) for m in smtp_server.messages}
    assert len(smtp_server.messages) >= 6, templates
    for message in smtp_server.messages:
        raw = message.as_string()
        assert "evil.example" not in raw, message["Subject"]
        assert "localhost" not in raw, message["Subject"]
        for link in _links(message):
            assert link.startswith(BASE_URL + "/"), (message["Subject"], link)


def _links(message) -> list[str]:
    found = []
    for part in message.walk():
        if part.get_content_maintype() == "text":
            found.extend(URL.findall(part.get_content()))
    return found


REFUSED = {
    "en": "We could not understand that request.",
    "fr": "pas pu comprendre cette demande.",
}


def test_a_foreign_host_is_refused_before_anything_runs(make_app):
    app = make_app(BASE_URL=BASE_URL)
    with app.app_context():
        slug = make_platform().slug
        db.session.commit()
    before = fingerprint(app)
    client = app.test_client()
    requests = [
        ("GET", "/en/", "en"),
        ("GET", "/en//", "en"),  # a routing redirect would have named the Host
        ("GET", f"/fr/p/{slug}", "fr"),  # and so would the trailing-slash one
        ("GET", f"/fr/p/{slug}/sign/organization", "fr"),
        ("POST", f"/en/p/{slug}/sign/organization", "en"),
        ("GET", "/admin/login", None),
        ("POST", "/admin/login", None),
    ]
    for host in ("evil.example", "evil.example:443", "petition.test.evil.example"):
        for method, path, lang in requests:
            response = client.open(
                path, method=method, base_url=f"http://{host}", data={**ORGANIZATION}
            )
            what = f"{method} {host}{path}"
            assert response.status_code == 400, what
            assert "Location" not in response.headers, what
            assert "Set-Cookie" not in response.headers, what
            page = text(response)
            # The project's own error page, in the page's language (without one in the path,
            # the browser's: none asked here, so English).
            assert REFUSED[lang or "en"] in page, what
            assert "evil.example" not in page, what
    assert fingerprint(app) == before


def test_allowed_hosts_come_from_base_url_and_the_setting(tmp_path):
    env = {
        "SECRET_KEY": "k" * 40,
        "BASE_URL": "https://sign.example.org",
        "ALLOWED_HOSTS": " www.Sign.example.org, ,signer.example.net ",
    }
    settings = from_environment(str(tmp_path), env=env)
    assert settings["ALLOWED_HOSTS"] == ["www.sign.example.org", "signer.example.net"]
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    client = app.test_client()
    for host in ("sign.example.org", "www.sign.example.org", "signer.example.net:8443"):
        assert client.get("/en//", base_url=f"http://{host}").status_code == 308, host
    for host in ("example.org", "sign.example.org.evil.example", "127.0.0.1", "localhost"):
        assert client.get("/en//", base_url=f"http://{host}").status_code == 400, host
    # Without ALLOWED_HOSTS only BASE_URL's own name is answered.
    settings = from_environment(str(tmp_path), env={**env, "ALLOWED_HOSTS": ""})
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    assert app.test_client().get("/en//", base_url="http://www.sign.example.org").status_code == 400


@pytest.mark.parametrize("host", ["petition.test", "localhost", "petition.test:8080"])
def test_routing_redirects_are_built_from_base_url(make_app, host):
    app = make_app(BASE_URL=BASE_URL)
    with app.app_context():
        slug = make_platform().slug
        db.session.commit()
    client = app.test_client()
    # Merged slashes and a missing trailing slash: 308s that werkzeug builds absolute.
    for path, target in [
        ("/en//?page=2", "/en/?page=2"),
        ("/fr//", "/fr/"),
        (f"/fr/p/{slug}", f"/fr/p/{slug}/"),
    ]:
        response = client.get(path, base_url=f"http://{host}")
        assert response.status_code == 308, path
        assert response.headers["Location"] == BASE_URL + target, path


@pytest.mark.slow
def test_gunicorn_refuses_a_foreign_host_and_redirects_to_base_url(make_app, serve):
    make_app()
    server = serve(BASE_URL="https://sign.example.org")
    browser = Browser(server.port)
    refused = browser.get("/en/", headers={"Host": "evil.example"})
    assert refused.status == 400
    assert REFUSED["en"] in refused.body and "evil.example" not in refused.body
    assert browser.get("/en//", headers={"Host": "evil.example"}).status == 400
    # The address the tests use (ALLOWED_HOSTS=127.0.0.1) is answered, redirects go to BASE_URL.
    moved = browser.get("/en//")
    assert moved.status == 308
    assert moved.location == "https://sign.example.org/en/"


@pytest.mark.slow
def test_gunicorn_believes_no_forwarded_proto_without_trusted_proxies(make_app, serve):
    app = make_app()
    with app.app_context():
        slug = make_platform().slug
        db.session.commit()
    # A client on the same machine as gunicorn (loopback, which gunicorn's defaults trust)
    # claims https every way gunicorn knows.
    server = serve(TRUSTED_PROXIES="0")
    path = f"/en/p/{slug}/sign/organization"
    claims = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}
    for n, (name, value) in enumerate(claims.items()):
        claim = {name: value}
        browser = Browser(server.port)
        reply = browser.get(f"/en/p/{slug}/", headers=claim)
        assert reply.status == 200
        assert "Strict-Transport-Security" not in reply.headers, claim
        # Over https the CSRF check also wants a same-origin Referer and would refuse this
        # form (400): the app was not told it is https.
        page = browser.get(path, headers=claim)
        data = {
            **ORGANIZATION,
            "email": f"proto{n}@forwarded.example",
            "csrf_token": hidden_value(page.body, "csrf_token"),
            "started": hidden_value(page.body, "started"),
        }
        assert browser.post(path, data, headers=claim).status == 303, claim

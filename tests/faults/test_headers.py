"""Security headers on every response, cookie flags, no server banner, password-hash strength.

Every GET route in the URL map is fetched (admin pages as an admin), plus error responses, and
the same checks run against a real gunicorn configured from the environment.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from petition.accounts.models import AdminUser
from petition.config import from_environment
from petition.extensions import db
from tests.factories import ADMIN_PASSWORD
from tests.faults.live import Browser, sign_on
from tests.faults.routes import routes
from tests.faults.state import log_in_directly
from tests.faults.world import ADMIN, build_world
from tests.pages import csrf_token
from tests.signon import ORGANIZATION

STRICT_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def check_headers(headers, *, frameable: bool, https: bool, what: str) -> None:
    """Assert the security headers every response carries."""
    csp = csp_directives(headers.get("Content-Security-Policy", ""))
    assert csp, f"{what}: no Content-Security-Policy"
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, f"{what}: CSP without script-src or default-src"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, what
    assert "*" not in scripts, what
    assert csp.get("object-src") == ["'none'"], what
    if frameable:
        assert csp.get("frame-ancestors") != ["'none'"], f"{what}: embed cannot be framed"
        assert headers.get("X-Frame-Options") is None, what
    else:
        assert csp.get("frame-ancestors") == ["'none'"], what
        assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") in STRICT_REFERRER, what
    hsts = headers.get("Strict-Transport-Security")
    if https:
        match = re.search(r"max-age=(\d+)", hsts or "")
        assert match and int(match.group(1)) >= 31536000, f"{what}: HSTS {hsts!r}"
    else:
        assert hsts is None, f"{what}: HSTS over plain HTTP"
    assert "Server" not in headers, f"{what}: Server: {headers.get('Server')}"
    assert "X-Powered-By" not in headers, what


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_every_route_sends_the_security_headers(app, client, world, https):
    log_in_directly(app, client, ADMIN, base_url=_base(https))
    values = world.url_values()
    checked = 0
    for route in routes(app):
        if "GET" not in route.methods:
            continue
        langs = ["en", "fr"] if "lang" in route.arguments else [None]
        for lang in langs:
            url = route.url({**values, "lang": lang})
            response = client.get(url, base_url=_base(https))
            response.close()
            assert response.status_code < 500, url
            check_headers(response.headers, frameable=route.frameable, https=https, what=url)
            checked += 1
    assert checked > 20
    # Error pages too: unknown page, wrong method, a form without its CSRF token, too large.
    errors = [
        client.get("/en/no-such-page", base_url=_base(https)),
        client.get("/nowhere", base_url=_base(https)),
        client.get("/admin/logout", base_url=_base(https)),
        client.post("/admin/logout", base_url=_base(https)),
        client.post("/en/p/x/sign/organization", data="x" * 3_000_000, base_url=_base(https)),
    ]
    assert [e.status_code for e in errors] == [404, 404, 405, 400, 413]
    for response in errors:
        check_headers(response.headers, frameable=False, https=https, what=response.status)


def test_a_wrong_method_says_which_methods_are_allowed(app, client, world):
    cases = [
        ("GET", "/admin/logout", {"POST"}),
        ("DELETE", f"/fr/p/{world.slug}/sign/organization", {"GET", "POST"}),
        ("PUT", "/en/", {"GET"}),
    ]
    for method, path, allowed in cases:
        response = client.open(path, method=method)
        assert response.status_code == 405, path
        allow = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
        assert allowed <= allow and method not in allow, (path, response.headers.get("Allow"))
        # Still the site's own error page.
        assert response.mimetype == "text/html" and "<h1>" in response.get_data(as_text=True)


def _base(https: bool) -> str:
    return "https://petition.test" if https else "http://petition.test"


@pytest.mark.parametrize("base_url", ["http://sign.example.org", "https://sign.example.org"])
def test_session_cookie_flags(make_app, tmp_path, base_url):
    # The cookie settings as production derives them from its environment.
    settings = from_environment(str(tmp_path), env={"SECRET_KEY": "k" * 40, "BASE_URL": base_url})
    secure = base_url.startswith("https")
    assert settings["SESSION_COOKIE_SECURE"] is secure
    app = make_app(BASE_URL=base_url, SESSION_COOKIE_SECURE=settings["SESSION_COOKIE_SECURE"])
    world = build_world(app)
    client = app.test_client()
    # Public pages that show no form set no cookie at all.
    for path in ("/en/", f"/fr/p/{world.slug}/"):
        assert "Set-Cookie" not in client.get(path, base_url=base_url).headers
    form = client.get(f"/en/p/{world.slug}/sign/organization", base_url=base_url)
    [cookie] = form.headers.getlist("Set-Cookie")
    _check_cookie(cookie, secure=secure)
    # The admin login cookie: a new session at login, with the same flags.
    login = app.test_client()
    page = login.get("/admin/login", base_url=base_url)
    data = {"email": ADMIN, "password": ADMIN_PASSWORD, "csrf_token": csrf_token(page)}
    # Over https Flask-WTF also wants a same-origin Referer, which browsers send here.
    referer = {"Referer": f"{base_url}/admin/login"}
    response = login.post("/admin/login", data=data, base_url=base_url, headers=referer)
    assert response.status_code == 302
    [cookie] = response.headers.getlist("Set-Cookie")
    _check_cookie(cookie, secure=secure)


def _check_cookie(cookie: str, *, secure: bool) -> None:
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
    assert "httponly" in attributes, cookie
    assert attributes.get("samesite", "").lower() == "samesite=lax", cookie
    assert ("secure" in attributes) == secure, cookie
    assert "domain" not in attributes, cookie  # host-only: no sharing with subdomains


def test_password_hashes_meet_the_owasp_floor(app, runner):
    result = runner.invoke(
        args=["petition", "create-admin", "hash.check@example.org"],
        input="a long and private passphrase\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.scalar(
            select(AdminUser.password_hash).where(AdminUser.email == "hash.check@example.org")
        )
    match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+", stored)
    assert match, stored
    memory_kib, iterations, _lanes = map(int, match.groups())
    assert memory_kib >= 19 * 1024
    assert iterations >= 2


@pytest.mark.slow
def test_gunicorn_sends_no_banner_and_the_same_headers(make_app, serve):
    app = make_app()
    world = build_world(app)
    server = serve(BASE_URL="https://sign.example.org", TRUSTED_PROXIES="1")
    browser = Browser(server.port)
    paths = ["/en/", f"/fr/p/{world.slug}/", "/admin/login", "/en/missing", "/static/css/site.css"]
    for path in paths:
        plain = browser.get(path)
        check_headers(plain.headers, frameable=False, https=False, what=f"gunicorn {path}")
        # Behind the TLS-terminating proxy the site is told it is served over https.
        secure = browser.get(path, headers={"X-Forwarded-Proto": "https"})
        check_headers(secure.headers, frameable=False, https=True, what=f"gunicorn https {path}")
    for route in routes(app):
        if route.frameable and "GET" in route.methods:
            url = route.url({**world.url_values(), "lang": "en"})
            check_headers(browser.get(url).headers, frameable=True, https=False, what=url)

    # BASE_URL is https: the session cookie is Secure, HttpOnly, SameSite=Lax.
    browser = Browser(server.port)
    form = browser.get(f"/en/p/{world.slug}/sign/organization")
    [cookie] = form.headers.get_all("Set-Cookie")
    _check_cookie(cookie, secure=True)
    # The form still works for a browser that speaks https to the proxy.
    reply = sign_on(browser, world.slug, {**ORGANIZATION, "email": "headers@example.org"})
    assert reply.status == 303

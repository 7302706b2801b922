"""Response headers, password-hash parameters, proxy and host settings, and limits on what
requests may carry (body types, numbers in URLs)."""

from __future__ import annotations

import hashlib
import hmac
import io
from urllib.parse import urlsplit

from argon2 import PasswordHasher, Type
from flask import Flask, abort, current_app, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, MapAdapter

# OWASP's floor for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
password_hasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=1, type=Type.ID
)


def ip_hash(ip: str | None) -> str:
    """Return a keyed hash of an IP address (hex), so raw addresses are never stored."""
    # A key derived for this one purpose: the hashes reveal nothing about SECRET_KEY itself,
    # and they cannot be recomputed from a list of addresses without it.
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"ip-hash", hashlib.sha256).digest()
    return hmac.new(key, (ip or "").encode(), hashlib.sha256).hexdigest()


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)
# Pages that other sites may put in an iframe (the count widget) opt in with this attribute.
FRAMEABLE = "_frameable"


def frameable(view):
    """Allow a view's pages to be framed by any site (embeds only)."""
    setattr(view, FRAMEABLE, True)
    return view


def _is_frameable() -> bool:
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    return bool(view and getattr(view, FRAMEABLE, False))


def set_security_headers(response):
    frame_ancestors = "*" if _is_frameable() else "'none'"
    response.headers["Content-Security-Policy"] = f"{CSP}; frame-ancestors {frame_ancestors}"
    if frame_ancestors == "'none'":
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Confirmation and manage links carry secrets in their path: never send them elsewhere.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    response.headers.pop("Server", None)
    return response


class NoServerBanner:
    """WSGI middleware: keep gunicorn from announcing itself in a `Server` header.

    Flask's after-request hook cannot remove it: gunicorn writes the header itself, after the
    app, and has no setting to leave it out. Its `start_response` is a method of the response
    object that writes it, so the header is filtered out there, for this response only.
    """

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        server_response = getattr(start_response, "__self__", None)
        if environ.get("SERVER_SOFTWARE", "").startswith("gunicorn") and hasattr(
            server_response, "default_headers"
        ):
            default_headers = server_response.default_headers

            def without_banner():
                return [h for h in default_headers() if not h.lower().startswith("server:")]

            server_response.default_headers = without_banner
        return self.wsgi_app(environ, start_response)


class App(Flask):
    """Flask, with every absolute URL built during a request taken from BASE_URL.

    Werkzeug builds routing redirects (`//` merged, a missing trailing slash added: 308) as
    absolute URLs from the request's own scheme and Host header; so does `url_for(...,
    _external=True)`. Here they come from BASE_URL, like every link in an email, whatever
    Host the request named (one of TRUSTED_HOSTS, or it was refused with 400).
    """

    def create_url_adapter(self, request) -> MapAdapter | None:
        adapter = super().create_url_adapter(request)
        if request is not None and adapter is not None:
            base = urlsplit(self.config["BASE_URL"])
            adapter.url_scheme = base.scheme or adapter.url_scheme
            adapter.server_name = base.netloc or adapter.server_name
        return adapter


def trusted_hosts(config) -> list[str]:
    """Return the host names requests may name: BASE_URL's, then ALLOWED_HOSTS."""
    names = [urlsplit(config["BASE_URL"]).hostname or "localhost"]
    names += [name for name in config.get("ALLOWED_HOSTS", []) if name not in names]
    return names


def public_url_adapter(app: Flask) -> MapAdapter:
    """Return a URL adapter bound to BASE_URL (for pages built without the request's)."""
    base = urlsplit(app.config["BASE_URL"])
    return app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )


class BoundedChunkedBody:
    """WSGI middleware: a body sent without Content-Length (chunked) is held to the limit too.

    Werkzeug limits such a stream to MAX_CONTENT_LENGTH by reading up to the limit and
    stopping there, silently: a larger body was cut at 2 MB and processed (and its fields
    echoed back in the form's error page). Here the body is read up to one byte past the
    limit and handed on with the Content-Length it turned out to have, so that werkzeug
    refuses a larger one with 413 exactly as it refuses a large declared one. What follows
    the limit is read and dropped, up to DRAIN_FACTOR times the limit, so the client gets
    the 413 page rather than a connection reset; past that the server hangs up.
    """

    DRAIN_FACTOR = 4

    def __init__(self, wsgi_app, limit: int | None) -> None:
        self.wsgi_app = wsgi_app
        self.limit = limit

    def __call__(self, environ, start_response):
        if (
            self.limit is not None
            and not environ.get("CONTENT_LENGTH")
            and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            stream = environ["wsgi.input"]
            body = _read_up_to(stream, self.limit + 1)
            if len(body) > self.limit:
                _read_up_to(stream, self.DRAIN_FACTOR * self.limit, keep=False)
            # From here on it is a body of known length, no longer chunked (werkzeug ignores
            # Content-Length beside `Transfer-Encoding: chunked`, as HTTP says to).
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ[CHUNKED_BODY] = True
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.wsgi_app(environ, start_response)


# Marks a request whose chunked body was read (and cut) at MAX_CONTENT_LENGTH: no view's
# larger upload limit applies to it.
CHUNKED_BODY = "petition.chunked_body"


def _read_up_to(stream, size: int, keep: bool = True) -> bytes:
    """Read `size` bytes from `stream`, or until it ends; return them unless `keep` is False."""
    parts, left = [], size
    while left > 0:
        chunk = stream.read(min(left, 64 * 1024))
        if not chunk:
            break
        left -= len(chunk)
        if keep:
            parts.append(chunk)
    return b"".join(parts)


class _TokenWhenShown:
    """A form's CSRF token, made the first time the page shows it (`str`)."""

    def __init__(self, make) -> None:
        self._make = make
        self._token: str | None = None

    def __str__(self) -> str:
        if self._token is None:
            self._token = self._make()
        return self._token


class CsrfWhenShown(FlaskForm.Meta.csrf_class):
    """Flask-WTF's CSRF, making the token only when the form is rendered.

    WTForms makes a form's token as soon as the form is built, and Flask-WTF keeps its key in
    the session: a page that built a form without showing it (a withdrawn endorsement's
    manage page) still set the session cookie. Validation is unchanged.
    """

    def generate_csrf_token(self, csrf_token_field):
        make = super().generate_csrf_token
        return _TokenWhenShown(lambda: make(csrf_token_field))


# The largest id an id column can hold (PostgreSQL's `integer`; SQLite's are wider): the
# database fails, rather than finding nothing, when asked about a larger one.
LARGEST_ID = 2**31 - 1


def whole_number(text: str | None, default=None, *, minimum: int = 0, maximum: int = LARGEST_ID):
    """Return `text` as a whole number between the bounds, else `default` (never raises)."""
    # isdigit() alone accepts "²" and "٣", which int() refuses or reads as another digit.
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 19:
        return default
    value = int(text)
    return value if minimum <= value <= maximum else default


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: a number too large to be an id is a page that does not exist."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, LARGEST_ID if max is None else max, signed)


# What an HTML form sends. No form of this site sends JSON, plain text or files: such bodies
# would reach WTForms as values of the wrong type (Flask-WTF reads JSON as form data).
FORM_BODIES = {"application/x-www-form-urlencoded", "multipart/form-data"}


ACCEPTS_FILES = "_accepts_files"
UPLOAD_LIMIT = "_upload_limit"


def accepts_files(view=None, *, max_bytes: int | None = None):
    """Let a view's form carry uploaded files (the import page); others refuse them.

    `max_bytes` raises MAX_CONTENT_LENGTH for this view's requests (a logo of up to 2 MB
    with the other fields of its form), so that a file a little too large gets its form's
    message rather than the 413 page.
    """

    def mark(view):
        setattr(view, ACCEPTS_FILES, True)
        if max_bytes is not None:
            setattr(view, UPLOAD_LIMIT, max_bytes)
        return view

    return mark if view is None else mark(view)


def allow_larger_uploads():
    """Apply a view's own upload limit before anything reads the body (the CSRF check does)."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, UPLOAD_LIMIT, None)
    if (
        limit is not None
        and request.method == "POST"
        and request.mimetype == "multipart/form-data"
        and not request.environ.get(CHUNKED_BODY)
    ):
        request.max_content_length = limit


def refuse_unexpected_bodies():
    """Answer 415 to a request whose body is not an HTML form's (or carries unwanted files)."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if request.mimetype and request.mimetype not in FORM_BODIES:
        abort(415)
    if request.mimetype == "multipart/form-data" and request.files:
        view = current_app.view_functions.get(request.endpoint or "")
        if not getattr(view, ACCEPTS_FILES, False):
            abort(415)


def refuse_nul_in_url():
    """Answer 400 to a path or query string holding a NUL character.

    No link of this site carries one, and PostgreSQL refuses it in any text it is asked to
    compare: without this, a hostile URL would become a server error instead of a clear page.
    (Form fields refuse control characters with a message of their own.)
    """
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        abort(400)


def refuse_malformed_referrer():
    """Refuse, as a failed CSRF check (400), a form sent with a Referer that is no URL.

    Over https Flask-WTF compares the Referer with this site and its parser raises on values
    such as `http://[` or a port that is not a number: a server error (500) instead of the
    refusal a mismatched Referer gets.
    """
    referrer = request.headers.get("Referer")
    if not referrer or request.method in {"GET", "HEAD", "OPTIONS", "TRACE"}:
        return
    try:
        urlsplit(referrer).port  # noqa: B018 (parsing the port is the check)
    except ValueError:
        raise CSRFError("The referrer header is malformed.") from None


def init_app(app: Flask) -> None:
    """Trust forwarded headers only from the configured number of proxies; add headers."""
    # A request naming another Host is refused (400) before routing: nothing it causes can
    # carry that name (Flask checks TRUSTED_HOSTS on every request).
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    # Before any blueprint adds its rules, so every `<int:...>` uses it.
    app.url_map.converters["int"] = IdConverter
    # Before every other hook, the CSRF check included (registered earlier).
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_malformed_referrer)
    app.before_request_funcs[None].insert(0, allow_larger_uploads)
    app.before_request(refuse_nul_in_url)
    app.before_request(refuse_unexpected_bodies)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_prefix=0)
    app.wsgi_app = BoundedChunkedBody(app.wsgi_app, app.config.get("MAX_CONTENT_LENGTH"))
    app.wsgi_app = NoServerBanner(app.wsgi_app)
    app.after_request(set_security_headers)

"""Property-based fuzzing of every form: public sign-on and manage forms, every admin form.

For every state-changing route in the URL map, the test finds the forms that post to it by
crawling the site (as an admin, and through the world's emailed links), then Hypothesis sends
variations with a valid CSRF token: arbitrary Unicode, very long values, control characters,
missing, repeated and unexpected fields, and the wrong content types (JSON, multipart with a
file, text/plain). GET forms (filters, searches) get the same treatment in their query string,
and every route's path arguments get hostile values.

Sign-on forms are also sent twice for the same address (test_fuzz_a_second_sign_on): a valid
sign-on, then a variation with fields left out, repeated or hostile, for an address that is
new, unconfirmed, awaiting review or approved.

The properties: never a server error; pages and messages in the page's language; user input
never comes back unescaped; redirects stay on the site; and a rejected submission stores
nothing (no table gains or loses a row, no tracked row changes).

Examples per form: HYPOTHESIS_PROFILE=ci runs 1,000 (CI); the default profile runs a few dozen.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, func, literal, select, text, update
from werkzeug.datastructures import MultiDict

from petition.accounts.models import AdminRole, AdminUser
from petition.extensions import db
from tests.faults.crawl import Crawler, Form
from tests.faults.languages import foreign_text, page_language_problems
from tests.faults.routes import routes
from tests.faults.state import changed, csrf_for, fingerprint, log_in_directly
from tests.faults.world import ADMIN, World, build_world
from tests.signon import INDIVIDUAL, ORGANIZATION

BASE = "https://petition.test"
FORM_ROUTES = [r for r in routes() if r.changes_state]
SIGN_ON_FORMS = {
    "endorsements.sign_organization": ORGANIZATION,
    "endorsements.sign_individual": INDIVIDUAL,
}
SIGN_ON_ROUTES = [r for r in FORM_ROUTES if r.endpoint in SIGN_ON_FORMS]
# How the second sign-on alters a field of the first: most often, by leaving it out.
ALTERATIONS = ["omit", "omit", "change", "repeat"]
# Addresses the world has endorsements for, in each state, and one it has not seen.
SIGN_ON_ADDRESSES = [
    "unverified-org@members.example",
    "pending-org@members.example",
    "approved-org@members.example",
    "unverified-person@members.example",
    "approved-person@members.example",
    "new.person@members.example",
]

# Fields whose name repeats by design (ticked boxes), even when a page shows only one.
PLURAL_FIELDS = {"ids"}
# What a rejected submission may still record, by endpoint: failed logins are audited and
# counted (lockout) on purpose.
ALLOWED_ON_REJECTION = {"accounts.login": {"audit_event", "admin_user.versions"}}

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>"]
INTERESTING = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "9" * 40,
    str(2**63),
    str(2**31),
    "²",
    "٣",
    "Ⅻ",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "\x00",
    "a\x00b",
    "\r\n",
    "\u202e",
    "\ufeff",
    "\u200b",
    "' OR 1=1 --",
    "%",
    "_",
    "%00",
    "../../etc/passwd",
    "null",
    "true",
    "[]",
    "{}",
    "é" * 600,
    "x" * 5000,
    "name@example.org",
    "Nom.Prénom@Exemple.CA",
    "a@b",
    "@",
    "y",
    "on",
    "yes",
    "no",
    "en",
    "fr",
    "de",
    "/admin/",
    "//evil.example/",
    "/\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    *XSS,
]
# Plausible values by field name, so the fuzzer also reaches the paths where forms succeed.
PLAUSIBLE = {
    "email": ["new.person@members.example", "ORG@Members.Example", "x@y.example"],
    "website": ["example.org", "https://harbour.example/about"],
    "password": ["a long and private passphrase", "short"],
    "confirm": ["a long and private passphrase"],
    "current": ["correct horse battery staple"],
    "name": ["Robin Tremblay", "Marie-Ève Côté"],
    "org_name": ["Harbourside Peer Collective"],
    "city": ["Halifax", "Trois-Rivières"],
    "reason": ["Not an organization.", ""],
    "descriptor": ["person with lived experience"],
    "display_name": ["Robin T."],
    "ids": ["1", "2", "3"],
    "date_from": ["2026-01-01"],
    "date_to": ["2026-12-31"],
    "next": ["/admin/queue", "detail"],
}


ANY_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Co"]), max_size=8),
    st.sampled_from(INTERESTING),
    st.integers(100, 3000).map(lambda n: "ß" * n),
)
# Strategies are built once per field: building one costs more than drawing from it.
_field_values: dict[tuple, st.SearchStrategy[str]] = {}


def values_for(form: Form, name: str) -> st.SearchStrategy[str]:
    """Values to try in one field: its own choices, plausible and hostile text."""
    known = tuple(form.choices(name) + PLAUSIBLE.get(name, []))
    key = (name, known)
    if key not in _field_values:
        if known:
            _field_values[key] = st.one_of(st.sampled_from(known), st.sampled_from(known), ANY_TEXT)
        else:
            _field_values[key] = ANY_TEXT
    return _field_values[key]


_submissions: dict[tuple, st.SearchStrategy] = {}


def submissions(form: Form, flood: bool = True) -> st.SearchStrategy[list[tuple[str, str]]]:
    """The submissions of `form` to try (one strategy per form, built once)."""
    key = (
        form.action,
        tuple((f.name, f.kind, tuple(f.options), f.value) for f in form.fields),
        flood,
    )
    if key not in _submissions:
        _submissions[key] = _submissions_of(form, flood)
    return _submissions[key]


@st.composite
def _submissions_of(draw, form: Form, flood: bool) -> list[tuple[str, str]]:
    """Draw the fields of one submission: some left out, some repeated, some made up."""
    pairs: list[tuple[str, str]] = []
    for name in form.field_names():
        if name == "csrf_token":
            continue
        how = draw(st.sampled_from(["send", "send", "send", "omit", "repeat"]))
        if how == "omit":
            continue
        for _ in range(draw(st.integers(2, 3)) if how == "repeat" else 1):
            pairs.append((name, draw(values_for(form, name))))
    for _ in range(draw(st.integers(0, 2))):
        pairs.append((draw(st.text(min_size=1, max_size=12)), draw(st.text(max_size=20))))
    if pairs and flood and draw(st.integers(0, 30)) == 0:
        # One field sent thousands of times (test_many_values_in_one_field goes further).
        name, value = pairs[draw(st.integers(0, len(pairs) - 1))]
        pairs.extend([(name, value[:3] or "1")] * 500)
    return pairs


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def send(client, url: str, method: str, body: str, pairs, csrf: str, data, lang: str):
    """Send one submission with the body encoded as `body` says."""
    headers = {"Accept-Language": lang, "Referer": BASE + url}
    if body == "form":
        return client.open(
            url,
            method=method,
            data=MultiDict([*pairs, ("csrf_token", csrf)]),
            headers=headers,
            base_url=BASE,
        )
    if body == "multipart":
        fields = MultiDict([*pairs, ("csrf_token", csrf)])
        if data.draw(st.booleans()) and pairs:
            # A file where a text field belongs.
            fields.add(pairs[0][0], (io.BytesIO(b"\x00\xff not text"), "upload.bin"))
        return client.open(
            url,
            method=method,
            data=fields,
            content_type="multipart/form-data",
            headers=headers,
            base_url=BASE,
        )
    headers["X-CSRFToken"] = csrf
    if body == "json":
        payload = data.draw(
            st.one_of(
                st.just(dict(pairs)),
                JSON_VALUES,
                st.dictionaries(st.sampled_from([n for n, _ in pairs] or ["x"]), JSON_VALUES),
            )
        )
        return client.open(url, method=method, json=payload, headers=headers, base_url=BASE)
    text = "\r\n".join(f"{k}={v}" for k, v in pairs)
    return client.open(
        url,
        method=method,
        data=text.encode(),
        content_type="text/plain",
        headers=headers,
        base_url=BASE,
    )


def take_flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction(base_url=BASE) as session:
        return session.pop("_flashes", [])


ERROR_MARKS = (
    'aria-invalid="true"',
    'class="field-error"',
    'class="error-summary"',
    "flash--error",
)


def check_response(
    app, route, response, *, lang: str, admin_lang: str | None, flashes, sent=()
) -> bool:
    """Check one answer; return whether it refused the submission."""
    status = response.status_code
    assert status < 500, status
    location = response.headers.get("Location", "")
    if location:
        target = urlsplit(location)
        assert target.netloc in ("", "petition.test") and not location.startswith(("//", "/\\")), (
            location
        )
    # (A redirect's own little HTML body is never shown by a browser.)
    shown = response.mimetype == "text/html" and not 300 <= status < 400
    page = response.get_data(as_text=True) if shown else ""
    for raw in XSS:
        assert raw not in page, f"unescaped input in the page: {raw}"
    expected = admin_lang if route.is_admin and route.access != "public" else lang
    if page and (not route.is_admin or status < 400):
        # What the visitor typed comes back as typed (a field's value, a preview): it may be
        # any words at all, so it is no sign of the page's own language.
        shown = page
        for value in sorted({v for _name, v in sent if len(v) > 3}, key=len, reverse=True):
            shown = shown.replace(html.escape(value, quote=False), "")
        problems = page_language_problems(shown, expected)
        assert not problems, (expected, problems)
    for _category, message in flashes:
        assert not foreign_text(message, expected), (expected, message)
    return (
        status >= 400
        or any(mark in page for mark in ERROR_MARKS)
        or any(category == "error" for category, _message in flashes)
    )


def _prepare(make_app):
    app = make_app(
        BASE_URL=BASE,
        SIGNON_RATE_LIMIT="10000000 per hour",
        LOGIN_RATE_LIMIT="10000000 per hour",
    )
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", refuse_what_postgresql_refuses)
        if db.engine.dialect.name == "postgresql":
            # Ids from 1, as SQLite gives them in emptied tables: every test's world is then
            # the same, and the worker's first crawl serves them all (`_crawl_forms`).
            sequences = db.session.scalars(
                text("SELECT sequence_name FROM information_schema.sequences")
            ).all()
            for name in sequences:
                db.session.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))
            db.session.commit()
    world = build_world(app, confirm_links=3)
    return app, world


POSTGRESQL_INTEGER = range(-(2**31), 2**31)


def refuse_what_postgresql_refuses(conn, cursor, statement, parameters, context, executemany):
    """Fail, on SQLite too, on values PostgreSQL would refuse: NUL in text, too large integers.

    SQLite stores both without a word; PostgreSQL's refusal would be a server error. Checking
    here lets the long fuzzing run (on SQLite) find what only the PostgreSQL run would.
    """
    if conn.dialect.name != "sqlite":
        return
    # One row's values, or several rows' (executemany, though "insertmanyvalues" sends one).
    several = parameters and isinstance(parameters[0], (tuple, list, dict))
    for row in parameters if several else [parameters or ()]:
        for value in row.values() if isinstance(row, dict) else row:
            if isinstance(value, str):
                assert "\x00" not in value, f"NUL sent to the database: {statement}"
            elif isinstance(value, int) and not isinstance(value, bool):
                assert value in POSTGRESQL_INTEGER, f"{value} sent to the database: {statement}"


def _crawl_forms(app, world: World) -> list[Form]:
    """Return every form found from every GET route (as an admin), through the world's links.

    Every test builds the same world in an emptied database (the same rows, the same ids:
    see `_prepare`), so the worker crawls once and later tests get the same forms with their
    own world's link tokens put in. A world that differs in any row is crawled afresh.
    """
    signature = (app.config["SQLALCHEMY_DATABASE_URI"], _rows_signature(app))
    if signature in _crawled:
        crawled_world, forms = _crawled[signature]
        return [_with_links_of(world, crawled_world, form) for form in forms]
    client = app.test_client()
    log_in_directly(app, client, ADMIN, base_url=BASE)
    seeds = []
    for route in routes(app):
        if "GET" not in route.methods or route.is_static:
            continue
        tokens = list(world.manage_tokens.values()) + list(world.confirm_tokens.values())
        for token in tokens if "token" in route.arguments else [None]:
            for lang in ("en", "fr") if "lang" in route.arguments else [None]:
                seeds.append(route.url({**world.url_values(), "token": token, "lang": lang}))
    crawler = Crawler(
        client, BASE, allow=lambda p: not p.startswith("/admin/logout"), limit=300, per_path=3
    )
    crawler.crawl(seeds)
    forms = crawler.forms()
    _crawled[signature] = (world, forms)
    return forms


_crawled: dict[tuple, tuple[World, list[Form]]] = {}


def _rows_signature(app) -> tuple:
    """Each table's row count and largest id: equal for two worlds built alike."""
    with app.app_context():
        signature = []
        for table in db.metadata.sorted_tables:
            key = table.c.id if "id" in table.c else literal(0)
            signature.append(db.session.execute(select(func.count(), func.max(key))).one())
        db.session.remove()
    return tuple(tuple(row) for row in signature)


def _with_links_of(world: World, crawled_world: World, form: Form) -> Form:
    """Return `form` as crawled in `crawled_world`, with `world`'s link tokens in its place."""
    swaps = [
        (crawled_world.manage_tokens[label], token) for label, token in world.manage_tokens.items()
    ] + [
        (crawled_world.confirm_tokens[label], token)
        for label, token in world.confirm_tokens.items()
    ]

    def swap(value: str) -> str:
        for old, new in swaps:
            value = value.replace(old, new)
        return value

    return replace(
        form,
        page=swap(form.page),
        action=swap(form.action),
        fields=[
            replace(f, value=swap(f.value), options=[swap(o) for o in f.options])
            for f in form.fields
        ],
    )


def _endpoint(app, path: str, method: str) -> str | None:
    try:
        endpoint, _args = app.url_map.bind("petition.test").match(
            urlsplit(path).path, method=method
        )
    except Exception:
        return None
    return endpoint


def _reset_admin(app) -> None:
    """Keep the fuzzing admin an active admin, whatever the last example did to accounts."""
    with app.app_context():
        db.session.execute(
            update(AdminUser)
            .where(AdminUser.email == ADMIN)
            .values(role=AdminRole.ADMIN, active=True, locked_until=None)
        )
        db.session.commit()


@pytest.mark.parametrize("route", FORM_ROUTES, ids=[r.id for r in FORM_ROUTES])
def test_fuzz_form(make_app, route):
    app, world = _prepare(make_app)
    found = _crawl_forms(app, world)
    method = sorted(route.methods - {"GET", "HEAD", "OPTIONS"})[0]
    forms = [
        f
        for f in found
        if f.method == method.lower() and _endpoint(app, f.action, method) == route.endpoint
    ]
    if not forms:
        # No page shows this form now (say, the button appears only in some states): post to
        # the route anyway, with made-up fields.
        forms = [
            Form(
                page="",
                action=route.url({**world.url_values(), "lang": "en"}),
                method=method.lower(),
            )
        ]
    client = app.test_client()
    anonymous = not route.is_admin or route.access == "public"
    allowed = ALLOWED_ON_REJECTION.get(route.endpoint, set())
    # The admin's session is set up again only after an example changed accounts (logged out,
    # demoted, deactivated...): setting it up costs more than most examples.
    session = {"valid": False, "lang": None}

    @given(st.data())
    def submit(data):
        lang = data.draw(st.sampled_from(["en", "fr"]), label="lang")
        form = data.draw(st.sampled_from(forms), label="form")
        url = form.action
        if "lang" in route.arguments:
            url = re.sub(r"^/(en|fr)/", f"/{lang}/", url)
        admin_lang = None
        if anonymous:
            client.delete_cookie("petition_session", domain="petition.test")
        else:
            admin_lang = data.draw(st.sampled_from(["en", "fr"]), label="admin language")
            if not session["valid"] or session["lang"] != admin_lang:
                _reset_admin(app)
                log_in_directly(app, client, ADMIN, lang=admin_lang, base_url=BASE)
                session.update(valid=True, lang=admin_lang)
        csrf = csrf_for(app, client, base_url=BASE)
        body = data.draw(
            st.sampled_from(["form", "form", "form", "multipart", "json", "text"]), label="body"
        )
        # (The test client spools big multipart bodies to files it never closes: flood forms only.)
        pairs = data.draw(submissions(form, flood=body == "form"), label="fields")
        before = fingerprint(app)
        response = send(client, url, method, body, pairs, csrf, data, lang)
        refused = check_response(
            app,
            route,
            response,
            lang=lang,
            admin_lang=admin_lang,
            flashes=take_flashes(client),
            sent=pairs,
        )
        response.close()
        after = fingerprint(app)
        if after.get("admin_user.versions") != before.get("admin_user.versions"):
            session["valid"] = False
        if refused:
            difference = changed(before, after)
            assert set(difference) <= allowed, f"refused, yet stored: {difference}"

    submit()


@pytest.mark.parametrize("route", SIGN_ON_ROUTES, ids=[r.id for r in SIGN_ON_ROUTES])
def test_fuzz_a_second_sign_on(make_app, route):
    """A valid sign-on, then another for the same address with fields left out or changed."""
    app, world = _prepare(make_app)
    found = _crawl_forms(app, world)
    [form, *_] = [
        f
        for f in found
        if f.method == "post" and _endpoint(app, f.action, "POST") == route.endpoint
    ]
    valid = SIGN_ON_FORMS[route.endpoint]
    names = [n for n in form.field_names() if n != "csrf_token"]
    client = app.test_client()

    @given(st.data())
    def submit(data):
        lang = data.draw(st.sampled_from(["en", "fr"]), label="lang")
        url = re.sub(r"^/(en|fr)/", f"/{lang}/", form.action)
        address = data.draw(st.sampled_from(SIGN_ON_ADDRESSES), label="address")
        filled = {name: value for name, value in form.defaults() if name != "csrf_token"}
        first = list({**filled, **valid, "email": address}.items())
        # The second: the first with a few fields left out, changed or sent twice (changing
        # many at once would nearly always make it invalid, and test nothing new).
        altered = data.draw(
            st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True), label="altered"
        )
        second = []
        for name, value in first:
            how = (
                data.draw(st.sampled_from(["omit", "change", "repeat"])) if name in altered else ""
            )
            if how == "omit":
                continue
            if how == "change":
                value = data.draw(values_for(form, name), label=name)
            second.extend([(name, value)] * (2 if how == "repeat" else 1))
        for name in altered:
            if name not in dict(first):  # a field the first left empty (a box not ticked)
                second.append((name, data.draw(values_for(form, name), label=name)))
        if data.draw(st.booleans(), label="same address, typed differently"):
            second = [(n, v.upper() if n == "email" else v) for n, v in second]
        for pairs in (first, second):
            client.delete_cookie("petition_session", domain="petition.test")
            csrf = csrf_for(app, client, base_url=BASE)
            before = fingerprint(app)
            response = send(client, url, "POST", "form", pairs, csrf, data, lang)
            refused = check_response(
                app,
                route,
                response,
                lang=lang,
                admin_lang=None,
                flashes=take_flashes(client),
                sent=pairs,
            )
            response.close()
            if refused:
                difference = changed(before, fingerprint(app))
                assert difference == {}, f"refused, yet stored: {difference}"

    submit()


# In quarters, so the workers share the GET forms instead of one running all of them last.
@pytest.mark.parametrize("quarter", range(4), ids=lambda n: f"quarter-{n + 1}")
def test_fuzz_get_forms(make_app, quarter):
    """Filters and searches (GET forms, found by crawling): their query strings, fuzzed."""
    app, world = _prepare(make_app)
    found = _crawl_forms(app, world)
    get_forms = {}
    for form in found:
        if form.method == "get":
            get_forms.setdefault(urlsplit(form.action).path, form)
    mine = sorted(get_forms.items())[quarter::4]
    assert mine, f"no GET forms found for quarter {quarter + 1}: {sorted(get_forms)}"
    client = app.test_client()

    for action, form in mine:
        _fuzz_query(app, client, action, form)()


def _fuzz_query(app, client, action: str, form: Form):
    """Return a Hypothesis test of one GET form's query string."""

    @given(st.data())
    def search(data):
        lang = data.draw(st.sampled_from(["en", "fr"]), label="lang")
        path = re.sub(r"^/(en|fr)/", f"/{lang}/", action)
        if action.startswith("/admin"):
            log_in_directly(app, client, ADMIN, lang=lang, base_url=BASE)
        pairs = data.draw(submissions(form, flood=False), label="fields")
        pages = ["", "0", "-1", "2", "9" * 30, str(2**63), "²", "abc"]
        extra = data.draw(st.sampled_from([[], *([("page", v)] for v in pages)]), label="page")
        query = urlencode([*pairs, *extra])
        before = fingerprint(app)
        response = client.get(f"{path}?{query}", base_url=BASE, headers={"Accept-Language": lang})
        assert response.status_code < 500
        page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        for raw in XSS:
            assert raw not in page
        if page and response.status_code < 400:
            problems = page_language_problems(page, lang)
            assert not problems, problems
        # Looking never changes anything.
        assert changed(before, fingerprint(app)) == {}

    return search


HOSTILE_STRINGS = ["\x00", "%00", "a" * 3000, "é", "..", " ", "\u202e", "<b>", "1;DROP", "²", "-1"]
HOSTILE_INTS = [0, 2**31, 2**63, 10**30]


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_hostile_path_arguments(make_app, who):
    """Every route with path arguments, given values no link would ever carry: no crash."""
    app, world = _prepare(make_app)
    client = app.test_client()
    if who == "admin":
        log_in_directly(app, client, ADMIN)
    for route in routes(app):
        names = sorted(route.arguments - {"lang"})
        if not names or route.is_static:
            continue
        for name in names:
            hostile = HOSTILE_INTS if name in route.int_arguments else HOSTILE_STRINGS
            for value in hostile:
                url = route.url({**world.url_values(), "lang": "fr", name: value})
                for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                    data = {"csrf_token": csrf_for(app, client)} if method != "GET" else None
                    response = client.open(url, method=method, data=data)
                    response.close()
                    assert response.status_code < 500, (method, url)
                    if response.status_code >= 400 and "lang" in route.arguments:
                        assert not page_language_problems(response.get_data(as_text=True), "fr")


def test_a_multi_valued_field_sent_70000_times(make_app):
    """Fields a form sends many of (ticked boxes), sent 70,000 times: refused, never a crash.

    (Past 65,535 values PostgreSQL refuses a query outright.)
    """
    app, world = _prepare(make_app)
    found = _crawl_forms(app, world)
    client = app.test_client()
    tried = set()
    for form in found:
        names = [f.name for f in form.fields if f.kind in ("checkbox", "select")]
        for name in {n for n in names if names.count(n) > 1 or n in PLURAL_FIELDS}:
            if form.method != "post" or (form.action, name) in tried:
                continue
            tried.add((form.action, name))
            log_in_directly(app, client, ADMIN, base_url=BASE)
            pairs = [*form.defaults(), *((name, str(n)) for n in range(70_000))]
            pairs = [(k, v) for k, v in pairs if k != "csrf_token"]
            before = fingerprint(app)
            data = MultiDict([*pairs, ("csrf_token", csrf_for(app, client, base_url=BASE))])
            referer = {"Referer": BASE + form.page}
            response = client.post(form.action, data=data, base_url=BASE, headers=referer)
            response.close()
            assert response.status_code != 400, "refused as a forgery: the test is wrong"
            assert response.status_code < 500, form.action
            assert changed(before, fingerprint(app)) == {}, form.action
    assert tried, "no form with a multi-valued field found"

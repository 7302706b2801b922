"""User data never reaches a page as markup: import messages, form errors, every admin page.

The audit that prompted this found a CSV heading such as `Courriel / <form ...>` rendered live
on the admin import page (it was interpolated into a lazy translated string, which Flask-Babel
marks as safe HTML): the injected form owned the page's CSRF token and the admin's next click
created an attacker's account. The tests plant markup (see tests/faults/hostile.py) wherever a
person or a file can put text, render every page that shows it, and parse each page as a
browser would.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from petition import audit
from petition.accounts.models import AdminUser
from petition.db_types import utcnow
from petition.endorsements import tokens
from petition.endorsements.models import Endorsement, TokenPurpose
from petition.extensions import db
from petition.i18n import _l
from petition.outbox.models import OutboxMessage
from petition.platforms.models import (
    Platform,
    PlatformText,
    PlatformVersion,
    Resource,
    ResourceKind,
)
from tests.factories import add_resource, make_admin_user, make_endorsement, make_platform
from tests.faults.crawl import Crawler
from tests.faults.hostile import (
    BREAKOUT,
    CRLF,
    FORM,
    FORMULAS,
    JAVASCRIPT_URL,
    META,
    assert_nothing_live,
    hostile_text,
)
from tests.faults.routes import routes
from tests.faults.state import csrf_for, log_in_directly
from tests.pages import csrf_token

BASE = "https://petition.test"
SLUG = "hostile-platform"
ADMIN = "admin@coalition.example"


def test_a_lazy_translation_is_text_in_a_template(app):
    """The mechanism: a lazy string's values are escaped wherever Jinja renders it."""
    with app.test_request_context("/en/"):
        message = _l("“%(value)s” is not a valid email address.", value=FORM)
        rendered = app.jinja_env.from_string("{{ m }}").render(m=message)
        assert "<form" not in rendered
        assert str(escape(FORM)) in rendered
        # Labels and messages without values render as before.
        assert app.jinja_env.from_string("{{ m }}").render(m=_l("Email address")) == (
            "Email address"
        )


# --- the import page ------------------------------------------------------------------------

HEADINGS = [
    "Timestamp",
    "Email Address",
    "Organization name",
    "Contact person",
    "Title",
    "Province or territory",
    "City",
    "Website",
    "Organization type",
    "Run by and for people who use drugs?",
    "Short description",
    "May we list your organization publicly?",
    "Language",
]


def _csv(headings: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode()


def _hostile_row(n: int) -> list[str]:
    """A row whose every cell is hostile, so each of the importer's messages quotes markup."""
    return [
        hostile_text(f"time{n}"),  # unreadable time
        hostile_text(f"mail{n}"),  # not an email address
        hostile_text(f"org{n}"),
        hostile_text(f"contact{n}"),
        hostile_text(f"title{n}") + "\x07",  # control characters
        hostile_text(f"province{n}"),  # unknown province
        hostile_text(f"city{n}"),
        JAVASCRIPT_URL + hostile_text(),  # not a website
        hostile_text(f"type{n}"),  # unknown organization type
        hostile_text(f"byandfor{n}"),  # neither yes nor no
        hostile_text(f"about{n}") * 20,  # too long
        hostile_text(f"consent{n}"),  # neither yes nor no
        hostile_text(f"lang{n}"),
        "extra cell",  # more cells than headings
    ]


HOSTILE_FILES = {
    # Two columns could hold the email address: the message quotes both headings.
    "ambiguous headings": _csv(
        [f"Courriel / {FORM}", f"Email / {META}", *HEADINGS[2:]],
        [["a@b.example"] * len(HEADINGS)],
    ),
    # (The ";" in the markup makes the file look semicolon-separated: no heading is found.)
    "headings with markup": _csv(
        [f"{h} / {hostile_text()}" for h in HEADINGS] + [hostile_text("extra heading")],
        [_hostile_row(9)],
    ),
    "every cell hostile": _csv(HEADINGS, [_hostile_row(n) for n in range(3)]),
    "a valid row with markup in its text": _csv(
        HEADINGS,
        [
            [
                "2026-01-05 10:00",
                "contact@harbour-peers.example",
                hostile_text("valid org"),
                hostile_text("valid contact"),
                hostile_text("valid title"),
                "Nova Scotia",
                hostile_text("valid city"),
                "harbour-peers.example",
                "Drug user group",
                "Yes",
                hostile_text("valid about"),
                "Yes",
                "English",
            ]
        ],
    ),
    "not CSV at all": b"\x00\x01" + FORM.encode() + b"\n" + META.encode(),
}


# Files refused with a message that quotes none of their content.
QUOTE_NOTHING = {"not CSV at all", "headings with markup"}


@pytest.fixture
def admin_client(app):
    with app.app_context():
        make_platform(SLUG)
        make_admin_user(ADMIN)
        db.session.commit()
    client = app.test_client()
    log_in_directly(app, client, ADMIN, base_url=BASE)
    return client


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
@pytest.mark.parametrize("action", ["check", "import"])
def test_import_messages_show_markup_as_text(app, admin_client, name, action, lang):
    with app.app_context():
        db.session.execute(AdminUser.__table__.update().values(preferred_locale=lang))
        db.session.commit()
    log_in_directly(app, admin_client, ADMIN, lang=lang, base_url=BASE)
    url = f"/admin/p/{SLUG}/import"
    page = admin_client.get(url, base_url=BASE)
    response = admin_client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "action": action,
            "file": (io.BytesIO(HOSTILE_FILES[name]), "export.csv"),
        },
        content_type="multipart/form-data",
        base_url=BASE,
        headers={"Referer": BASE + url},
    )
    assert response.status_code < 500
    shown = assert_nothing_live(response, f"{url} ({name})")
    if name not in QUOTE_NOTHING:
        # The markup was shown, as text: a moderator can see what the file held.
        assert "data-pwn" in shown, "the test no longer reaches a message that quotes the file"


# --- a world of hostile data, and every page that shows it ----------------------------------


def _fit(model, column: str, value: str) -> str:
    """Return `value`, or a shorter hostile value when the column cannot hold it."""
    limit = getattr(model.__table__.c[column].type, "length", None)
    if limit is None or len(value) <= limit:
        return value
    return (BREAKOUT + value)[:limit]


def _fitted(model, **values) -> dict:
    return {k: _fit(model, k, v) if isinstance(v, str) else v for k, v in values.items()}


def _hostile_world(app) -> dict:
    """A platform, accounts and endorsements whose every user-supplied text is hostile.

    Written straight to the database, as an import, an older version or a validation bug
    could have left them: the pages must be safe whatever the forms let through.
    """
    with app.app_context():
        texts = {
            lang: _fitted(
                PlatformText,
                title=hostile_text(f"title {lang}"),
                summary=hostile_text(f"summary {lang}"),
                # Markdown with raw HTML and javascript: links: sanitized, never live.
                body=f"1. Point {hostile_text()}\n\n[click]({JAVASCRIPT_URL})\n\n"
                f'<a href="{JAVASCRIPT_URL}" data-pwn>raw</a>',
            )
            for lang in ("en", "fr")
        }
        platform = make_platform(
            SLUG, texts=texts, version_label=_fit(Platform, "version_label", hostile_text("v"))
        )
        add_resource(
            platform,
            kind=ResourceKind.REPORT,
            **_fitted(
                Resource,
                url=JAVASCRIPT_URL,
                title_en=hostile_text("resource en"),
                title_fr=hostile_text("resource fr"),
            ),
        )
        db.session.add(
            PlatformVersion(
                platform=platform,
                **_fitted(
                    PlatformVersion,
                    label=hostile_text("old"),
                    changes_en=hostile_text("changes en"),
                    changes_fr=hostile_text("changes fr"),
                ),
            )
        )
        admin = make_admin_user(
            ADMIN, display_name=_fit(AdminUser, "display_name", hostile_text("admin name"))
        )
        make_admin_user(
            "moderator@coalition.example",
            role="moderator",
            display_name=_fit(AdminUser, "display_name", hostile_text("moderator")),
        )
        ids = {}
        for status in ("unverified", "pending_review", "approved", "rejected", "withdrawn"):
            for kind in ("organization", "individual"):
                fields = dict(
                    name=hostile_text("name"),
                    title=hostile_text("title"),
                    city=hostile_text("city"),
                    review_reason=hostile_text("reason"),
                )
                if kind == "organization":
                    fields.update(
                        org_name=FORMULAS[0] + hostile_text("org"),
                        org_name_fr=FORMULAS[1] + hostile_text("org fr"),
                        website=JAVASCRIPT_URL,
                        about_en=hostile_text("about en") + CRLF,
                        about_fr=hostile_text("about fr"),
                    )
                else:
                    fields.update(
                        descriptor=FORMULAS[2] + hostile_text("descriptor"),
                        display_mode="descriptor",
                    )
                endorsement = make_endorsement(
                    platform,
                    status,
                    kind=kind,
                    email=f"{status}-{kind}@members.example",
                    **_fitted(Endorsement, **fields),
                )
                ids[f"{status}_{kind}"] = endorsement.id
        pending = db.session.get(Endorsement, ids["pending_review_organization"])
        manage = tokens.issue(pending, TokenPurpose.MANAGE)
        confirm = tokens.issue(
            db.session.get(Endorsement, ids["unverified_organization"]),
            TokenPurpose.CONFIRM,
            timedelta(hours=72),
        )
        audit.record(
            "endorsement.edit",
            actor=admin,
            target_type="endorsement",
            target_id=ids["approved_organization"],
            platform_id=platform.id,
            details={
                "before": {"name": hostile_text("before"), hostile_text("key"): FORMULAS[3]},
                "after": {"name": hostile_text("after"), "website": JAVASCRIPT_URL},
                "reason": hostile_text("audit reason") + CRLF,
            },
        )
        audit.record(
            "system.note",
            actor_label=hostile_text("system label"),
            details={"note": hostile_text("note")},
        )
        db.session.add(
            OutboxMessage(
                recipient="failed@members.example",
                locale="fr",
                template="endorsements/confirm",
                body_text=hostile_text("text"),
                body_html=f"<p>{hostile_text('html body')}</p>",
                message_id=f"<hostile.{utcnow().timestamp()}@petition.test>",
                status="failed",
                attempts=8,
                **_fitted(
                    OutboxMessage,
                    subject=hostile_text("subject") + CRLF,
                    last_error=hostile_text("smtp error") + CRLF,
                ),
            )
        )
        db.session.commit()
        return {
            "slug": SLUG,
            "token": manage,
            "confirm_token": confirm,
            "endorsement_id": ids["pending_review_organization"],
            "user_id": admin.id,
            "filename": "css/site.css",
            "ids": ids,
        }


def _seeds(app, values: dict, *, admin_only: bool) -> list[str]:
    seeds = []
    for route in routes(app):
        if "GET" not in route.methods or route.is_static:
            continue
        if admin_only and not route.is_admin:
            continue
        langs = ("en", "fr") if "lang" in route.arguments else (None,)
        for endorsement_id in (
            values["ids"].values()
            if "endorsement_id" in route.arguments
            else [values["endorsement_id"]]
        ):
            for lang in langs:
                seeds.append(route.url({**values, "lang": lang, "endorsement_id": endorsement_id}))
    return list(dict.fromkeys(seeds))


def _crawl_as_admin(app, values):
    client = app.test_client()
    log_in_directly(app, client, ADMIN, base_url=BASE)
    crawler = Crawler(
        client, BASE, allow=lambda p: not p.startswith("/admin/logout"), limit=500, per_path=4
    )
    seeds = _seeds(app, values, admin_only=False)
    seeds += [f"/en/manage/{values['token']}", f"/fr/confirm/{values['confirm_token']}"]
    crawler.crawl(seeds)
    return client, crawler


def test_every_page_shows_hostile_data_as_text(make_app):
    """The admin-side crawl (and the public side with it), with hostile values everywhere."""
    app = make_app(BASE_URL=BASE)
    values = _hostile_world(app)
    _client, crawler = _crawl_as_admin(app, values)
    admin_pages = [p for p in crawler.pages.values() if p.path.startswith("/admin")]
    assert len(admin_pages) > 20, "the crawl no longer reaches the admin pages"
    shown_somewhere = False
    for page in crawler.pages.values():
        assert page.status < 500, page.path
        for value in page.headers.values():
            assert "\r" not in value and "\n" not in value, (page.path, value)
        if page.mimetype == "text/html":
            shown = assert_nothing_live(_AsResponse(page), page.path)
            shown_somewhere = shown_somewhere or "data-pwn" in shown
        elif page.mimetype == "text/csv":
            _assert_formulas_neutralized(page.body, page.path)
    assert shown_somewhere, "no page showed the planted values: the world is not reached"
    # The admin's own export, every cell of which came from signers.
    export = [p for p in crawler.pages.values() if p.path == f"/admin/p/{SLUG}/endorsements.csv"]
    assert export, "the crawl did not reach the admin CSV export"


def _assert_formulas_neutralized(body: str, path: str) -> None:
    for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))):
        for cell in row:
            assert not cell.startswith(("=", "+", "@")) and not (
                cell.startswith("-") and cell[1:2] not in ("", " ") and not cell[1:2].isdigit()
            ), f"formula cell in {path}: {cell[:40]!r}"


class _AsResponse:
    """A crawled page, shaped like a response for assert_nothing_live."""

    def __init__(self, page) -> None:
        self._page = page

    def get_data(self, as_text=False):
        return self._page.body


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_form_error_shows_markup_as_text(make_app, lang):
    """Every form on the site, sent with markup in each of its fields: the answer is text."""
    app = make_app(
        BASE_URL=BASE, SIGNON_RATE_LIMIT="100000 per hour", LOGIN_RATE_LIMIT="100000 per hour"
    )
    values = _hostile_world(app)
    client, crawler = _crawl_as_admin(app, values)
    forms = [f for f in crawler.forms() if f.method == "post" and "logout" not in f.action]
    assert len(forms) > 15, "the crawl no longer finds the site's forms"
    tried = 0
    seen_actions = set()
    for form in forms:
        key = (form.action.split("?")[0], tuple(form.field_names()))
        if key in seen_actions:
            continue
        seen_actions.add(key)
        action = form.action.replace("/en/", f"/{lang}/", 1)
        text_fields = [
            f.name
            for f in form.fields
            if f.kind
            in {
                "text",
                "textarea",
                "email",
                "url",
                "search",
                "password",
                "hidden",
                "date",
                "number",
                "select",
                "radio",
            }
            and f.name not in {"csrf_token", "started"}
        ]
        variants = [set(text_fields)] + [{name} for name in text_fields]
        for hostile_fields in variants:
            data = [
                (name, hostile_text(name) if name in hostile_fields else value)
                for name, value in form.defaults()
                if name != "csrf_token"
            ]
            data.append(("csrf_token", csrf_for(app, client, base_url=BASE)))
            response = client.post(
                action,
                data=MultiDict(data),
                base_url=BASE,
                headers={"Referer": BASE + form.page},
                follow_redirects=True,
            )
            assert response.status_code < 500, (action, hostile_fields)
            assert_nothing_live(response, f"{action} {sorted(hostile_fields)}")
            tried += 1
            if "/admin/" in action:
                # A form may have logged the admin out or changed their account: log in again.
                _restore_admin(app)
                log_in_directly(app, client, ADMIN, lang=lang, base_url=BASE)
    assert tried > 50


def _restore_admin(app) -> None:
    from petition.accounts.models import AdminRole

    with app.app_context():
        user = db.session.scalar(select(AdminUser).where(AdminUser.email == ADMIN))
        if user is not None:
            user.role, user.active, user.locked_until = AdminRole.ADMIN, True, None
            db.session.commit()


# --- what the code itself may not do ----------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _python_files():
    return sorted((ROOT / "petition").rglob("*.py"))


def test_only_the_i18n_module_makes_lazy_strings():
    """Flask-Babel's own lazy strings render as markup: nothing else may create them."""
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and "flask_babel" in node.module:
                names = {alias.name for alias in node.names}
                if names & {"lazy_gettext", "lazy_ngettext", "lazy_pgettext"}:
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_markup_is_made_only_from_sanitized_html():
    """`Markup(...)` (trusting a string as HTML) appears only where nh3 has just cleaned it."""
    allowed = {ROOT / "petition" / "markup.py", ROOT / "petition" / "i18n.py"}
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "Markup" and path not in allowed:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_templates_never_turn_escaping_off():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in {".html", ".txt", ".xml"}:
            continue
        source = path.read_text()
        if re.search(r"\|\s*safe\b|autoescape\s+false|Markup\(", source):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []

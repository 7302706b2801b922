"""Emailed links that are tampered with, cut short, expired, reused or used for the wrong thing.

Every route that takes a `<token>` (found in the URL map) is tried with each kind of bad token,
by GET and by POST (with a valid CSRF token): the answer is a clear page in the page's language
and the database does not change. Confirming by GET never changes anything, and a link for one
endorsement never shows or changes another.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select, update
from werkzeug.exceptions import HTTPException

from petition.db_types import utcnow
from petition.endorsements.models import EmailToken, Endorsement, EndorsementStatus
from petition.extensions import db
from tests.factories import make_endorsement, make_platform
from tests.faults.routes import routes
from tests.faults.state import changed, csrf_for, fingerprint
from tests.pages import csrf_token
from tests.test_language_leaks import HTML_LANG, leaks, readable_text

TOKEN_ROUTES = [r for r in routes() if "token" in r.arguments]


def _bad_tokens(good: str) -> dict[str, str]:
    flipped = ("A" if good[5] != "A" else "B").join((good[:5], good[6:]))
    return {
        "tampered": flipped,
        "truncated": good[:-1],
        "half": good[: len(good) // 2],
        "extended": good + "x",
        "case-changed": good.swapcase(),
        "made-up": "A" * len(good),
        "dot-dot": "..",
        "unicode": "é" * 22,
        "long": good * 400,
        "percent": "%00" + good[3:],
    }


def _link_problem_title(app, lang: str) -> str:
    with app.test_request_context(), force_locale(lang):
        return gettext("This link cannot be used")


def _assert_clear_refusal(app, response, lang: str, what: str) -> None:
    assert response.status_code in {404, 410}, (what, response.status_code)
    page = response.get_data(as_text=True)
    html_lang, text = readable_text(page, lang)
    assert html_lang == HTML_LANG[lang], what
    assert _link_problem_title(app, lang) in text, what
    assert not leaks(page, lang), (what, leaks(page, lang))


def _matches(app, url: str, method: str, endpoint: str) -> bool:
    try:
        found, _args = app.url_map.bind("petition.test").match(url.split("?")[0], method=method)
    except HTTPException:
        return False
    return found == endpoint


def _url(route, token: str, lang: str, world) -> str:
    return route.url({**world.url_values(), "token": token, "lang": lang})


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=[r.id for r in TOKEN_ROUTES])
def test_bad_tokens_get_a_clear_page_and_change_nothing(app, client, world, route):
    csrf = csrf_for(app, client)
    good = {
        "confirm": next(iter(world.confirm_tokens.values())),
        "manage": next(iter(world.manage_tokens.values())),
    }
    # A confirm link where a manage link belongs, and the other way round.
    swapped = good["manage"] if "/confirm/" in route.rule else good["confirm"]
    variants = {
        **_bad_tokens(good["manage"]),
        **{f"confirm-{k}": v for k, v in _bad_tokens(good["confirm"]).items()},
        "wrong purpose": swapped,
    }
    before = fingerprint(app)
    for lang in ("en", "fr"):
        for name, token in variants.items():
            url = _url(route, token, lang, world)
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                data = {"csrf_token": csrf, "display_mode": "full_name"}
                response = client.open(url, method=method, data=data if method != "GET" else None)
                if not _matches(app, url, method, route.endpoint):
                    assert response.status_code == 404
                    continue  # The URL no longer matches the route (e.g. "..").
                _assert_clear_refusal(app, response, lang, f"{method} {name}")
    assert changed(before, fingerprint(app)) == {}


def _expire_confirm_tokens(app) -> None:
    with app.app_context():
        db.session.execute(
            update(EmailToken)
            .values(expires_at=utcnow() - timedelta(minutes=1))
            .where(EmailToken.expires_at.is_not(None))
        )
        db.session.commit()


def test_expired_confirm_link_explains_and_changes_nothing(app, client, world):
    _expire_confirm_tokens(app)
    token = world.confirm_tokens["unverified_org-0"]
    before = fingerprint(app)
    for lang in ("en", "fr"):
        page = client.get(f"/{lang}/confirm/{token}")
        _assert_clear_refusal(app, page, lang, "expired GET")
        assert page.status_code == 410
        posted = client.post(f"/{lang}/confirm/{token}", data={"csrf_token": csrf_for(app, client)})
        _assert_clear_refusal(app, posted, lang, "expired POST")
        with app.test_request_context(), force_locale(lang):
            assert (
                gettext("This confirmation link has expired. Nothing was changed.")
                in (readable_text(posted.get_data(as_text=True), lang)[1])
            )
    assert changed(before, fingerprint(app)) == {}


def _status(app, endorsement_id: int) -> EndorsementStatus:
    with app.app_context():
        status = db.session.get(Endorsement, endorsement_id).status
        db.session.remove()
    return status


def test_confirm_by_get_never_changes_state_and_a_link_works_once(app, client, world):
    token = world.confirm_tokens["unverified_org-0"]
    endorsement = world.endorsements["unverified_org"]
    before = fingerprint(app)
    # Mail scanners and link previews fetch links, sometimes many times, in every way.
    for lang in ("en", "fr"):
        for _ in range(3):
            assert client.get(f"/{lang}/confirm/{token}").status_code == 200
            assert client.head(f"/{lang}/confirm/{token}").status_code == 200
    assert changed(before, fingerprint(app)) == {}
    assert _status(app, endorsement) == EndorsementStatus.UNVERIFIED

    page = client.get(f"/en/confirm/{token}")
    assert (
        client.post(f"/en/confirm/{token}", data={"csrf_token": csrf_token(page)}).status_code
        == 303
    )
    assert _status(app, endorsement) == EndorsementStatus.PENDING_REVIEW

    # Used: the same link again, by GET or POST, in either language, is a clear "already used".
    after_use = fingerprint(app)
    for lang in ("en", "fr"):
        again = client.post(f"/{lang}/confirm/{token}", data={"csrf_token": csrf_for(app, client)})
        _assert_clear_refusal(app, again, lang, "reused POST")
        assert again.status_code == 410
        _assert_clear_refusal(app, client.get(f"/{lang}/confirm/{token}"), lang, "reused GET")
    assert changed(after_use, fingerprint(app)) == {}


def test_a_link_shows_and_changes_only_its_own_endorsement(app, client, world):
    with app.app_context():
        other_platform = make_platform("other-platform")
        other = make_endorsement(
            other_platform,
            "approved",
            org_name="Northern Lights Harm Reduction Circle",
            email="circle@northern-lights.example",
            name="Alexis Nakamura",
        )
        other_id = other.id
        db.session.commit()
    token = world.manage_tokens["approved_org"]
    page = client.get(f"/en/manage/{token}").get_data(as_text=True)
    assert "Northern Lights" not in page
    assert "Alexis Nakamura" not in page
    data = client.get(f"/en/manage/{token}/my-data.json").get_data(as_text=True)
    assert "northern-lights" not in data
    assert "approved-org@members.example" in data

    withdraw = client.get(f"/en/manage/{token}/withdraw")
    client.post(f"/en/manage/{token}/withdraw", data={"csrf_token": csrf_token(withdraw)})
    assert _status(app, world.endorsements["approved_org"]) == EndorsementStatus.WITHDRAWN
    assert _status(app, other_id) == EndorsementStatus.APPROVED
    with app.app_context():
        untouched = db.session.scalars(
            select(Endorsement.status).where(Endorsement.id != world.endorsements["approved_org"])
        ).all()
    assert EndorsementStatus.WITHDRAWN not in untouched

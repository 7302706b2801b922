"""Every kind of email, rendered in French (and in English), read as a Quebec editor would.

The French subject, text part and HTML part hold no English word (the endorser's own data is
left out, as is anything marked with another `lang`), no ordinary space before : ; ! ? » or
after «, and quote the platform's title wherever it is inserted into a sentence. The English
parts hold no French-only word.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from petition.extensions import db
from petition.outbox import services
from tests.french_text import bad_spaces, other_language_words, unquoted_titles
from tests.outbox.test_services import EMAIL_TEMPLATES

TITLE = {"en": "Decriminalization with Dignity", "fr": "Décriminaliser dans la dignité"}
# The endorser's data and the site's codes: shown as they are in either language.
CONTENT = ["Réseau Pairs Aidants", "Peer Network", "Alex Martin", "2.0", "0"]


def _values(lang: str) -> dict:
    french = lang == "fr"
    return {
        "platform_title": TITLE[lang],
        "platform_url": f"https://petition.test/{lang}/p/x/",
        "confirm_url": f"https://petition.test/{lang}/confirm/t",
        "manage_url": f"https://petition.test/{lang}/manage/t",
        "stop_url": f"https://petition.test/{lang}/manage/t#updates",
        "expires_hours": 72,
        "version": "2.0",
        "changes": "Une recommandation ajoutée." if french else "One recommendation added.",
        "listed": True,
        "subject": "Des nouvelles" if french else "News",
        "body": "La campagne avance." if french else "The campaign moves on.",
        "reason": "Pas un organisme." if french else "Not an organization.",
        "items": [
            {
                "title": TITLE[lang],
                "new": 1556,
                "total": 2000,
                "url": "https://petition.test/admin/queue?platform=x",
            }
        ],
        "total_new": 1556,
    }


def _readable(html: str, lang: str) -> str:
    """Return what a reader of `lang` sees in an HTML part (other-language parts left out)."""
    other = "en" if lang == "fr" else "fr"
    html = re.sub(r"<(style|head)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(rf'<(\w+)[^>]*\blang="{other}[^"]*"[^>]*>.*?</\1>', " ", html, flags=re.S | re.I)
    return unescape(re.sub(r"<[^>]+>", "\n", html))


def _problems(text: str, lang: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    problems = [f"word: {w}" for w in other_language_words(text, lang, CONTENT)]
    if lang == "fr":
        problems += [f"space: {s!r}" for s in bad_spaces(text)]
        problems += [f"unquoted title: {line!r}" for line in unquoted_titles(lines, [TITLE["fr"]])]
    return problems


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_every_email_reads_right_in_its_language(console_app, template, lang):
    from tests.factories import make_endorsement, make_platform

    with console_app.app_context():
        platform = make_platform()
        for kind, name in (("organization", "Réseau Pairs Aidants"), ("individual", "Alex Martin")):
            endorsement = make_endorsement(
                platform,
                "approved",
                kind=kind,
                email=f"{kind}@example.org",
                **({"org_name": name} if kind == "organization" else {"name": name}),
            )
            values = {**_values(lang), "endorsement": endorsement.email_values()}
            email = services.render_email(template, lang, values)
            for part, text in (
                ("subject", email.subject),
                ("text", email.body_text),
                ("html", _readable(email.body_html, lang)),
            ):
                assert not _problems(text, lang), (kind, part, _problems(text, lang))
        db.session.rollback()

"""Signing on through the real forms, as a browser would (CSRF token and all)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.pages import csrf_token

ORGANIZATION = {
    "org_name": "Harbourside Peer Collective",
    "org_name_fr": "",
    "org_type": "drug_user_group",
    "province": "NS",
    "city": "Halifax",
    "website": "harbourside-peers.example",
    "by_and_for": "y",
    "about": "Peer-run outreach and naloxone training on the waterfront.",
    "name": "Robin Tremblay",
    "title": "Coordinator",
    "email": "coordination@harbourside-peers.example",
    "authorized": "y",
    "consent_public": "y",
}

INDIVIDUAL = {
    "name": "Marie-Ève Tremblay-Côté",
    "email": "marie-eve@example.net",
    "province": "QC",
    "city": "Rimouski",
    "title": "",
    "display_mode": "first_initial",
    "descriptor": "",
    "consent_public": "y",
}


def form_page(client, slug: str, kind: str = "organization", lang: str = "en"):
    return client.get(f"/{lang}/p/{slug}/sign/{kind}")


def sign(client, slug: str, kind: str = "organization", lang: str = "en", **fields):
    """Load the sign-on form, then submit it with the default fields updated by `fields`."""
    page = form_page(client, slug, kind, lang)
    assert page.status_code == 200, page.status_code
    started = re.search(r'name="started" type="hidden" value="([^"]*)"', page.get_data(True))
    data = dict(ORGANIZATION if kind == "organization" else INDIVIDUAL)
    data.update(csrf_token=csrf_token(page), started=started.group(1) if started else "")
    for key, value in fields.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return client.post(f"/{lang}/p/{slug}/sign/{kind}", data=data)


def links(message) -> list[str]:
    """Return every http(s) link in an email's plain-text part."""
    body = message.get_body(("plain",)).get_content()
    return re.findall(r"https?://\S+", body)


def link_to(message, fragment: str) -> str:
    """Return the path of the first link in `message` containing `fragment`."""
    for url in links(message):
        if fragment in url:
            return urlsplit(url).path
    raise AssertionError(f"no link with {fragment!r} in {links(message)}")

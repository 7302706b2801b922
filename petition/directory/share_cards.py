"""The share card of a platform in one language: what it shows, its name, its PNG.

The card's name (`Card.key`) is a hash of what it shows: the title, the count and the first
logos of the wall. Pages put it in their og:image URL, so a new count or a changed wall is a
new URL; the PNG is drawn once per name and kept under MEDIA_ROOT/cards, where every process
finds it.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import force_locale

from ..i18n import _, ngettext
from ..logos import cards
from ..logos.storage import card_store, store
from ..platforms.models import Platform
from ..platforms.services import localized
from . import services
from . import wall as wall_rules


def card_for(platform: Platform, lang: str, wall: wall_rules.Wall | None = None) -> cards.Card:
    """Return what the platform's card shows in `lang` (logos named, not yet loaded).

    `wall`: the platform's wall in `lang` if the caller has it (the card shows its first
    logos), else the card reads what it shows.
    """
    title = localized(platform, "title", lang).value
    published = services.endorsers_published(platform)
    with force_locale(lang):
        if published:
            total = services.totals(platform).total
            count_line = ngettext("%(num)d endorsement", "%(num)d endorsements", total)
        else:
            count_line = _("Endorse this platform")
    host = urlsplit(current_app.config["BASE_URL"]).netloc
    footer = " · ".join(p for p in (current_app.config.get("SITE_NAME") or "", host) if p)
    logos = ()
    if published:
        if wall is None:
            wall = wall_rules.wall(platform, lang, limit=cards.MAX_LOGOS)
        tiles = wall.tiles[: cards.MAX_LOGOS]
        logos = tuple(
            cards.CardLogo(initials=t.initials, color=t.color, digest=t.digest) for t in tiles
        )
    return cards.Card(title=title, count_line=count_line, footer=footer, logos=logos)


def card_png(card: cards.Card) -> bytes:
    """Return the card's PNG: kept under its key, or drawn now and kept."""
    key = card.key()
    kept = card_store().get(key)
    if kept is not None:
        return kept
    loaded = tuple(
        replace(logo, png=store().get(logo.digest)) if logo.digest else logo for logo in card.logos
    )
    data = cards.render(replace(card, logos=loaded))
    card_store().put(key, data)
    return data


def card_url(platform: Platform, lang: str, wall: wall_rules.Wall | None = None) -> str:
    """Return the absolute URL of the platform's current card (its key in the query)."""
    key = card_for(platform, lang, wall).key()
    path = url_for("directory.share_card", slug=platform.slug, lang=lang, v=key[:16])
    return current_app.config["BASE_URL"] + path

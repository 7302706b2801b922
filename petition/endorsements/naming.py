"""Public names of endorsers, and the normalized keys that search and sorting use."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from .models import DisplayMode, Endorsement

# Leading articles that should not decide where a name sorts ("The Harbour Collective" under
# H, "L'Île aux usagers" under I), as in a printed directory.
_ARTICLES = re.compile(r"^(?:the|l'|le|la|les|un|une)\s*", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Return `text` lower-cased, without accents, punctuation collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def sort_key(name: str) -> str:
    """Return a key that sorts names as a reader expects in either language."""
    name = unicodedata.normalize("NFKC", name.replace("’", "'")).strip()
    return fold(_ARTICLES.sub("", name, count=1) or name)[:200]


# Words that do not tell two organizations apart ("Harbour Light Society" is "Harbour Light").
_FILLER_WORDS = {
    "inc", "incorporated", "ltd", "ltee", "limited", "corp", "corporation", "co", "society",
    "societe", "association", "assoc", "organization", "organisation", "organisme", "the",
    "le", "la", "les", "l", "de", "des", "du", "d", "of", "for", "and", "et", "pour",
    "cooperative", "coop", "foundation", "fondation",
}  # fmt: skip


def name_key(name: str) -> str:
    """Return an organization's name reduced to the words that tell it apart from others."""
    return " ".join(w for w in fold(name).split() if w not in _FILLER_WORDS)[:200]


def website_host(url: str) -> str:
    """Return a website's host in lower case without "www." ("" without a website)."""
    host = (urlsplit(url).hostname or "") if url else ""
    return re.sub(r"^www\d?\.", "", host.lower())


def first_name_initial(full_name: str) -> str:
    """Return "Marie-Ève T." for "Marie-Ève Tremblay-Côté"."""
    parts = full_name.split()
    if len(parts) < 2:
        return parts[0] if parts else ""
    return f"{parts[0]} {parts[-1][0].upper()}."


def public_name(endorsement: Endorsement, locale: str) -> str:
    """Return the name the public list shows, or "" for someone counted only."""
    if endorsement.display_name:
        return endorsement.display_name
    if endorsement.is_organization:
        if locale == "fr" and endorsement.org_name_fr:
            return endorsement.org_name_fr
        return endorsement.org_name
    match endorsement.display_mode:
        case DisplayMode.FULL_NAME:
            return endorsement.name
        case DisplayMode.FIRST_INITIAL:
            return first_name_initial(endorsement.name)
        case DisplayMode.DESCRIPTOR:
            return ", ".join(p for p in (endorsement.descriptor, endorsement.city) if p)
    return ""


def refresh_keys(endorsement: Endorsement) -> None:
    """Recompute search and sort keys from what the public may see (never hidden names)."""
    english, french = public_name(endorsement, "en"), public_name(endorsement, "fr")
    names = dict.fromkeys(fold(n) for n in (english, french) if n)
    endorsement.search_key = " | ".join(names)[:500]
    endorsement.sort_key_en = sort_key(english)
    endorsement.sort_key_fr = sort_key(french)
    if endorsement.is_organization:
        endorsement.name_key = name_key(endorsement.org_name)
        endorsement.website_host = website_host(endorsement.website)

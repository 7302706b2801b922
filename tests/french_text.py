"""What a Quebec editor would catch in a French text, and a French word in an English one.

Shared by the French browser crawl (tests/browser/test_french_crawl.py) and the French email
check (tests/outbox/test_french_emails.py): words of the other language, an ordinary space
where French puts a no-break one (before : ; ! ? », after «), and a title inserted into a
sentence without « ».
"""

from __future__ import annotations

import re

# Words that are English and never French: one of them in a French text is a leak.
ENGLISH_ONLY = frozenset(
    [
        "the",
        "and",
        "your",
        "you",
        "with",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "been",
        "has",
        "have",
        "will",
        "would",
        "should",
        "could",
        "please",
        "here",
        "there",
        "which",
        "what",
        "who",
        "when",
        "where",
        "how",
        "our",
        "their",
        "of",
        "to",
        "for",
        "from",
        "by",
        "not",
        "yes",
        "endorse",
        "endorsed",
        "endorsement",
        "endorsements",
        "endorser",
        "endorsers",
        "signed",
        "signer",
        "email",
        "emails",
        "link",
        "click",
        "review",
        "reviewed",
        "approved",
        "rejected",
        "withdrawn",
        "pending",
        "account",
        "password",
        "logged",
        "login",
        "logout",
        "settings",
        "search",
        "filter",
        "filters",
        "save",
        "cancel",
        "back",
        "next",
        "previous",
        "newer",
        "older",
        "about",
        "organization",
        "organizations",
        "individual",
        "individuals",
        "download",
        "sent",
        "failed",
        "queue",
        "waiting",
        "listed",
        "private",
        "confirm",
        "confirmed",
        "manage",
        "withdraw",
    ]
)
# Words that are French and never English.
FRENCH_ONLY = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "une",
        "votre",
        "vos",
        "notre",
        "nos",
        "avec",
        "pour",
        "est",
        "sont",
        "dans",
        "sur",
        "cette",
        "ces",
        "aux",
        "appui",
        "appuis",
        "appuyer",
        "courriel",
        "courriels",
        "organisme",
        "organismes",
        "signataire",
        "signataires",
        "plateforme",
        "personnes",
        "aucun",
        "aucune",
        "retirer",
        "modifier",
        "enregistrer",
    ]
)
# Codes (next_cursor, org-authority-1) are one word, never mistaken for prose.
WORD = re.compile(r"[A-Za-zÀ-ÿ][\wÀ-ÿ'’-]*")
URLISH = re.compile(r"\S+@\S+|https?://\S+|\b[\w.-]+\.(?:example|org|test|ca|com)\S*")
# An ordinary space (or none) where French wants a no-break one.
BAD_SPACE = re.compile(r"\S( [:;!?»])|(« )")


def _words(text: str) -> list[str]:
    return [w.lower().strip("'’-") for w in WORD.findall(URLISH.sub(" ", text))]


def without(text: str, allowed: list[str]) -> str:
    """Remove content that is allowed in any language (names, codes) from `text`."""
    for item in sorted(allowed, key=len, reverse=True):
        if item:
            text = text.replace(item, " ")
    return text


def other_language_words(text: str, lang: str, allowed: list[str] = ()) -> list[str]:
    """Return the words of `text` that belong to the other language only."""
    foreign = ENGLISH_ONLY if lang == "fr" else FRENCH_ONLY
    return sorted({w for w in _words(without(text, list(allowed))) if w in foreign})


def bad_spaces(text: str) -> list[str]:
    """Return the places where French punctuation has an ordinary space (or none) beside it."""
    found = []
    for match in BAD_SPACE.finditer(URLISH.sub(" ", text)):
        start = max(match.start() - 20, 0)
        found.append(text[start : match.end() + 10])
    for match in re.finditer(r"[^\s\u00a0\u202f(«\[/]([:;!?»])(?=[\s\u00a0]|$)", text):
        # No space at all before : ; ! ? » (times like 9:30 and URLs are not words then space).
        if match.group(1) != ":" or not re.match(r"\d", text[match.start()]):
            start = max(match.start() - 20, 0)
            found.append(text[start : match.end() + 10])
    return found


def unquoted_titles(lines: list[str], titles: list[str], lang: str = "fr") -> list[str]:
    """Return the lines that insert one of `titles` into a sentence without quoting it."""
    opening, closing = ("«\u00a0", "\u00a0»") if lang == "fr" else ("“", "”")
    found = []
    for line in lines:
        for title in titles:
            if title not in line:
                continue
            rest = line.replace(f"{opening}{title}{closing}", "")
            colon = "\u00a0:" if lang == "fr" else ":"
            if rest.strip().startswith(title + colon):
                # "Titre : 2 en attente": a label for what follows, not a sentence.
                rest = rest.strip()[len(title + colon) :]
            # Alone on its line, or beside the page-title separator: a heading, not a sentence.
            bare = [p.strip() for p in rest.split("·")]
            if title in rest and any(title in p and p != title for p in bare):
                found.append(line)
    return found

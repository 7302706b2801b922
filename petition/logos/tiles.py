"""The text-only stand-in for an organization without a logo: initials on a colored tile.

Every background in PALETTE carries white text at a contrast ratio of at least 4.5:1 (WCAG
2.x AA for normal text; the tests check each one). The color is chosen from the name, so an
organization keeps its color on every page and in every process.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Dark backgrounds for white initials (the CSS classes logo-tile--0 ... --7 use the same).
PALETTE = (
    "#1d4e89",
    "#7a1f5c",
    "#22614a",
    "#8a3b12",
    "#4b3f8f",
    "#005f73",
    "#6b4226",
    "#3d5a1e",
)
FOREGROUND = "#ffffff"

# Small words that do not make an initial (English and French).
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "de",
        "des",
        "du",
        "d",
        "en",
        "et",
        "for",
        "in",
        "l",
        "la",
        "le",
        "les",
        "of",
        "on",
        "pour",
        "the",
        "to",
    ]
)


def initials(name: str) -> str:
    """Return up to three initials of an organization's name ("Harbour Light Society": HLS)."""
    words = [w for w in re.split(r"[\s\-'’/&.,()]+", name) if w]
    letters = [w for w in words if w.lower() not in _SMALL_WORDS and w[0].isalnum()] or words
    picked = "".join(w[0] for w in letters[:3]).upper()
    return unicodedata.normalize("NFC", picked) or "?"


def color_index(name: str) -> int:
    """Return the palette entry of this name (stable across processes and releases)."""
    return hashlib.sha256(name.encode("utf-8")).digest()[0] % len(PALETTE)


def relative_luminance(hex_color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two #rrggbb colors."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)

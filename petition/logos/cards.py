"""Share cards: the Open Graph image of a platform (title, count, a few logos), drawn by Pillow.

A card is drawn from plain values only, and named by the SHA-256 of those values (`card_key`):
every process and server asked for the same card draws the same one, or finds it kept in the
store, and a new count or a changed wall is a new name (social sites fetch it again).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from .tiles import FOREGROUND, PALETTE

WIDTH, HEIGHT = 1200, 630
MAX_LOGOS = 6
# Bump when the drawing changes, so that kept cards are drawn again.
DESIGN_VERSION = "1"
INK = "#1b1b1b"
ACCENT = "#1d4e89"


@dataclass(frozen=True)
class CardLogo:
    """One place on the card: a logo's PNG, or initials on a palette color."""

    initials: str
    color: int
    png: bytes | None = None
    digest: str = ""


@dataclass(frozen=True)
class Card:
    title: str
    count_line: str
    footer: str
    logos: tuple[CardLogo, ...]

    def key(self) -> str:
        """Return the SHA-256 naming this card: the same values, the same name everywhere."""
        values = {
            "v": DESIGN_VERSION,
            "title": self.title,
            "count": self.count_line,
            "footer": self.footer,
            "logos": [(logo.digest, logo.initials, logo.color) for logo in self.logos],
        }
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _font(size: int, bold: bool = False):
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        # Pillow's own font (no system fonts needed).
        return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, lines: int) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1].rstrip(".,;:") + "…"
    return out


def render(card: Card) -> bytes:
    """Draw the card as a WIDTH × HEIGHT PNG."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 16), fill=ACCENT)
    margin = 64
    title_font = _font(54, bold=True)
    y = 60
    for line in _wrap(draw, card.title, title_font, WIDTH - 2 * margin, 3):
        draw.text((margin, y), line, font=title_font, fill=INK)
        y += 66
    y += 16
    draw.text((margin, y), card.count_line, font=_font(40, bold=True), fill=ACCENT)
    box, gap = 150, 24
    top = HEIGHT - 64 - 40 - box
    for index, logo in enumerate(card.logos[:MAX_LOGOS]):
        left = margin + index * (box + gap)
        draw.rounded_rectangle((left, top, left + box, top + box), 12, outline="#c8c8c8", width=2)
        if logo.png is not None:
            with Image.open(io.BytesIO(logo.png), formats=["PNG"]) as picture:
                picture = picture.convert("RGBA")
                picture.thumbnail((box - 20, box - 20))
                x = left + (box - picture.width) // 2
                yy = top + (box - picture.height) // 2
                image.paste(picture, (x, yy), picture)
        else:
            inset = 25
            draw.ellipse(
                (left + inset, top + inset, left + box - inset, top + box - inset),
                fill=PALETTE[logo.color % len(PALETTE)],
            )
            draw.text(
                (left + box / 2, top + box / 2),
                logo.initials,
                font=_font(38, bold=True),
                fill=FOREGROUND,
                anchor="mm",
            )
    draw.text((margin, HEIGHT - 64), card.footer, font=_font(28), fill="#4a4a4a", anchor="ls")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

"""Turn an uploaded logo into a clean PNG, or refuse it with a reason.

Only PNG, JPEG and WebP decoders are ever asked to read an upload. The pixels are copied into
a new image, so nothing of the file but its picture survives (EXIF, XMP, ICC profiles,
comments, trailing bytes of a polyglot), then bounded to MAX_SIDE pixels and saved as PNG.
SVG is refused: it is a document that can carry scripts and links, not a picture.
"""

from __future__ import annotations

import enum
import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
# Larger images are refused before their pixels are decoded (a decompression bomb: a small
# file that unpacks into gigabytes). 4000 × 4000 is far more than any logo needs.
MAX_PIXELS = 16_000_000
# What is kept: at most this many pixels wide and high.
MAX_SIDE = 512
FORMATS = ("PNG", "JPEG", "WEBP")


class Refusal(enum.StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    SVG = "svg"
    NOT_AN_IMAGE = "not_an_image"
    TOO_MANY_PIXELS = "too_many_pixels"
    UNREADABLE = "unreadable"


class LogoRefused(Exception):
    """The upload is no logo this site keeps; `reason` says why."""

    def __init__(self, reason: Refusal):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanLogo:
    png: bytes
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.png).hexdigest()


def _looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and (b"<svg" in head or b"<!doctype svg" in head)


def clean(data: bytes) -> CleanLogo:
    """Return the picture in `data` as a bounded PNG with no metadata; raise LogoRefused."""
    if not data:
        raise LogoRefused(Refusal.EMPTY)
    if len(data) > MAX_BYTES:
        raise LogoRefused(Refusal.TOO_LARGE)
    if _looks_like_svg(data):
        raise LogoRefused(Refusal.SVG)
    with warnings.catch_warnings():
        # Pillow warns, then refuses, past its own limit; ours is lower and checked first.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise LogoRefused(Refusal.TOO_MANY_PIXELS)
                image.seek(0)  # the first frame of an animation
                image.load()
                picture = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise LogoRefused(Refusal.TOO_MANY_PIXELS) from None
        except UnidentifiedImageError:
            raise LogoRefused(Refusal.NOT_AN_IMAGE) from None
        except (OSError, ValueError, SyntaxError, EOFError):
            raise LogoRefused(Refusal.UNREADABLE) from None
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    mode = "RGBA" if has_alpha else "RGB"
    pixels = picture.convert(mode)
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image holds the pixels only: no info dictionary, so nothing else is saved.
    fresh = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    fresh.save(out, format="PNG", optimize=True)
    return CleanLogo(png=out.getvalue(), width=fresh.width, height=fresh.height)

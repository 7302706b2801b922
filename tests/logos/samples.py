"""Image files for upload tests, made on the spot with Pillow (fictional logos only)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw

SCRIPT = b"<script>alert('logo')</script>"


def picture(size=(300, 200), mode="RGB", color=(20, 90, 160)) -> Image.Image:
    image = Image.new(mode, size, color)
    ImageDraw.Draw(image).rectangle((20, 20, size[0] // 2, size[1] // 2), fill="white")
    return image


def png(size=(300, 200), **info) -> bytes:
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    for key, value in info.items():
        meta.add_text(key, value)
    out = io.BytesIO()
    picture(size, "RGBA", (20, 90, 160, 255)).save(out, "PNG", pnginfo=meta)
    return out.getvalue()


def jpeg_with_exif(size=(400, 300)) -> bytes:
    """A JPEG carrying EXIF: the camera's owner and a GPS position, to be stripped."""
    image = picture(size)
    exif = Image.Exif()
    exif[0x013B] = "Fictional Photographer"  # Artist
    exif[0x0112] = 6  # Orientation: rotated 90°, so the stored logo comes out upright
    gps = {1: "N", 2: (45.0, 30.0, 0.0), 3: "W", 4: (73.0, 35.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def webp(size=(256, 256)) -> bytes:
    out = io.BytesIO()
    picture(size).save(out, "WEBP")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bomb(side: int = 50_000) -> bytes:
    """A tiny PNG that claims `side` × `side` pixels: gigabytes once decoded."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side + 1) * 8, 9)  # a few rows; the header is the threat
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def polyglot() -> bytes:
    """A valid PNG that is also an HTML page with a script (after the image's last chunk)."""
    return png() + b"<html><body>" + SCRIPT + b"</body></html>"


def html_named_png() -> bytes:
    return b"<!doctype html><html><body>" + SCRIPT + b"</body></html>"


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" '
        b'height="100"><rect width="100" height="100" fill="teal"/>' + SCRIPT + b"</svg>"
    )


def oversized() -> bytes:
    """A real PNG over 2 MB (noise does not compress)."""
    import os

    side = 840
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    data = out.getvalue()
    assert 2 * 1024 * 1024 < len(data) < 2 * 1024 * 1024 + 100_000
    return data

"""The logo upload field of the sign-on and manage forms, with its messages."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms.validators import ValidationError

from ..i18n import _l
from .images import MAX_BYTES, CleanLogo, LogoRefused, Refusal, clean

ACCEPT = "image/png,image/jpeg,image/webp"

MESSAGES = {
    Refusal.EMPTY: _l("This file is empty. Choose a PNG, JPEG or WebP image."),
    Refusal.TOO_LARGE: _l("This file is larger than 2 MB. Choose a smaller image."),
    Refusal.SVG: _l(
        "SVG files cannot be used. Save the logo as PNG, JPEG or WebP and choose that file."
    ),
    Refusal.NOT_AN_IMAGE: _l("This file is not a PNG, JPEG or WebP image."),
    Refusal.TOO_MANY_PIXELS: _l("This image is too large. Use one of at most 4000 by 4000 pixels."),
    Refusal.UNREADABLE: _l(
        "This image could not be read. Save it again as PNG or JPEG and choose that file."
    ),
}


class LogoField(FileField):
    """An optional logo: after validation, `logo` holds the cleaned image (or None)."""

    logo: CleanLogo | None = None

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"accept": ACCEPT})
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form) -> None:
        self.logo = None
        upload = self.data
        # No file chosen, or a browser that sent no file part at all: no logo, no error.
        if not upload:
            return
        name = (upload.filename or "").lower()
        if name.endswith((".svg", ".svgz")) or upload.mimetype == "image/svg+xml":
            raise ValidationError(MESSAGES[Refusal.SVG])
        data = upload.stream.read(MAX_BYTES + 1)
        try:
            self.logo = clean(data)
        except LogoRefused as refused:
            raise ValidationError(MESSAGES[refused.reason]) from None

"""What every form of the site is built from: text fields where an omitted field is empty,
filters, and validators that explain themselves in the page's language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from email_validator import EmailNotValidError, validate_email
from wtforms import EmailField as _EmailField
from wtforms import SelectChoice
from wtforms import StringField as _StringField
from wtforms import TextAreaField as _TextAreaField
from wtforms.validators import Length, ValidationError

from .i18n import _l

_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")


# Bidirectional overrides can make a name display differently from what it is.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class _AbsentIsEmpty:
    """A text field that a submission leaves out is empty ("") rather than None.

    Browsers omit fields (a disabled input, a form saved from an older page, a script): an
    omitted optional field must mean "left blank" everywhere, in validators and in what the
    services store, exactly as when it is sent empty.
    """

    def process_formdata(self, valuelist):
        # A file sent under a text field's name (a multipart form, a script) is no text.
        valuelist = [value for value in valuelist if isinstance(value, str)]
        super().process_formdata(valuelist)
        if not valuelist:
            self.data = ""


class StringField(_AbsentIsEmpty, _StringField):
    """A one-line text field; left out of a submission, it is empty."""


class TextAreaField(_AbsentIsEmpty, _TextAreaField):
    """A multi-line text field; left out of a submission, it is empty."""


class EmailField(_AbsentIsEmpty, _EmailField):
    """An email address field; left out of a submission, it is empty."""


def strip(value):
    return value.strip() if isinstance(value, str) else value


def collapse_spaces(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse invisible control characters (line breaks and tabs allowed where multiline)."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        allowed = {"\n", "\r", "\t"} if self.multiline else set()
        for char in field.data or "":
            if char in allowed:
                continue
            if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
                raise ValidationError(
                    _l("Remove the invisible control characters from this field.")
                )


class PlainText(NoControlCharacters):
    """Refuse control characters and HTML in free text (line breaks allowed where multiline)."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if _MARKUP.search(field.data or ""):
            raise ValidationError(_l("Remove the < and > characters: formatting is not needed."))


class EmailAddress:
    """Check an email address's syntax and keep its normalized form."""

    def __call__(self, form, field):
        try:
            result = validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(
                _l("Enter a valid email address, like name@example.org.")
            ) from exc
        field.data = result.normalized


def normalize_website(value: str) -> str:
    """Return `value` as an https URL with a lower-case host, or raise ValueError."""
    value = value.strip()
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or parts.username or parts.password:
        raise ValueError(value)
    host = (parts.hostname or "").rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or not all(labels) or any(" " in label for label in labels):
        raise ValueError(value)
    try:
        host.encode("idna")
    except UnicodeError as exc:
        raise ValueError(value) from exc
    netloc = host.lower() + (f":{parts.port}" if parts.port else "")
    path = "" if parts.path == "/" else parts.path
    return urlunsplit(("https", netloc, path, parts.query, ""))


class Website:
    def __call__(self, form, field):
        try:
            field.data = normalize_website(field.data or "")
        except ValueError as exc:
            raise ValidationError(
                _l("Enter the website's address, like example.org or https://example.org.")
            ) from exc


def collation_key(text: str) -> str:
    """Return a sort key for a label: accents and case set aside, so "Île" sorts with "I"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sorted_choices(labels: dict, blank=None, last: tuple = ()) -> Callable[[], list[SelectChoice]]:
    """Return a function giving an enum's options in the page language's alphabetical order.

    WTForms calls it when a form is made, so the order is that of the labels as the reader
    sees them (Colombie-Britannique before Île-du-Prince-Édouard in French); values in `last`
    ("Outside Canada") stay at the end.
    """

    def choices() -> list[SelectChoice]:
        ordered = sorted(
            (value for value in labels if value not in last),
            key=lambda value: collation_key(str(labels[value])),
        )
        options = [SelectChoice(value.value, labels[value]) for value in (*ordered, *last)]
        return [SelectChoice("", blank), *options] if blank is not None else options

    return choices


def enum_choices(labels: dict, blank=None) -> list[SelectChoice]:
    """Return options for an enum's labels, after a blank "choose one" option if given."""
    options = [SelectChoice(value.value, label) for value, label in labels.items()]
    return [SelectChoice("", blank), *options] if blank is not None else options


def max_length(n: int):
    return Length(max=n, message=_l("Use %(max)d characters or fewer."))

"""Sign-on and manage forms: every field limited, cleaned and explained in the page's language."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField
from wtforms import EmailField as _EmailField
from wtforms import StringField as _StringField
from wtforms import TextAreaField as _TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..i18n import _l
from ..security import CsrfWhenShown
from .consents import wording
from .labels import DISPLAY_MODE_LABELS, ORG_TYPE_LABELS, PROVINCE_LABELS
from .models import ConsentPurpose, DisplayMode, EndorsementKind, OrgType, Province
from .services import Submission

ABOUT_MAX = 500
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


def enum_choices(labels: dict, blank=None) -> list[SelectChoice]:
    """Return options for an enum's labels, after a blank "choose one" option if given."""
    options = [SelectChoice(value.value, label) for value, label in labels.items()]
    return [SelectChoice("", blank), *options] if blank is not None else options


def max_length(n: int):
    return Length(max=n, message=_l("Use %(max)d characters or fewer."))


class SignOnForm(FlaskForm):
    """Fields shared by both sign-on forms, including the traps for automated submissions."""

    kind: EndorsementKind

    province = SelectField(
        _l("Province or territory"),
        choices=enum_choices(PROVINCE_LABELS, _l("Choose a province or territory")),
        validators=[DataRequired(_l("Choose a province or territory."))],
    )
    city = StringField(
        _l("City or town"),
        filters=[strip, collapse_spaces],
        validators=[DataRequired(_l("Enter a city or town.")), max_length(100), PlainText()],
    )
    email = EmailField(
        _l("Email address"),
        filters=[strip],
        validators=[DataRequired(_l("Enter an email address.")), max_length(254), EmailAddress()],
    )
    consent_updates = BooleanField(
        wording(EndorsementKind.ORGANIZATION, ConsentPurpose.UPDATES).text, default=False
    )
    # Invisible to people; automated form fillers tend to complete it.
    homepage = StringField(_l("Leave this field empty"), validators=[Optional()])
    # When the form was shown (signed), to notice submissions faster than a person types.
    started = HiddenField()

    def to_submission(self) -> Submission:
        """Return the cleaned values as a Submission for the sign-on service."""
        values = {
            name: self[name].data
            for name in Submission.field_names()
            if name != "kind" and name in self
        }
        values["province"] = Province(values["province"])
        if values.get("org_type"):
            values["org_type"] = OrgType(values["org_type"])
        if values.get("display_mode"):
            values["display_mode"] = DisplayMode(values["display_mode"])
        return Submission(kind=self.kind, **values)


class OrganizationForm(SignOnForm):
    kind = EndorsementKind.ORGANIZATION

    org_name = StringField(
        _l("Organization name"),
        filters=[strip, collapse_spaces],
        validators=[
            DataRequired(_l("Enter the organization's name.")),
            max_length(200),
            PlainText(),
        ],
    )
    org_name_fr = StringField(
        _l("Name in French, if different"),
        filters=[strip, collapse_spaces],
        validators=[max_length(200), PlainText()],
    )
    org_type = SelectField(
        _l("Type of organization"),
        choices=enum_choices(ORG_TYPE_LABELS, _l("Choose a type")),
        validators=[DataRequired(_l("Choose the type of organization."))],
    )
    website = StringField(
        _l("Website (optional)"), filters=[strip], validators=[max_length(300), Website()]
    )
    by_and_for = BooleanField(_l("Our organization is run by and for people who use drugs."))
    about = TextAreaField(
        _l("Short public description (optional)"),
        filters=[strip],
        validators=[max_length(ABOUT_MAX), PlainText(multiline=True)],
    )
    name = StringField(
        _l("Contact person's name"),
        filters=[strip, collapse_spaces],
        validators=[
            DataRequired(_l("Enter the contact person's name.")),
            max_length(120),
            PlainText(),
        ],
    )
    title = StringField(
        _l("Contact person's title (optional)"),
        filters=[strip, collapse_spaces],
        validators=[max_length(120), PlainText()],
    )
    contact_public = BooleanField(_l("Also list the contact person's name and title publicly."))
    authorized = BooleanField(
        wording(EndorsementKind.ORGANIZATION, ConsentPurpose.AUTHORITY).text,
        validators=[DataRequired(_l("Confirm that you may endorse for this organization."))],
    )
    consent_public = BooleanField(
        wording(EndorsementKind.ORGANIZATION, ConsentPurpose.PUBLIC_LISTING).text,
        validators=[DataRequired(_l("Agree to the public listing to endorse as an organization."))],
    )


class AppearanceFields:
    """How an individual appears publicly: shared by the sign-on and manage forms."""

    display_mode = RadioField(
        _l("How should you appear on the public list?"),
        choices=enum_choices(DISPLAY_MODE_LABELS),
        validators=[DataRequired(_l("Choose how you want to appear."))],
    )
    descriptor = StringField(
        _l("Description"),
        filters=[strip, collapse_spaces],
        validators=[max_length(80), PlainText()],
    )

    def validate_descriptor(self, field):
        if self.display_mode.data == DisplayMode.DESCRIPTOR and not field.data:
            raise ValidationError(
                _l("Enter a short description, such as “person with lived experience”.")
            )


class IndividualForm(AppearanceFields, SignOnForm):
    kind = EndorsementKind.INDIVIDUAL

    name = StringField(
        _l("Full name"),
        filters=[strip, collapse_spaces],
        validators=[DataRequired(_l("Enter your name.")), max_length(120), PlainText()],
    )
    title = StringField(
        _l("Affiliation or title (optional)"),
        filters=[strip, collapse_spaces],
        validators=[max_length(120), PlainText()],
    )
    consent_public = BooleanField(
        wording(EndorsementKind.INDIVIDUAL, ConsentPurpose.PUBLIC_LISTING).text
    )

    def validate_consent_public(self, field):
        # Someone who asks only to be counted is not listed, so needs no listing consent.
        if self.display_mode.data != DisplayMode.COUNTED_ONLY and not field.data:
            raise ValidationError(
                _l("Agree to be listed as you chose, or choose “Do not list me”.")
            )


class ShownForm(FlaskForm):
    """A form of a page that shows it only sometimes: no token, no cookie, unless it does."""

    class Meta:
        csrf_class = CsrfWhenShown


class AppearanceForm(AppearanceFields, ShownForm):
    """The manage page's form for changing how an individual appears."""


class ButtonForm(ShownForm):
    """A form that is only a button (confirm, withdraw): its CSRF token is all it carries."""


class ListingForm(ShownForm):
    """The manage page's form by which an imported endorser confirms (and may ask to be listed)."""

    consent_public = BooleanField(
        wording(EndorsementKind.ORGANIZATION, ConsentPurpose.PUBLIC_LISTING).text
    )

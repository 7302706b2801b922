"""Sign-on and manage forms: every field limited, cleaned and explained in the page's language."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField
from wtforms.validators import DataRequired, Optional, ValidationError

from ..forms import (
    EmailAddress,
    EmailField,
    PlainText,
    StringField,
    TextAreaField,
    Website,
    collapse_spaces,
    enum_choices,
    max_length,
    sorted_choices,
    strip,
)
from ..i18n import _l
from ..logos.fields import LogoField
from ..screening.validators import NotDisposable
from ..security import CsrfWhenShown
from .consents import wording
from .labels import DISPLAY_MODE_LABELS, ORG_TYPE_LABELS, PROVINCE_LABELS
from .models import ConsentPurpose, DisplayMode, EndorsementKind, OrgType, Province
from .signon import Submission

ABOUT_MAX = 500


class SignOnForm(FlaskForm):
    """Fields shared by both sign-on forms, including the traps for automated submissions."""

    kind: EndorsementKind

    province = SelectField(
        _l("Province or territory"),
        choices=sorted_choices(
            PROVINCE_LABELS, _l("Choose a province or territory"), last=(Province.OUTSIDE,)
        ),
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
        validators=[
            DataRequired(_l("Enter an email address.")),
            max_length(254),
            EmailAddress(),
            NotDisposable(),
        ],
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
    logo = LogoField(_l("Logo (optional)"))
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


class LogoForm(ShownForm):
    """The manage page's form for giving or changing an organization's logo."""

    logo = LogoField(_l("New logo"))

    def validate_logo(self, field):
        if field.logo is None and not field.errors:
            raise ValidationError(_l("Choose an image file."))


class ListingForm(ShownForm):
    """The manage page's form by which an imported endorser confirms (and may ask to be listed)."""

    consent_public = BooleanField(
        wording(EndorsementKind.ORGANIZATION, ConsentPurpose.PUBLIC_LISTING).text
    )

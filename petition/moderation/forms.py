"""Forms for admin pages of the moderation area."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..endorsements.forms import ABOUT_MAX
from ..endorsements.labels import ORG_TYPE_LABELS, PROVINCE_LABELS, STATUS_LABELS
from ..endorsements.models import OrgType, Province
from ..forms import (
    PlainText,
    Website,
    collapse_spaces,
    enum_choices,
    max_length,
    sorted_choices,
    strip,
)
from ..i18n import _l
from ..logos.fields import LogoField
from ..security import LARGEST_ID
from .labels import DECISION_LABELS
from .review import Decision

BAD_DATE = _l("Enter a date as YYYY-MM-DD.")


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(BAD_DATE) from exc


class AuditFilterForm(FlaskForm):
    """Filters for the audit log, sent as query arguments (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = SelectField(_l("Who"), choices=[], validate_choice=False)
    target_type = SelectField(_l("Target type"), choices=[], validate_choice=False)
    target_id = StringField(
        _l("Target number"), validators=[Length(max=64, message=_l("Use at most 64 characters."))]
    )
    platform = SelectField(_l("Platform"), choices=[], validate_choice=False)
    date_from = StringField(_l("From"), render_kw={"type": "date"})
    date_to = StringField(_l("To"), render_kw={"type": "date"})

    def validate_date_from(self, field):
        _parse_date(field.data)

    def validate_date_to(self, field):
        _parse_date(field.data)

    def dates(self) -> tuple[date | None, date | None]:
        return _parse_date(self.date_from.data), _parse_date(self.date_to.data)


class DecisionForm(FlaskForm):
    """One moderator decision on one endorsement, naming the status the moderator saw."""

    decision = SelectField(choices=enum_choices(DECISION_LABELS))
    seen = SelectField(choices=enum_choices(STATUS_LABELS))
    reason = TextAreaField(
        _l("Reason"), filters=[strip], validators=[max_length(500), PlainText(multiline=True)]
    )
    notify = BooleanField(_l("Email the reason to the signer, in their language"))


# The queue shows 25 at a time; far more ids than that is not a person ticking boxes (and past
# 65,535 values PostgreSQL refuses the query outright).
BULK_MAX = 500


class BulkDecisionForm(FlaskForm):
    """The same decision for the endorsements ticked in the queue."""

    ids = SelectMultipleField(coerce=int, validate_choice=False)
    decision = SelectField(
        choices=enum_choices({d: DECISION_LABELS[d] for d in (Decision.APPROVE, Decision.REJECT)})
    )
    reason = StringField(
        _l("Reason (for rejections)"),
        filters=[strip],
        validators=[max_length(500), PlainText()],
    )

    def validate_ids(self, field):
        # (A number no id can be is no endorsement: PostgreSQL would refuse to look it up.)
        field.data = [i for i in dict.fromkeys(field.data or []) if 0 < i <= LARGEST_ID]
        if not field.data:
            raise ValidationError(_l("Tick at least one endorsement."))
        if len(field.data) > BULK_MAX:
            raise ValidationError(_l("Tick at most %(max)d endorsements at a time.", max=BULK_MAX))


class EndorsementEditForm(FlaskForm):
    """The public fields of an endorsement that a moderator may correct."""

    # Set by the view: organizations must keep a name; individuals have no such field.
    is_organization = True

    org_name = StringField(
        _l("Organization name"),
        filters=[strip, collapse_spaces],
        validators=[max_length(200), PlainText()],
    )
    org_name_fr = StringField(
        _l("Name in French"),
        filters=[strip, collapse_spaces],
        validators=[max_length(200), PlainText()],
    )
    org_type = SelectField(_l("Type of organization"), choices=enum_choices(ORG_TYPE_LABELS))
    website = StringField(_l("Website"), filters=[strip], validators=[max_length(300), Website()])
    by_and_for = BooleanField(_l("Run by and for people who use drugs"))
    founding = BooleanField(_l("Founding organization of the platform (leads the logo wall)"))
    about_en = TextAreaField(
        _l("Description (English)"),
        filters=[strip],
        validators=[max_length(ABOUT_MAX), PlainText(multiline=True)],
    )
    about_fr = TextAreaField(
        _l("Description (French)"),
        filters=[strip],
        validators=[max_length(ABOUT_MAX), PlainText(multiline=True)],
    )
    descriptor = StringField(
        _l("Description"),
        filters=[strip, collapse_spaces],
        validators=[max_length(80), PlainText()],
    )
    city = StringField(
        _l("City or town"),
        filters=[strip, collapse_spaces],
        validators=[DataRequired(_l("Enter a city or town.")), max_length(100), PlainText()],
    )
    province = SelectField(
        _l("Province or territory"),
        choices=sorted_choices(PROVINCE_LABELS, last=(Province.OUTSIDE,)),
    )
    display_name = StringField(
        _l("Name shown publicly (leave empty to use the name above)"),
        filters=[strip, collapse_spaces],
        validators=[max_length(200), PlainText()],
    )

    def validate_org_name(self, field):
        if self.is_organization and not field.data:
            raise ValidationError(_l("Enter the organization's name."))

    def changes(self, organization: bool) -> dict:
        """Return the submitted values as model values, for the fields that apply."""
        names = ["city", "province", "display_name"]
        names += (
            [
                "org_name",
                "org_name_fr",
                "org_type",
                "website",
                "by_and_for",
                "founding",
                "about_en",
                "about_fr",
            ]
            if organization
            else ["descriptor"]
        )
        values = {name: self[name].data for name in names}
        values["province"] = Province(values["province"])
        if organization:
            values["org_type"] = OrgType(values["org_type"])
        return values


class BrowseForm(FlaskForm):
    """Filters for the list of all endorsements (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    platform = SelectField(_l("Platform"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    q = StringField(_l("Name or email address"), validators=[max_length(200)])
    domain = StringField(_l("Email domain"), validators=[max_length(254)])
    fingerprint = StringField(_l("IP fingerprint"), validators=[max_length(64)])


class ImportForm(FlaskForm):
    """An uploaded CSV export of an earlier sign-on form."""

    file = FileField(
        _l("CSV file"),
        description=_l(
            "Exported from the form tool, up to 2 MB (about 10,000 rows). For larger files, "
            "use the command flask petition import-endorsements."
        ),
        validators=[FileRequired(_l("Choose a CSV file."))],
    )
    approve = BooleanField(
        _l("This list was already vetted: approve the rows that agreed to be listed")
    )


class EraseForm(FlaskForm):
    """Erasing a person's data at their request: asked twice, because it cannot be undone."""

    confirm = BooleanField(
        _l("I understand that this removes the person's data for good."),
        validators=[DataRequired(_l("Tick the box to confirm the erasure."))],
    )


class LogoReplaceForm(FlaskForm):
    """A moderator's own logo for an organization (approved at once)."""

    logo = LogoField(_l("Replace the logo"))

    def validate_logo(self, field):
        if field.logo is None and not field.errors:
            raise ValidationError(_l("Choose an image file."))

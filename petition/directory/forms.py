"""The list's search and filter form, read from the URL's query string (so views can be shared).

It changes nothing, so it carries no CSRF token: a token would need a session, and the public
pages set no cookie.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SearchField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from ..endorsements.labels import ORG_TYPE_LABELS, PROVINCE_LABELS
from ..endorsements.models import EndorsementKind, OrgType, Province
from ..forms import sorted_choices
from ..i18n import _l
from . import services
from .services import Filters, Sort

INVALID_CHOICE = _l("This choice is not available; it was ignored.")
KIND_CHOICES = [
    SelectChoice("", _l("Organizations and individuals")),
    SelectChoice(EndorsementKind.ORGANIZATION.value, _l("Organizations only")),
    SelectChoice(EndorsementKind.INDIVIDUAL.value, _l("Individuals only")),
]
SORT_CHOICES = [
    SelectChoice(Sort.NAME.value, _l("Name")),
    SelectChoice(Sort.DATE.value, _l("Most recent first")),
]
# A query-string checkbox is on when present with any of these (links may say 1 or true).
TRUE_VALUES = ("1", "y", "yes", "on", "true")


def _choice(values) -> list:
    # Absent or empty means "all"; anything else must be one of the choices.
    return [Optional(), AnyOf(list(values), message=INVALID_CHOICE)]


class QueryBoolean(BooleanField):
    """A checkbox read from a URL: "0", "no", "false" and the like mean off."""

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and valuelist[0].strip().lower() in TRUE_VALUES


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(
        _l("Search by name"),
        filters=[lambda value: " ".join(value.split()) if isinstance(value, str) else value],
        validators=[Length(max=100, message=_l("Use %(max)d characters or fewer."))],
    )
    province = SelectField(
        _l("Province or territory"),
        choices=sorted_choices(
            PROVINCE_LABELS, _l("All provinces and territories"), last=(Province.OUTSIDE,)
        ),
        validate_choice=False,
        validators=_choice(p.value for p in Province),
    )
    org_type = SelectField(
        _l("Type of organization"),
        choices=[SelectChoice("", _l("All types"))]
        + [SelectChoice(t.value, label) for t, label in ORG_TYPE_LABELS.items()],
        validate_choice=False,
        validators=_choice(t.value for t in OrgType),
    )
    kind = SelectField(
        _l("Show"),
        choices=KIND_CHOICES,
        validate_choice=False,
        validators=_choice(k.value for k in EndorsementKind),
    )
    by_and_for = QueryBoolean(_l("Only groups run by and for people who use drugs"))
    sort = SelectField(
        _l("Sort by"),
        choices=SORT_CHOICES,
        validate_choice=False,
        validators=_choice(s.value for s in Sort),
    )

    def __init__(self, args: MultiDict, **kwargs):
        super().__init__(formdata=args, **kwargs)

    def filters(self) -> Filters:
        """Return the valid filters; an invalid value is left out (its error says so)."""
        self.validate()

        def valid(field, convert):
            # Optional() lets a blank value through unchecked: blank means "all".
            value = (field.data or "").strip()
            return convert(value) if value and not field.errors else None

        return Filters(
            q="" if self.q.errors else (self.q.data or ""),
            province=valid(self.province, Province),
            org_type=valid(self.org_type, OrgType),
            by_and_for=bool(self.by_and_for.data),
            kind=valid(self.kind, EndorsementKind),
            sort=valid(self.sort, Sort) or Sort.NAME,
        )

    def problems(self) -> dict[str, str]:
        """Return each ignored field's message, by query argument name."""
        return {name: str(errors[0]) for name, errors in self.errors.items() if errors}


class ApiQueryForm(FilterForm):
    """The API's query: the list's filters plus a language, a page length and a cursor."""

    lang = SelectField(
        _l("Language"),
        choices=[SelectChoice("en", "English"), SelectChoice("fr", "Français")],
        validate_choice=False,
        validators=[Optional(), AnyOf(["en", "fr"], message=INVALID_CHOICE)],
    )
    limit = StringField(_l("Results per page"), validators=[Optional()])
    cursor = StringField(_l("Cursor"), validators=[Length(max=600)])

    def validate_limit(self, field):
        raw = (field.data or "").strip()
        if not (raw.isdigit() and 1 <= int(raw) <= services.API_MAX_LIMIT):
            raise ValidationError(
                _l("Enter a whole number from 1 to %(max)d.", max=services.API_MAX_LIMIT)
            )

    def page_length(self) -> int:
        """Return the number of results asked for (the default when absent or invalid)."""
        raw = (self.limit.data or "").strip()
        if self.limit.errors or not raw:
            return services.PAGE_SIZE
        return int(raw)

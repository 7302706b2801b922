"""Forms of the abuse console."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from ..forms import PlainText, enum_choices, max_length, strip
from ..i18n import _l
from ..screening import ScreeningKind, ScreeningList
from .labels import KIND_LABELS, LIST_LABELS


class EntryForm(FlaskForm):
    """Add one entry to a block or allow list."""

    list = SelectField(_l("List"), choices=enum_choices(LIST_LABELS))
    kind = SelectField(_l("What"), choices=enum_choices(KIND_LABELS))
    value = StringField(
        _l("Value"),
        filters=[strip],
        description=_l(
            "A domain such as example.org, an IP fingerprint from the trending lists (or an "
            "IP address, hashed at once and never kept), or an email address."
        ),
        validators=[DataRequired(_l("Enter a value.")), max_length(254), PlainText()],
    )
    note = StringField(
        _l("Note (optional)"), filters=[strip], validators=[max_length(200), PlainText()]
    )

    @property
    def chosen_list(self) -> ScreeningList:
        return ScreeningList(self.list.data)

    @property
    def chosen_kind(self) -> ScreeningKind:
        return ScreeningKind(self.kind.data)


class SelectionForm(FlaskForm):
    """Which endorsements to invalidate: read from the query string for the dry run."""

    class Meta:
        csrf = False

    platform = SelectField(_l("Platform"), choices=[], validate_choice=False)
    domain = StringField(
        _l("Email domain"),
        filters=[strip],
        description=_l("Its subdomains too."),
        validators=[max_length(254), PlainText()],
    )
    fingerprint = StringField(
        _l("IP fingerprint"), filters=[strip], validators=[max_length(64), PlainText()]
    )
    since = StringField(_l("Signed on from"), render_kw={"type": "datetime-local"})
    until = StringField(_l("Signed on before"), render_kw={"type": "datetime-local"})

    def validate_since(self, field):
        parse_local(field.data)

    def validate_until(self, field):
        parse_local(field.data)

    def window(self) -> tuple[datetime | None, datetime | None]:
        return parse_local(self.since.data), parse_local(self.until.data)


class ConfirmForm(SelectionForm):
    """Confirm an invalidation: the dry run's selection and count, a reason, emailing or not."""

    class Meta:
        csrf = True

    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        description=_l("Recorded on each endorsement and in the audit log."),
        validators=[
            DataRequired(_l("Give a reason.")),
            max_length(500),
            PlainText(multiline=True),
        ],
    )
    notify = BooleanField(_l("Email each signer who had confirmed, in their language"))
    expected = HiddenField()


BAD_WHEN = _l("Enter a date and time as YYYY-MM-DDTHH:MM.")


def parse_local(value: str | None) -> datetime | None:
    """Return a date and time typed in the site's time zone, in UTC (None if blank)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationError(BAD_WHEN) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return parsed.astimezone(UTC)


def local_text(moment: datetime) -> str:
    """Return a UTC moment as the site-time value of a datetime-local field."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")

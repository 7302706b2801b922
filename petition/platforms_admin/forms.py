"""Admin forms for platforms: settings, texts in both languages, related resources, versions.

The forms check the shape of each value (formats, lengths); the rules that need the
database or the platform (unique address, publishing, closing after opening) live in
`editing` and are checked from `validate()`, so errors show next to their fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, ValidationError

from ..forms import NoControlCharacters, PlainText, enum_choices, max_length, strip
from ..i18n import _, _l
from ..platforms import editing
from ..platforms.labels import PLATFORM_STATUS_LABELS, RESOURCE_KIND_NAMES, WALL_ORDER_LABELS
from ..platforms.models import (
    Platform,
    PlatformStatus,
    PlatformVersion,
    Resource,
    ResourceKind,
    WallOrder,
)

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
TITLE_MAX = 300
SUMMARY_MAX = 1000
BODY_MAX = 100_000
CHANGES_MAX = 2000


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(_l("Enter a date as YYYY-MM-DD, like 2027-01-21.")) from exc


def _parse_local(value: str | None) -> datetime | None:
    """Read a date-time as the browser's datetime-local input sends it (seconds allowed)."""
    if not value:
        return None
    for pattern in (LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            local = datetime.strptime(value, pattern)
            break
        except ValueError:
            continue
    else:
        raise ValidationError(
            _l("Enter a date and time as YYYY-MM-DD HH:MM, like 2027-01-21 09:00.")
        )
    try:
        return editing.local_to_utc(local)
    except editing.NoSuchLocalTime as exc:
        raise ValidationError(
            _l("This time does not exist here: the clocks skip it when they change. Pick another.")
        ) from exc


def _local_text(value: datetime | None) -> str:
    local = editing.utc_to_local(value)
    return local.strftime(LOCAL_FORMAT) if local else ""


class DateText(StringField):
    """A date typed as YYYY-MM-DD (a date picker where the browser has one)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(label, validators, filters=[strip], **kwargs)

    def pre_validate(self, form):
        _parse_date(self.data)

    @property
    def value(self) -> date | None:
        try:
            return _parse_date(self.data)
        except ValidationError:
            return None


class LocalDateTimeText(StringField):
    """A date and time on the site's clock, stored in UTC."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"type": "datetime-local"})
        super().__init__(label, validators, filters=[strip], **kwargs)

    def pre_validate(self, form):
        _parse_local(self.data)

    @property
    def value(self) -> datetime | None:
        try:
            return _parse_local(self.data)
        except ValidationError:
            return None


def _attach(form: FlaskForm, problems: dict[str, Any]) -> bool:
    """Show rule problems next to their fields; return True when there were none."""
    for name, message in problems.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
    return not problems


class PlatformSettingsForm(FlaskForm):
    """A platform's address, status, version, sign-on dates and who may sign."""

    slug = StringField(
        _l("Address"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the address of the platform's pages."))],
        description=_l(
            "The last part of the platform's web address (/en/p/address/): lower-case letters, "
            "digits and hyphens. Changing it breaks links already shared."
        ),
    )
    status = RadioField(_l("Status"), choices=enum_choices(PLATFORM_STATUS_LABELS))
    version_label = StringField(
        _l("Version"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter a version label, like 1.0.")),
            max_length(40),
            PlainText(),
        ],
        description=_l("Each endorsement records the version the signer saw."),
    )
    released_on = DateText(_l("Release date"))
    signon_opens_at = LocalDateTimeText(_l("Sign-on opens"))
    signon_closes_at = LocalDateTimeText(_l("Sign-on closes"))
    launch_at = LocalDateTimeText(_l("Public launch (embargo)"))
    allow_individuals = BooleanField(_l("Individuals may sign (not only organizations)"))
    individuals_need_review = BooleanField(
        _l("Endorsements by individuals need a moderator's review")
    )
    wall_order = RadioField(
        _l("Who leads the logo wall"),
        choices=enum_choices(WALL_ORDER_LABELS),
        default=WallOrder.BY_AND_FOR_FIRST.value,
    )
    changes_en = TextAreaField(
        _l("What changed in this version (English)"),
        filters=[strip],
        validators=[max_length(CHANGES_MAX), PlainText(multiline=True)],
    )
    changes_fr = TextAreaField(
        _l("What changed in this version (French)"),
        filters=[strip],
        validators=[max_length(CHANGES_MAX), PlainText(multiline=True)],
    )

    def __init__(self, platform: Platform | None = None, **kwargs):
        if platform is not None and "data" not in kwargs:
            kwargs["data"] = self.data_from(platform)
        super().__init__(**kwargs)
        self.platform = platform
        zone = editing.site_zone().key
        for field in (self.signon_opens_at, self.signon_closes_at):
            field.description = _("Time in %(zone)s. Leave empty for no limit.", zone=zone)
        self.launch_at.description = _(
            "Time in %(zone)s. Before it, endorsements are collected but nobody sees who "
            "signed. Leave empty to show them as soon as they are approved.",
            zone=zone,
        )
        if self.status is not None:
            self.status.description = _(
                "Closed: the platform stays public, but sign-on ends. Publishing needs a title, "
                "a summary and a text in both languages."
            )
        if self.changes_en is not None:
            self.changes_en.description = _(
                "Only when you change the version of a public platform: what is new, for the "
                "people who endorsed an earlier version. Write it in both languages."
            )

    @staticmethod
    def data_from(platform: Platform) -> dict[str, Any]:
        """Return a platform's settings as the form shows them (times on the site's clock)."""
        return {
            "slug": platform.slug,
            "status": platform.status.value,
            "version_label": platform.version_label,
            "released_on": platform.released_on.isoformat() if platform.released_on else "",
            "signon_opens_at": _local_text(platform.signon_opens_at),
            "signon_closes_at": _local_text(platform.signon_closes_at),
            "launch_at": _local_text(platform.launch_at),
            "allow_individuals": platform.allow_individuals,
            "individuals_need_review": platform.individuals_need_review,
            "wall_order": platform.wall_order.value,
        }

    def values(self) -> dict[str, Any]:
        """Return the settings as model values (UTC times, enums)."""
        values = {
            "slug": self.slug.data or "",
            "version_label": self.version_label.data or "",
            "released_on": self.released_on.value,
            "signon_opens_at": self.signon_opens_at.value,
            "signon_closes_at": self.signon_closes_at.value,
            "launch_at": self.launch_at.value,
            "allow_individuals": self.allow_individuals.data,
            "individuals_need_review": self.individuals_need_review.data,
        }
        if self.wall_order.data in set(WallOrder):
            values["wall_order"] = WallOrder(self.wall_order.data)
        if self.status is not None and self.status.data in set(PlatformStatus):
            values["status"] = PlatformStatus(self.status.data)
        return values

    def changes(self) -> editing.ChangesSummary:
        """Return the summary of changes given for a new version."""
        return editing.ChangesSummary(self.changes_en.data or "", self.changes_fr.data or "")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # The rules run even when a field is malformed, so every problem shows at once; a
        # field that already has an error is not judged again on its unreadable value.
        problems = editing.settings_problems(self.platform, self.values())
        if self.platform is not None:
            problems.update(editing.changes_problems(self.platform, self.values(), self.changes()))
        problems = {
            name: message
            for name, message in problems.items()
            if name not in self._fields or not self[name].errors
        }
        return _attach(self, problems) and valid


class NewPlatformForm(PlatformSettingsForm):
    """A new platform: a draft until its texts are written."""

    status = None
    changes_en = None
    changes_fr = None

    def changes(self) -> editing.ChangesSummary:
        return editing.ChangesSummary()


def _text_fields():
    return (
        StringField(
            _l("Title"),
            filters=[strip],
            validators=[max_length(TITLE_MAX), PlainText()],
        ),
        TextAreaField(
            _l("Summary"),
            filters=[strip],
            validators=[max_length(SUMMARY_MAX), PlainText(multiline=True)],
            description=_l("One or two sentences, shown under the title and in search results."),
        ),
        TextAreaField(
            _l("Text (Markdown)"),
            validators=[max_length(BODY_MAX), NoControlCharacters(multiline=True)],
            description=_l(
                "Markdown: ## for a heading, 1. for a numbered recommendation, **bold**, "
                "[link text](https://...). HTML is shown as typed, never run."
            ),
            render_kw={"rows": 20},
        ),
    )


class PlatformTextsForm(FlaskForm):
    """A platform's title, summary and text in English and in French."""

    title_en, summary_en, body_en = _text_fields()
    title_fr, summary_fr, body_fr = _text_fields()
    # Sent by the "Preview" button: show the texts as the public will see them, save nothing.
    preview = SubmitField(_l("Preview"))

    def __init__(self, platform: Platform, **kwargs):
        if "data" not in kwargs:
            kwargs["data"] = {
                f"{field}_{locale}": editing.text_value(platform, locale, field)
                for locale in editing.LOCALES
                for field in editing.TEXT_FIELDS
            }
        super().__init__(**kwargs)
        self.platform = platform

    def field(self, name: str, locale: str):
        """Return the field for text `name` ("title", "summary", "body") in `locale`."""
        return self[f"{name}_{locale}"]

    def texts(self) -> dict[str, dict[str, str]]:
        """Return the texts as locale -> field -> value (line endings normalized)."""
        return {
            locale: {
                field: (self[f"{field}_{locale}"].data or "").replace("\r\n", "\n")
                for field in editing.TEXT_FIELDS
            }
            for locale in editing.LOCALES
        }

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        return _attach(self, editing.texts_problems(self.platform, self.texts()))


class ResourceForm(FlaskForm):
    """A related resource: what it is, where it is, when, and its title in each language."""

    kind = SelectField(_l("Type of resource"), choices=enum_choices(RESOURCE_KIND_NAMES))
    url = StringField(
        _l("Web address"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the resource's web address.")), max_length(2000)],
        render_kw={"type": "url"},
    )
    published_on = DateText(_l("Date"))
    title_en = StringField(
        _l("Title in English"), filters=[strip], validators=[max_length(TITLE_MAX), PlainText()]
    )
    title_fr = StringField(
        _l("Title in French"), filters=[strip], validators=[max_length(TITLE_MAX), PlainText()]
    )

    def __init__(self, resource: Resource | None = None, **kwargs):
        if resource is not None and "data" not in kwargs:
            kwargs["data"] = {
                "kind": resource.kind.value,
                "url": resource.url,
                "published_on": resource.published_on.isoformat() if resource.published_on else "",
                "title_en": resource.title_en,
                "title_fr": resource.title_fr,
            }
        super().__init__(**kwargs)

    def values(self) -> dict[str, Any]:
        """Return the resource as model values."""
        return {
            "kind": ResourceKind(self.kind.data),
            "url": self.url.data,
            "published_on": self.published_on.value,
            "title_en": self.title_en.data or "",
            "title_fr": self.title_fr.data or "",
        }

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        return _attach(self, editing.resource_problems(self.values()))


class VersionChangesForm(FlaskForm):
    """What changed in one version, in both languages."""

    changes_en = TextAreaField(
        _l("What changed (English)"),
        filters=[strip],
        validators=[max_length(CHANGES_MAX), PlainText(multiline=True)],
    )
    changes_fr = TextAreaField(
        _l("What changed (French)"),
        filters=[strip],
        validators=[max_length(CHANGES_MAX), PlainText(multiline=True)],
    )

    def __init__(self, version: PlatformVersion, **kwargs):
        if "data" not in kwargs:
            kwargs["data"] = {"changes_en": version.changes_en, "changes_fr": version.changes_fr}
        super().__init__(**kwargs)
        self.version = version
        # Several of these forms share a page: give their fields ids of their own.
        for field in (self.changes_en, self.changes_fr):
            field.id = field.label.field_id = f"v{version.id}-{field.name}"

    def changes(self) -> editing.ChangesSummary:
        return editing.ChangesSummary(self.changes_en.data or "", self.changes_fr.data or "")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        problem = self.changes().problem()
        if problem:
            return _attach(self, {"changes_fr" if self.changes_en.data else "changes_en": problem})
        return True


class MoveForm(FlaskForm):
    """Move a resource one place up or down the list."""

    direction = SelectField(
        choices=[SelectChoice("up", _l("Move up")), SelectChoice("down", _l("Move down"))]
    )

    @property
    def offset(self) -> int:
        return -1 if self.direction.data == "up" else 1


class CampaignUpdateForm(FlaskForm):
    """An update for the endorsers who asked for news, written in both languages."""

    form_key = HiddenField()
    subject_en = StringField(
        _l("Subject in English"),
        filters=[strip],
        validators=[
            DataRequired(_l("Write the subject in English.")),
            max_length(200),
            PlainText(),
        ],
    )
    subject_fr = StringField(
        _l("Subject in French"),
        filters=[strip],
        validators=[DataRequired(_l("Write the subject in French.")), max_length(200), PlainText()],
    )
    body_en = TextAreaField(
        _l("Message in English"),
        description=_l("Plain text. Leave an empty line between paragraphs."),
        filters=[strip],
        validators=[
            DataRequired(_l("Write the message in English.")),
            max_length(10000),
            PlainText(multiline=True),
        ],
    )
    body_fr = TextAreaField(
        _l("Message in French"),
        description=_l("Plain text. Leave an empty line between paragraphs."),
        filters=[strip],
        validators=[
            DataRequired(_l("Write the message in French.")),
            max_length(10000),
            PlainText(multiline=True),
        ],
    )

"""Forms of the abuse console."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired

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

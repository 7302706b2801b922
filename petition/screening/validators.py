"""A form validator that refuses addresses at disposable (throwaway) mail services."""

from __future__ import annotations

from wtforms.validators import StopValidation

from ..i18n import _l
from .services import is_disposable


class NotDisposable:
    """Refuse an address at a disposable mail service (unless an admin exempted its domain)."""

    message = _l(
        "This address is at a throwaway mail service. Use an address you will keep: we email "
        "you a link to confirm, and later a link to change or withdraw your endorsement."
    )

    def __call__(self, form, field):
        if field.data and not field.errors and is_disposable(field.data):
            raise StopValidation(self.message)

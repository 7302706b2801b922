"""The abuse console's pages: thin routes over screening (lists), trending and invalidation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from .. import screening
from ..accounts.access import admin_required, may_open, moderator_required
from ..accounts.sessions import current_admin
from ..extensions import db
from ..i18n import _
from ..screening import ScreeningList
from ..screening.services import find_entry, shown_value
from .forms import EntryForm
from .labels import KIND_SHORT_LABELS, LIST_LABELS

bp = Blueprint("abuse_console", __name__)


@bp.app_context_processor
def console_labels():
    return {
        "screening_list_labels": LIST_LABELS,
        "screening_kind_labels": KIND_SHORT_LABELS,
        "screening_value": shown_value,
    }


def _console(form: EntryForm | None = None, status: int = 200):
    form = form or EntryForm()
    page = render_template(
        "abuse_console/console.html",
        form=form,
        lists={list_: screening.list_entries(list_) for list_ in ScreeningList},
        can_edit=may_open("abuse_console.add_entry"),
    )
    return page, status


@bp.get("/admin/abuse")
@moderator_required
def console():
    return _console()


@bp.post("/admin/abuse/entries")
@admin_required
def add_entry():
    form = EntryForm()
    if not form.validate_on_submit():
        return _console(form, 422)
    try:
        entry = screening.add_entry(
            form.chosen_list,
            form.chosen_kind,
            form.value.data,
            note=form.note.data,
            actor=current_admin(),
        )
    except screening.InvalidEntry as error:
        db.session.rollback()
        form.value.errors = [error.message]
        return _console(form, 422)
    db.session.commit()
    flash(
        _(
            "Added to the list “%(list)s”: %(value)s.",
            list=LIST_LABELS[entry.list],
            value=shown_value(entry),
        ),
        "success",
    )
    return redirect(url_for(".console") + "#lists", 303)


@bp.post("/admin/abuse/entries/<int:entry_id>/remove")
@admin_required
def remove_entry(entry_id: int):
    # CSRF is checked for every POST by CSRFProtect.
    entry = find_entry(entry_id)
    if entry is None:
        abort(404)
    shown, list_ = shown_value(entry), entry.list
    screening.remove_entry(entry, actor=current_admin())
    db.session.commit()
    flash(
        _("Removed from the list “%(list)s”: %(value)s.", list=LIST_LABELS[list_], value=shown),
        "success",
    )
    return redirect(url_for(".console") + "#lists", 303)

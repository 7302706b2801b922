"""The abuse console's pages: thin routes over screening (lists), trending and invalidation."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal

from .. import screening
from ..accounts.access import admin_required, may_open, moderator_required
from ..accounts.sessions import current_admin
from ..db_types import utcnow
from ..extensions import db
from ..i18n import _, ngettext
from ..platforms import services as platform_rules
from ..platforms.models import Platform
from ..screening import ScreeningList
from ..screening.services import find_entry, shown_value
from . import invalidation, trending
from .forms import ConfirmForm, EntryForm, SelectionForm, local_text
from .labels import KIND_SHORT_LABELS, LIST_LABELS

bp = Blueprint("abuse_console", __name__)


@bp.app_context_processor
def console_labels():
    return {
        "screening_list_labels": LIST_LABELS,
        "screening_kind_labels": KIND_SHORT_LABELS,
        "screening_value": shown_value,
        "trending_links": trending_links,
        "format_decimal": lambda value: format_decimal(value, format="#,##0.#"),
    }


def trending_links(source: trending.Source, platform: Platform) -> dict:
    """Return where a trending source's buttons lead: its endorsements, their invalidation."""
    criterion = {source.kind: source.value}
    since = local_text(utcnow() - timedelta(days=1))
    return {
        "browse": url_for("moderation.endorsements", platform=platform.slug, **criterion),
        "invalidate": url_for(
            "abuse_console.invalidate", platform=platform.slug, since=since, **criterion
        ),
    }


def _console(form: EntryForm | None = None, status: int = 200):
    form = form or EntryForm()
    page = render_template(
        "abuse_console/console.html",
        form=form,
        lists={list_: screening.list_entries(list_) for list_ in ScreeningList},
        trending=trending.for_platforms(platform_rules.all_platforms()),
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


SELECTION_FIELDS = ("platform", "domain", "fingerprint", "since", "until")


def _platform_choices(form: SelectionForm) -> list[Platform]:
    platforms = platform_rules.all_platforms()
    form.platform.choices = [(p.slug, p.slug) for p in platforms]
    return platforms


def _dry_run_count(value: str | None) -> int:
    """The dry run's count as the form sent it back; anything else matches no count."""
    if value and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return -1


def _selection(form: SelectionForm):
    """Return the form's selection, or None with the problem on the form's fields."""
    # Chosen among the platforms there are: whatever was sent never reaches a query.
    platform = next(
        (p for p in platform_rules.all_platforms() if p.slug == form.platform.data), None
    )
    if platform is None:
        form.platform.errors = [_("Choose a platform.")]
        return None
    since, until = form.window()
    try:
        return invalidation.Selection.build(
            platform,
            domain=form.domain.data,
            fingerprint=form.fingerprint.data,
            since=since,
            until=until,
        )
    except invalidation.NoCriteria:
        form.domain.errors = [_("Name a domain, a fingerprint or a time window.")]
    except invalidation.InvalidSelection as error:
        form[error.field].errors = [error.message]
    return None


def _invalidate_page(form: SelectionForm, confirm: ConfirmForm | None, status: int = 200):
    selection = dry = None
    criteria_ok = not any(form[name].errors for name in SELECTION_FIELDS)
    if form.platform.data and criteria_ok:
        selection = _selection(form)
        if selection is not None:
            dry = invalidation.dry_run(selection)
    if selection is not None and confirm is None:
        source = selection.domain or selection.fingerprint
        reason = _("Automated sign-ons from %(source)s.", source=source) if source else ""
        confirm = ConfirmForm(
            formdata=None,
            platform=selection.platform.slug,
            domain=form.domain.data,
            fingerprint=form.fingerprint.data,
            since=form.since.data,
            until=form.until.data,
            reason=reason,
        )
    if confirm is not None and dry is not None:
        confirm.expected.data = str(dry.total)
    page = render_template(
        "abuse_console/invalidate.html",
        form=form,
        confirm=confirm,
        selection=selection,
        dry=dry,
        limit=invalidation.web_limit(),
        command_line=invalidation.cli_command_line(selection) if selection else "",
    )
    return page, status


@bp.get("/admin/abuse/invalidate")
@admin_required
def invalidate():
    form = SelectionForm(request.args)
    _platform_choices(form)
    if form.platform.data:
        form.validate()
    return _invalidate_page(form, None)


@bp.post("/admin/abuse/invalidate")
@admin_required
def invalidate_post():
    confirm = ConfirmForm()
    _platform_choices(confirm)
    if not confirm.validate():
        return _invalidate_page(confirm, confirm, 422)
    selection = _selection(confirm)
    if selection is None:
        return _invalidate_page(confirm, confirm, 422)
    try:
        result = invalidation.invalidate(
            selection,
            reason=confirm.reason.data,
            actor=current_admin(),
            notify=confirm.notify.data,
            expected=_dry_run_count(confirm.expected.data),
            limit=invalidation.web_limit(),
        )
    except invalidation.CountChanged as changed:
        db.session.rollback()
        flash(
            _(
                "The selection changed since the dry run: it now matches %(count)s. "
                "Nothing was changed; check the count and confirm again.",
                count=changed.count,
            ),
            "error",
        )
        return _invalidate_page(confirm, None, 409)
    except invalidation.TooMany:
        db.session.rollback()
        return _invalidate_page(confirm, None, 409)
    db.session.commit()
    message = ngettext(
        "%(num)d endorsement invalidated.", "%(num)d endorsements invalidated.", result.invalidated
    )
    if result.emailed:
        message += " " + ngettext(
            "%(num)d signer will be emailed.", "%(num)d signers will be emailed.", result.emailed
        )
    flash(message, "success")
    return redirect(url_for(".console"), 303)

"""Importing an earlier sign-on list from a CSV file."""

from __future__ import annotations

from flask import (
    render_template,
    request,
)

from ...accounts.access import admin_required
from ...accounts.sessions import current_admin
from ...db_connections import no_retry
from ...endorsements import importing
from ...extensions import db
from ...security import accepts_files
from ..forms import (
    ImportForm,
)
from .common import _platform, bp


@bp.route("/admin/p/<slug>/import", methods=["GET", "POST"])
@admin_required
@accepts_files
@no_retry
def import_endorsements(slug: str):
    platform = _platform(slug)
    form = ImportForm()
    report, problem = None, None
    if form.validate_on_submit():
        dry_run = request.form.get("action") != "import"
        try:
            report = importing.import_upload(
                platform,
                form.file.data.read(),
                approve=form.approve.data,
                dry_run=dry_run,
                actor=current_admin(),
            )
        except importing.ImportFileError as error:
            db.session.rollback()
            problem = error.message
        else:
            if dry_run:
                db.session.rollback()
            else:
                db.session.commit()
    status = 422 if form.errors or problem else 200
    page = render_template(
        "moderation/import.html", platform=platform, form=form, report=report, problem=problem
    )
    return page, status

"""Logos on the admin side: see any logo, approve, remove or replace one."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_wtf import FlaskForm

from ...accounts.access import moderator_required
from ...accounts.sessions import current_admin
from ...endorsements.logo_uploads import UPLOAD_REQUEST_LIMIT
from ...extensions import db
from ...i18n import _
from ...logos.storage import DIGEST, store
from ...security import accepts_files
from .. import logos as moderated_logos
from ..forms import LogoReplaceForm
from .common import _endorsement, _first_error, bp


@bp.get("/admin/logos/<digest>.png")
@moderator_required
def logo_file(digest: str):
    # Waiting logos too: moderators see what they decide on. Never cached by anyone else.
    if not DIGEST.match(digest) or not moderated_logos.known(digest):
        abort(404)
    data = store().get(digest)
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _back(endorsement):
    if request.form.get("next") == "queue":
        return url_for(".queue", platform=endorsement.platform.slug) + "#logos"
    return (
        url_for(".endorsement", slug=endorsement.platform.slug, endorsement_id=endorsement.id)
        + "#logo"
    )


@bp.post("/admin/p/<slug>/endorsements/<int:endorsement_id>/logo/approve")
@moderator_required
def approve_logo(slug: str, endorsement_id: int):
    endorsement = _endorsement(slug, endorsement_id)
    if FlaskForm().validate_on_submit() and moderated_logos.approve(endorsement, current_admin()):
        db.session.commit()
        flash(_("The logo is approved."), "success")
    return redirect(_back(endorsement), 303)


@bp.post("/admin/p/<slug>/endorsements/<int:endorsement_id>/logo/remove")
@moderator_required
def remove_logo(slug: str, endorsement_id: int):
    endorsement = _endorsement(slug, endorsement_id)
    if FlaskForm().validate_on_submit() and moderated_logos.remove(endorsement, current_admin()):
        db.session.commit()
        flash(_("The logo is removed: the organization's initials are shown instead."), "success")
    return redirect(_back(endorsement), 303)


@bp.post("/admin/p/<slug>/endorsements/<int:endorsement_id>/logo/replace")
@moderator_required
@accepts_files(max_bytes=UPLOAD_REQUEST_LIMIT)
def replace_logo(slug: str, endorsement_id: int):
    endorsement = _endorsement(slug, endorsement_id)
    if not endorsement.is_organization:
        abort(404)
    form = LogoReplaceForm()
    if not form.validate_on_submit():
        flash(_("The logo was not replaced: %(error)s", error=_first_error(form)), "error")
    else:
        moderated_logos.replace(endorsement, form.logo.logo, current_admin())
        db.session.commit()
        flash(_("The new logo is approved and shown on the wall."), "success")
    return redirect(_back(endorsement), 303)

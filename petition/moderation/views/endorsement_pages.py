"""One endorsement's page (edit, erase), the browse list and the CSV of them all."""

from __future__ import annotations

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from wtforms import SelectChoice

from ...accounts.access import admin_required, moderator_required
from ...accounts.sessions import current_admin
from ...db_types import utcnow
from ...directory import exports
from ...endorsements.labels import KIND_LABELS, STATUS_LABELS
from ...endorsements.models import Endorsement, EndorsementKind, EndorsementStatus
from ...extensions import db
from ...forms import enum_choices
from ...i18n import _, current_lang
from ...logos import services as logo_services
from ...platforms import services as platform_rules
from ...privacy import services as privacy
from .. import queue as queue_rules
from .. import review, services, signals
from ..forms import (
    BrowseForm,
    EndorsementEditForm,
    EraseForm,
    LogoReplaceForm,
)
from ..review import record_export
from .common import _endorsement, _enum_or_none, _first_error, _page_number, _platform, bp


def _edit_form(endorsement: Endorsement, formdata=None) -> EndorsementEditForm:
    form = EndorsementEditForm(formdata=formdata, obj=endorsement)
    form.is_organization = endorsement.is_organization
    return form


def _detail(endorsement: Endorsement, form: EndorsementEditForm, status: int = 200):
    history = services.events_for("endorsement", endorsement.id)
    page = render_template(
        "moderation/endorsement.html",
        e=endorsement,
        s=signals.compute([endorsement])[endorsement.id],
        form=form,
        history=history,
        logo=logo_services.logo_of(endorsement.id),
        logo_form=LogoReplaceForm(),
    )
    return page, status


@bp.get("/admin/p/<slug>/endorsements/<int:endorsement_id>")
@moderator_required
def endorsement(slug: str, endorsement_id: int):
    endorsement = _endorsement(slug, endorsement_id)
    return _detail(endorsement, _edit_form(endorsement))


@bp.post("/admin/p/<slug>/endorsements/<int:endorsement_id>/edit")
@moderator_required
def edit(slug: str, endorsement_id: int):
    endorsement = _endorsement(slug, endorsement_id)
    form = _edit_form(endorsement, request.form)
    if not form.validate():
        return _detail(endorsement, form, 422)
    changed = review.edit(endorsement, current_admin(), form.changes(endorsement.is_organization))
    db.session.commit()
    flash(_("Changes saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for(".endorsement", slug=slug, endorsement_id=endorsement.id), 303)


@bp.get("/admin/endorsements")
@moderator_required
def endorsements():
    form = BrowseForm(request.args)
    all_platforms = platform_rules.all_platforms()
    everything = [SelectChoice("", _("All"))]
    form.platform.choices = everything + [SelectChoice(p.slug, p.slug) for p in all_platforms]
    form.status.choices = everything + enum_choices(STATUS_LABELS)
    form.kind.choices = everything + enum_choices(KIND_LABELS)
    current = next((p for p in all_platforms if p.slug == form.platform.data), None)
    filters = queue_rules.BrowseFilters(
        platform=current,
        status=_enum_or_none(EndorsementStatus, form.status.data),
        kind=_enum_or_none(EndorsementKind, form.kind.data),
        text=(form.q.data or "")[:200],
        domain=(form.domain.data or "")[:254],
        fingerprint=(form.fingerprint.data or "")[:64],
    )
    page = _page_number()
    items, has_more, total = queue_rules.browse(filters, page)
    return render_template(
        "moderation/endorsements.html",
        form=form,
        current=current,
        items=items,
        has_more=has_more,
        total=total,
        page=page,
        filters={k: v for k, v in request.args.items() if k != "page" and v},
    )


@bp.post("/admin/p/<slug>/endorsements/<int:endorsement_id>/erase")
@admin_required
def erase(slug: str, endorsement_id: int):
    endorsement = _endorsement(slug, endorsement_id)
    form = EraseForm()
    if not form.validate():
        flash(_first_error(form), "error")
    else:
        privacy.erase(endorsement, current_admin())
        db.session.commit()
        flash(_("The person's data is erased. The endorsement is counted but shows nothing."))
    return redirect(url_for(".endorsement", slug=slug, endorsement_id=endorsement.id), 303)


# The download is named in the admin's language.
ADMIN_EXPORT_WORD = {"en": "endorsements", "fr": "appuis"}


@bp.get("/admin/p/<slug>/endorsements.csv")
@admin_required
def export_csv(slug: str):
    platform = _platform(slug)
    record_export(platform, current_admin())
    # Committed before streaming: the download is on record even if it is cut short.
    db.session.commit()
    word = ADMIN_EXPORT_WORD[current_lang()]
    filename = f"{platform.slug}-{word}-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(exports.admin_csv(platform)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )

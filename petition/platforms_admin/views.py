"""Admin pages for platforms: settings, texts with a preview, related resources, versions.

Admins only: moderators review endorsements but do not change platforms.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from ..accounts.access import admin_required
from ..accounts.sessions import current_admin
from ..endorsements import notices, updates
from ..extensions import db
from ..i18n import _, ngettext
from ..markup import render_markdown
from ..platforms import editing
from ..platforms import services as platform_rules
from ..platforms.labels import RESOURCE_KIND_NAMES
from ..platforms.models import Platform, PlatformVersion
from .forms import (
    CampaignUpdateForm,
    MoveForm,
    NewPlatformForm,
    PlatformSettingsForm,
    PlatformTextsForm,
    ResourceForm,
    VersionChangesForm,
)

bp = Blueprint("platforms_admin", __name__)


@bp.app_context_processor
def platform_admin_helpers():
    return {"resource_kind_names": RESOURCE_KIND_NAMES, "missing_texts": editing.missing_texts}


def _platform(slug: str) -> Platform:
    platform = editing.platform_by_slug(slug)
    if platform is None:
        abort(404)
    return platform


def _refused(form, refused: editing.EditRefused) -> None:
    """Put a service's refusal next to the form's fields; nothing was changed."""
    db.session.rollback()
    for name, message in refused.problems.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def _commit_or_slug_taken(form) -> bool:
    try:
        db.session.commit()
    except IntegrityError:
        # Another admin took the address between our check and our commit.
        db.session.rollback()
        form.slug.errors = [*form.slug.errors, editing.slug_problem(form.slug.data)]
        return False
    return True


@bp.get("/admin/platforms")
@admin_required
def index():
    return render_template("platforms_admin/index.html", platforms=platform_rules.all_platforms())


@bp.route("/admin/platforms/new", methods=["GET", "POST"])
@admin_required
def new():
    form = NewPlatformForm()
    if form.validate_on_submit():
        try:
            platform = editing.create_platform(form.values(), current_admin())
        except editing.EditRefused as refused:
            _refused(form, refused)
        else:
            if _commit_or_slug_taken(form):
                flash(
                    _("The platform is created as a draft. Now write its texts in both languages."),
                    "success",
                )
                return redirect(url_for(".texts", slug=platform.slug), 303)
    status = 422 if form.errors else 200
    return render_template("platforms_admin/new.html", form=form), status


@bp.route("/admin/platforms/<slug>/settings", methods=["GET", "POST"])
@admin_required
def settings(slug: str):
    platform = _platform(slug)
    form = PlatformSettingsForm(platform)
    if form.validate_on_submit():
        try:
            changed = editing.update_settings(
                platform, form.values(), current_admin(), form.changes()
            )
        except editing.EditRefused as refused:
            _refused(form, refused)
        else:
            if _commit_or_slug_taken(form):
                flash(_("Settings saved.") if changed else _("Nothing was changed."), "success")
                return redirect(url_for(".settings", slug=platform.slug), 303)
    status = 422 if form.errors else 200
    page = render_template(
        "platforms_admin/settings.html",
        platform=platform,
        form=form,
        public=platform.status in editing.PUBLIC_STATUSES,
    )
    return page, status


@bp.route("/admin/platforms/<slug>/texts", methods=["GET", "POST"])
@admin_required
def texts(slug: str):
    platform = _platform(slug)
    form = PlatformTextsForm(platform)
    preview = None
    if form.is_submitted() and form.preview.data:
        # Show the texts as the public page will, without saving; errors are shown too.
        form.validate()
        preview = {
            locale: {
                "title": values["title"],
                "summary": values["summary"],
                "body": render_markdown(values["body"]),
            }
            for locale, values in form.texts().items()
        }
    elif form.validate_on_submit():
        try:
            changed = editing.update_texts(platform, form.texts(), current_admin())
        except editing.EditRefused as refused:
            _refused(form, refused)
        else:
            db.session.commit()
            flash(_("Texts saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for(".texts", slug=platform.slug), 303)
    status = 422 if form.errors else 200
    page = render_template(
        "platforms_admin/texts.html",
        platform=platform,
        form=form,
        preview=preview,
        missing=editing.missing_texts(platform),
    )
    return page, status


def _resources_page(platform: Platform, form: ResourceForm):
    status = 422 if form.errors else 200
    return render_template("platforms_admin/resources.html", platform=platform, form=form), status


@bp.route("/admin/platforms/<slug>/resources", methods=["GET", "POST"])
@admin_required
def resources(slug: str):
    platform = _platform(slug)
    form = ResourceForm()
    if form.validate_on_submit():
        try:
            editing.add_resource(platform, form.values(), current_admin())
        except editing.EditRefused as refused:
            _refused(form, refused)
        else:
            db.session.commit()
            flash(_("Resource added."), "success")
            return redirect(url_for(".resources", slug=platform.slug), 303)
    return _resources_page(platform, form)


def _resource(platform: Platform, resource_id: int):
    # A resource of another platform, reached through a crafted URL, does not exist here.
    resource = editing.resource_of(platform, resource_id)
    if resource is None:
        abort(404)
    return resource


@bp.route("/admin/platforms/<slug>/resources/<int:resource_id>", methods=["GET", "POST"])
@admin_required
def resource(slug: str, resource_id: int):
    platform = _platform(slug)
    item = _resource(platform, resource_id)
    form = ResourceForm(item)
    if form.validate_on_submit():
        try:
            changed = editing.update_resource(platform, item, form.values(), current_admin())
        except editing.EditRefused as refused:
            _refused(form, refused)
        else:
            db.session.commit()
            flash(_("Resource saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for(".resources", slug=platform.slug), 303)
    status = 422 if form.errors else 200
    page = render_template(
        "platforms_admin/resource.html", platform=platform, resource=item, form=form
    )
    return page, status


@bp.post("/admin/platforms/<slug>/resources/<int:resource_id>/remove")
@admin_required
def remove_resource(slug: str, resource_id: int):
    platform = _platform(slug)
    item = _resource(platform, resource_id)
    editing.remove_resource(platform, item, current_admin())
    db.session.commit()
    flash(_("Resource removed."), "success")
    return redirect(url_for(".resources", slug=platform.slug), 303)


@bp.post("/admin/platforms/<slug>/resources/<int:resource_id>/move")
@admin_required
def move_resource(slug: str, resource_id: int):
    platform = _platform(slug)
    item = _resource(platform, resource_id)
    form = MoveForm()
    if form.validate() and editing.move_resource(platform, item, form.offset, current_admin()):
        db.session.commit()
        flash(_("Order saved."), "success")
    else:
        flash(_("That resource cannot move further."), "error")
    return redirect(url_for(".resources", slug=platform.slug) + f"#r{item.id}", 303)


def _versions_page(platform: Platform, forms: dict[int, VersionChangesForm], status: int = 200):
    page = render_template(
        "platforms_admin/versions.html",
        platform=platform,
        versions=editing.versions(platform),
        version_forms=forms,
        notice_count=len(notices.notice_recipients(platform)),
    )
    return page, status


@bp.post("/admin/platforms/<slug>/versions/<int:version_id>/notify")
@admin_required
def notify_endorsers(slug: str, version_id: int):
    platform = _platform(slug)
    version = db.session.get(PlatformVersion, version_id)
    if version is None or version.platform_id != platform.id:
        abort(404)
    if version.label != platform.version_label:
        flash(_("Only endorsers can be told about the current version."), "error")
    else:
        sent = notices.send_version_notices(platform, version, current_admin())
        db.session.commit()
        flash(
            ngettext(
                "%(num)d endorser will be emailed about the new version.",
                "%(num)d endorsers will be emailed about the new version.",
                sent,
            ),
            "success",
        )
    return redirect(url_for(".versions", slug=platform.slug) + f"#v{version.id}", 303)


@bp.get("/admin/platforms/<slug>/versions")
@admin_required
def versions(slug: str):
    platform = _platform(slug)
    forms = {v.id: VersionChangesForm(v, formdata=None) for v in editing.versions(platform)}
    return _versions_page(platform, forms)


@bp.post("/admin/platforms/<slug>/versions/<int:version_id>")
@admin_required
def version_changes(slug: str, version_id: int):
    platform = _platform(slug)
    version = db.session.get(PlatformVersion, version_id)
    if version is None or version.platform_id != platform.id:
        abort(404)
    form = VersionChangesForm(version)
    if form.validate_on_submit():
        try:
            changed = editing.update_version_changes(
                platform, version, form.changes(), current_admin()
            )
        except editing.EditRefused as refused:
            _refused(form, refused)
        else:
            db.session.commit()
            flash(
                _("Summary of changes saved.") if changed else _("Nothing was changed."), "success"
            )
            return redirect(url_for(".versions", slug=platform.slug) + f"#v{version.id}", 303)
    forms = {v.id: VersionChangesForm(v, formdata=None) for v in editing.versions(platform)}
    forms[version.id] = form
    return _versions_page(platform, forms, 422)


def _updates_page(platform: Platform, form: CampaignUpdateForm, preview: bool, status: int = 200):
    page = render_template(
        "platforms_admin/updates.html",
        platform=platform,
        form=form,
        preview=preview,
        recipient_count=len(updates.recipients(platform)),
        sent=updates.sent_updates(platform),
    )
    return page, status


@bp.route("/admin/platforms/<slug>/updates", methods=["GET", "POST"])
@admin_required
def campaign_updates(slug: str):
    platform = _platform(slug)
    form = CampaignUpdateForm()
    if not form.is_submitted():
        form.form_key.data = secrets.token_urlsafe(24)
        return _updates_page(platform, form, preview=False)
    if not form.validate():
        return _updates_page(platform, form, preview=False, status=422)
    if request.form.get("action") != "send":
        return _updates_page(platform, form, preview=True)
    try:
        update = updates.send_update(
            platform,
            form_key=form.form_key.data or secrets.token_urlsafe(24),
            subjects={"en": form.subject_en.data, "fr": form.subject_fr.data},
            bodies={"en": form.body_en.data, "fr": form.body_fr.data},
            actor=current_admin(),
        )
    except updates.AlreadySent:
        db.session.rollback()
        flash(_("This update was already sent; it was not sent again."), "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "The update is on its way to %(num)d endorser.",
                "The update is on its way to %(num)d endorsers.",
                update.recipients,
            ),
            "success",
        )
    return redirect(url_for(".campaign_updates", slug=platform.slug), 303)

"""Sign-on forms, email confirmation and the signer's own manage page."""

from __future__ import annotations

import json
from functools import wraps

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from .. import metrics, screening
from ..extensions import db, reading_first
from ..http_cache import no_store
from ..i18n import _
from ..platforms import services as platforms
from ..security import accepts_files, ip_hash
from . import listing, logo_uploads, services, signon
from .abuse import form_started_token, submission_flags
from .forms import (
    AppearanceForm,
    ButtonForm,
    IndividualForm,
    ListingForm,
    LogoForm,
    OrganizationForm,
)
from .labels import (
    DISPLAY_MODE_LABELS,
    KIND_LABELS,
    ORG_TYPE_LABELS,
    PROVINCE_LABELS,
    STATUS_LABELS,
)
from .naming import public_name
from .tokens import TokenError, TokenProblem

bp = Blueprint("endorsements", __name__)


@bp.app_context_processor
def endorsement_labels():
    return {
        "org_type_labels": ORG_TYPE_LABELS,
        "province_labels": PROVINCE_LABELS,
        "display_mode_labels": DISPLAY_MODE_LABELS,
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "public_name": public_name,
        "awaits_listing_confirmation": listing.awaits_confirmation,
    }


def _public_platform(slug: str):
    try:
        # Nothing on these pages shows the platform's resources: they are not loaded.
        return platforms.get_public_platform(slug, with_resources=False)
    except platforms.PlatformNotFound:
        abort(404)


def _sign(slug: str, form_class, template: str):
    # Everything up to the sign-on itself only reads: on SQLite, other sign-ons may write
    # meanwhile (see reading_first).
    with reading_first():
        platform = _public_platform(slug)
        state = platforms.signon_state(platform)
        if state != platforms.SignonState.OPEN:
            status = 200 if request.method == "GET" else 409
            page = render_template("endorsements/closed.html", platform=platform, state=state)
            return page, status
        if form_class is IndividualForm and not platform.allow_individuals:
            return render_template("endorsements/organizations_only.html", platform=platform), 404
        form = form_class()
        if not form.validate_on_submit():
            if not form.started.data:
                form.started.data = form_started_token()
            status = 422 if form.is_submitted() else 200
            return render_template(template, platform=platform, form=form), status
        submission = form.to_submission()
        hashed_ip = ip_hash(request.remote_addr)
        verdict = screening.screen(submission.email, hashed_ip)
        flags = submission_flags(
            honeypot=form.homepage.data,
            started=form.started.data,
            ip=request.remote_addr,
            verdict=verdict,
        )
    outcome = signon.sign_on(
        platform, submission, locale=g.lang, flags=flags, ip_hash=hashed_ip, block=verdict.block
    )
    logo = getattr(form, "logo", None)
    if logo is not None and logo.logo is not None:
        logo_uploads.attach_at_signon(platform, submission, logo.logo)
    db.session.commit()
    metrics.SIGNONS.labels(submission.kind.value, outcome.value).inc()
    return redirect(url_for(".check_inbox", slug=slug), 303)


@bp.route("/<lang:lang>/p/<slug>/sign/organization", methods=["GET", "POST"])
@no_store
@accepts_files(max_bytes=logo_uploads.UPLOAD_REQUEST_LIMIT)
def sign_organization(slug: str):
    return _sign(slug, OrganizationForm, "endorsements/sign_organization.html")


@bp.route("/<lang:lang>/p/<slug>/sign/individual", methods=["GET", "POST"])
@no_store
def sign_individual(slug: str):
    return _sign(slug, IndividualForm, "endorsements/sign_individual.html")


@bp.get("/<lang:lang>/p/<slug>/sign/check-your-inbox")
def check_inbox(slug: str):
    # Every sign-on outcome lands here: the page never says whether an address had signed.
    platform = _public_platform(slug)
    return render_template("endorsements/check_inbox.html", platform=platform)


def _link_problem(error: TokenError, purpose: str):
    db.session.rollback()
    platform = error.token.endorsement.platform if error.token is not None else None
    status = 410 if error.problem in (TokenProblem.EXPIRED, TokenProblem.USED) else 404
    page = render_template(
        "endorsements/link_problem.html", problem=error.problem, purpose=purpose, platform=platform
    )
    return page, status


@bp.get("/<lang:lang>/confirm/<token>")
@no_store
def confirm(token: str):
    # Only shows what would be confirmed: mail scanners that fetch links change nothing.
    try:
        row = services.confirmation_for(token)
    except TokenError as error:
        return _link_problem(error, "confirm")
    return render_template(
        "endorsements/confirm.html", endorsement=row.endorsement, form=ButtonForm()
    )


@bp.post("/<lang:lang>/confirm/<token>")
@no_store
def confirm_post(token: str):
    try:
        endorsement = services.confirm(token)
    except TokenError as error:
        return _link_problem(error, "confirm")
    db.session.commit()
    return redirect(url_for(".confirmed", slug=endorsement.platform.slug), 303)


@bp.get("/<lang:lang>/p/<slug>/sign/confirmed")
def confirmed(slug: str):
    platform = _public_platform(slug)
    return render_template("endorsements/confirmed.html", platform=platform)


def managed_endorsement(view):
    """Resolve a manage link's token into its endorsement for `view`, or explain the link."""

    @wraps(view)
    def wrapper(token: str, **kwargs):
        try:
            endorsement = services.managed(token)
        except TokenError as error:
            return _link_problem(error, "manage")
        return view(endorsement, token, **kwargs)

    return wrapper


def _manage_page(
    endorsement, token: str, form: AppearanceForm | None = None, logo_form: LogoForm | None = None
) -> str:
    if form is None:
        form = AppearanceForm(
            display_mode=endorsement.display_mode.value if endorsement.display_mode else None,
            descriptor=endorsement.descriptor,
        )
    return render_template(
        "endorsements/manage.html",
        endorsement=endorsement,
        token=token,
        form=form,
        button_form=ButtonForm(),
        listing_form=ListingForm(),
        logo_form=logo_form or LogoForm(),
        logo=logo_uploads.current_logo(endorsement),
        may_change_logo=logo_uploads.may_change_logo(endorsement),
    )


@bp.get("/<lang:lang>/manage/<token>")
@no_store
@managed_endorsement
def manage(endorsement, token: str):
    return _manage_page(endorsement, token)


@bp.post("/<lang:lang>/manage/<token>/confirm-listing")
@no_store
@managed_endorsement
def confirm_listing(endorsement, token: str):
    if not listing.awaits_confirmation(endorsement):
        return redirect(url_for(".manage", token=token), 303)
    form = ListingForm()
    if not form.validate_on_submit():
        abort(400)
    listing.confirm_listing(endorsement, consent_public=form.consent_public.data)
    db.session.commit()
    flash(_("Thank you: your endorsement is confirmed."), "success")
    return redirect(url_for(".manage", token=token), 303)


@bp.post("/<lang:lang>/manage/<token>/appearance")
@no_store
@managed_endorsement
def change_appearance(endorsement, token: str):
    if endorsement.kind != services.EndorsementKind.INDIVIDUAL:
        abort(404)
    form = AppearanceForm()
    if not form.validate_on_submit():
        return _manage_page(endorsement, token, form), 422
    needs_review = services.change_appearance(
        endorsement, services.DisplayMode(form.display_mode.data), form.descriptor.data
    )
    db.session.commit()
    if needs_review:
        flash(_("Saved. Your new description will be listed once the coalition has read it."))
    else:
        flash(_("Saved. The public list now shows you as you chose."), "success")
    return redirect(url_for(".manage", token=token), 303)


@bp.post("/<lang:lang>/manage/<token>/logo")
@no_store
@accepts_files(max_bytes=logo_uploads.UPLOAD_REQUEST_LIMIT)
@managed_endorsement
def change_logo(endorsement, token: str):
    if not logo_uploads.may_change_logo(endorsement):
        abort(404)
    form = LogoForm()
    if not form.validate_on_submit():
        return _manage_page(endorsement, token, logo_form=form), 422
    logo_uploads.replace_logo(endorsement, form.logo.logo)
    db.session.commit()
    flash(_("Saved. Your new logo will be shown once the coalition has approved it."), "success")
    return redirect(url_for(".manage", token=token) + "#logo", 303)


@bp.post("/<lang:lang>/manage/<token>/logo/remove")
@no_store
@managed_endorsement
def remove_logo(endorsement, token: str):
    if not endorsement.is_organization:
        abort(404)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if logo_uploads.remove_logo(endorsement):
        db.session.commit()
        flash(_("Your logo is removed. It no longer appears anywhere on this site."), "success")
    return redirect(url_for(".manage", token=token) + "#logo", 303)


@bp.route("/<lang:lang>/manage/<token>/withdraw", methods=["GET", "POST"])
@no_store
@managed_endorsement
def withdraw(endorsement, token: str):
    form = ButtonForm()
    if form.validate_on_submit():
        services.withdraw(endorsement)
        db.session.commit()
        flash(_("Your endorsement is withdrawn. It no longer appears anywhere on this site."))
        return redirect(url_for(".manage", token=token), 303)
    return render_template(
        "endorsements/withdraw.html", endorsement=endorsement, token=token, form=form
    )


@bp.post("/<lang:lang>/manage/<token>/reaffirm")
@no_store
@managed_endorsement
def reaffirm(endorsement, token: str):
    try:
        services.reaffirm(endorsement)
    except services.NothingToReaffirm:
        flash(_("Your endorsement already names the current version."))
    else:
        db.session.commit()
        flash(
            _(
                "Thank you: you now endorse version %(version)s.",
                version=endorsement.platform_version,
            ),
            "success",
        )
    return redirect(url_for(".manage", token=token), 303)


@bp.post("/<lang:lang>/manage/<token>/stop-updates")
@no_store
@managed_endorsement
def stop_updates(endorsement, token: str):
    services.stop_updates(endorsement)
    db.session.commit()
    flash(_("You will not receive campaign updates. Your endorsement is unchanged."), "success")
    return redirect(url_for(".manage", token=token), 303)


# The download is named in the page's language.
MY_DATA_NAMES = {"en": "my-endorsement.json", "fr": "mon-appui.json"}


@bp.get("/<lang:lang>/manage/<token>/my-data.json")
@no_store
@managed_endorsement
def my_data(endorsement, token: str):
    body = json.dumps(services.personal_data(endorsement), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{MY_DATA_NAMES[g.lang]}"'},
    )

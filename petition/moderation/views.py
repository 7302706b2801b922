"""The admin area's landing page and the audit log."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy import select
from wtforms import SelectChoice

from .. import audit, ratelimit
from ..accounts.access import admin_required, may_open, moderator_required
from ..accounts.sessions import current_admin
from ..audit.labels import ACTOR_KIND_LABELS, action_label, target_type_label
from ..db_types import utcnow
from ..directory import exports
from ..endorsements import importing
from ..endorsements.labels import CONSENT_LABELS, KIND_LABELS, KIND_PLURAL_LABELS, STATUS_LABELS
from ..endorsements.models import Endorsement, EndorsementKind, EndorsementStatus
from ..endorsements.naming import public_name
from ..extensions import db
from ..forms import enum_choices
from ..i18n import _, current_lang, format_number
from ..outbox import services as outbox_services
from ..outbox.labels import OUTBOX_STATUS_LABELS
from ..outbox.models import OutboxMessage, OutboxStatus
from ..platforms import services as platform_rules
from ..platforms.labels import PLATFORM_STATUS_LABELS
from ..platforms.models import Platform, PlatformStatus
from ..privacy import services as privacy
from ..security import accepts_files, whole_number
from . import charts, review, services, signals
from . import dashboard as dashboard_figures
from . import queue as queue_rules
from .forms import (
    AuditFilterForm,
    BrowseForm,
    BulkDecisionForm,
    DecisionForm,
    EndorsementEditForm,
    EraseForm,
    ImportForm,
)
from .labels import FLAG_LABELS, IMPORT_OUTCOME_LABELS, LOGIN_FAILURE_REASONS
from .navigation import admin_nav
from .review import record_export

bp = Blueprint("moderation", __name__)

# Failed emails listed on the dashboard (the newest; the count shows how many in all).
FAILED_SHOWN = 20


@bp.app_context_processor
def admin_shell_helpers():
    return {
        "admin_nav": admin_nav,
        "action_label": action_label,
        "target_type_label": target_type_label,
        "actor_kind_labels": ACTOR_KIND_LABELS,
        "platform_status_labels": PLATFORM_STATUS_LABELS,
        "outbox_status_labels": OUTBOX_STATUS_LABELS,
        "PlatformStatus": PlatformStatus,
        "audit_value": audit_value,
    }


def audit_value(key: str, value) -> str:
    """Show one value of an audit event's details as text."""
    if key == "reason" and value in LOGIN_FAILURE_REASONS:
        return str(LOGIN_FAILURE_REASONS[value])
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return json.dumps(value, ensure_ascii=False)


@bp.get("/admin/")
@moderator_required
def dashboard():
    platforms = platform_rules.all_platforms()
    figures = dashboard_figures.figures(platforms)
    largest_province = max(
        (p.total for f in figures for p in f.provinces),
        default=0,
    )
    return render_template(
        "moderation/dashboard.html",
        platforms=platforms,
        figures=figures,
        charts_by_platform={f.platform.id: charts.daily_chart(f.days) for f in figures},
        largest_province=largest_province,
        bar_percent=charts.bar_percent,
        queue_counts=queue_rules.pending_counts(),
        outbox_counts=outbox_services.status_counts(),
        failed=outbox_services.failed_messages(FAILED_SHOWN),
        failed_status=OutboxStatus.FAILED,
        kinds=list(EndorsementKind),
        kind_plural_labels=KIND_PLURAL_LABELS,
        statuses=list(EndorsementStatus),
        days_shown=dashboard_figures.DAYS,
        can_retry=may_open("moderation.retry_message"),
        can_edit_platforms=may_open("platforms_admin.settings"),
        rate_limit_outage=ratelimit.store_outage(),
    )


@bp.post("/admin/outbox/<int:message_id>/retry")
@admin_required
def retry_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    before = {"status": message.status.value, "attempts": message.attempts}
    try:
        outbox_services.retry(message)
    except outbox_services.NotRetryable:
        flash(
            _(
                "Only a failed email can be sent again; this one is “%(status)s”. "
                "Nothing was changed.",
                status=OUTBOX_STATUS_LABELS[message.status],
            ),
            "error",
        )
        return redirect(url_for(".dashboard") + "#outbox", 303)
    # Never the recipient's address: the audit log names messages by their number.
    audit.record(
        "outbox.retry",
        actor=current_admin(),
        target_type="outbox_message",
        target_id=message.id,
        details={
            "template": message.template,
            "last_error": message.last_error,
            "before": before,
            "after": {"status": message.status.value, "attempts": message.attempts},
        },
    )
    db.session.commit()
    flash(_("The email is queued again; the relay will send it shortly."), "success")
    return redirect(url_for(".dashboard") + "#outbox", 303)


def _audit_filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    everything = [SelectChoice("", _("All"))]
    actions = sorted(set(services.recorded_actions()), key=lambda code: action_label(code).lower())
    form.action.choices = everything + [SelectChoice(code, action_label(code)) for code in actions]
    form.actor.choices = [
        *everything,
        *(SelectChoice(str(user.id), user.email) for user in services.accounts_for_filter()),
        SelectChoice("unknown", _("Unknown address (failed login)")),
        SelectChoice("signer", _("Signers")),
        SelectChoice("system", _("System")),
    ]
    form.target_type.choices = everything + [
        SelectChoice(t, target_type_label(t)) for t in services.recorded_target_types()
    ]
    form.platform.choices = everything + [
        SelectChoice(str(p.id), p.slug) for p in platform_rules.all_platforms()
    ]
    return form


@bp.get("/admin/audit")
@admin_required
def audit_log():
    form = _audit_filter_form()
    valid = form.validate()
    date_from, date_to = form.dates() if valid else (None, None)
    platform = form.platform.data
    filters = services.AuditFilters(
        action=form.action.data or None,
        actor=form.actor.data or None,
        target_type=form.target_type.data or None,
        target_id=(form.target_id.data or "").strip() or None,
        platform_id=whole_number(platform),
        date_from=date_from,
        date_to=date_to,
    )
    page = services.audit_page(filters, page=_page_number())
    args = {k: v for k, v in request.args.items() if k != "page" and v}

    def page_url(number: int) -> str:
        return url_for("moderation.audit_log", page=number, **args)

    return render_template(
        "moderation/audit.html",
        form=form,
        page=page,
        page_url=page_url,
        filtered=bool(args),
    )


@bp.app_context_processor
def moderation_labels():
    return {
        "consent_labels": CONSENT_LABELS,
        "flag_labels": FLAG_LABELS,
        "import_outcome_labels": IMPORT_OUTCOME_LABELS,
        "may_open": may_open,
    }


def _platform(slug: str) -> Platform:
    platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
    if platform is None:
        abort(404)
    return platform


def _endorsement(slug: str, endorsement_id: int) -> Endorsement:
    # The endorsement must belong to the platform in the URL: a crafted URL gets a 404.
    try:
        return review.endorsement_of(_platform(slug), endorsement_id)
    except review.WrongPlatform:
        abort(404)


@bp.get("/admin/queue")
@moderator_required
def queue():
    counts = queue_rules.pending_counts()
    slug = request.args.get("platform")
    current = next((c.platform for c in counts if c.platform.slug == slug), None)
    if current is None:
        # Without a choice, open the platform with the most waiting.
        busiest = max(counts, key=lambda c: c.pending, default=None)
        current = busiest.platform if busiest else None
    items, has_more, total = [], False, 0
    if current is not None:
        items, has_more = queue_rules.pending(current, whole_number(request.args.get("after")))
        total = next(c.pending for c in counts if c.platform.id == current.id)
    return render_template(
        "moderation/queue.html",
        counts=counts,
        current=current,
        items=items,
        has_more=has_more,
        total=total,
        signals=signals.compute(items),
    )


def _back_to(endorsement: Endorsement) -> str:
    target = request.form.get("next", "")
    if target == "detail":
        return url_for(
            ".endorsement", slug=endorsement.platform.slug, endorsement_id=endorsement.id
        )
    return url_for(".queue", platform=endorsement.platform.slug) + f"#e{endorsement.id}"


@bp.post("/admin/p/<slug>/endorsements/<int:endorsement_id>/decide")
@moderator_required
def decide(slug: str, endorsement_id: int):
    endorsement = _endorsement(slug, endorsement_id)
    form = DecisionForm()
    if not form.validate():
        flash(_("That decision could not be applied: %(error)s", error=_first_error(form)), "error")
        return redirect(_back_to(endorsement), 303)
    decision = review.Decision(form.decision.data)
    try:
        review.decide(
            endorsement,
            decision,
            current_admin(),
            seen=EndorsementStatus(form.seen.data),
            reason=form.reason.data or "",
            notify=form.notify.data,
        )
    except review.AlreadyDecided as already:
        db.session.rollback()
        flash(
            _(
                "Someone else decided first: this endorsement is now “%(status)s”. "
                "Nothing was changed.",
                status=STATUS_LABELS[already.current],
            ),
            "error",
        )
        return redirect(_back_to(endorsement), 303)
    except review.NotAllowed:
        flash(_("That decision does not apply to this endorsement now."), "error")
        return redirect(_back_to(endorsement), 303)
    except review.NotApprovable as refused:
        flash(_("It cannot be approved: %(problem)s", problem=refused.problem), "error")
        return redirect(_back_to(endorsement), 303)
    db.session.commit()
    flash(_decision_done(decision, endorsement))
    return redirect(_back_to(endorsement), 303)


def _decision_done(decision: review.Decision, endorsement: Endorsement) -> str:
    shown = public_name(endorsement, current_lang())
    name = shown or endorsement.name
    if decision == review.Decision.APPROVE and not shown:
        # Counted only (as the signer chose, or without consent to be listed by name).
        return _("Approved: %(name)s is counted on the public list, without a name.", name=name)
    if decision == review.Decision.APPROVE:
        return _("Approved: %(name)s now appears on the public list.", name=name)
    if decision == review.Decision.HIDE:
        return _("Hidden: %(name)s no longer appears on the public list.", name=name)
    return _("Rejected: %(name)s.", name=name)


@bp.post("/admin/p/<slug>/endorsements/bulk")
@moderator_required
def bulk(slug: str):
    platform = _platform(slug)
    form = BulkDecisionForm()
    if not form.validate():
        flash(_first_error(form), "error")
        return redirect(url_for(".queue", platform=slug), 303)
    result = review.decide_many(
        platform,
        form.ids.data,
        review.Decision(form.decision.data),
        current_admin(),
        reason=form.reason.data or "",
    )
    db.session.commit()
    flash(
        _(
            "Done: %(done)s. Skipped (already decided or not found): %(skipped)s.",
            done=format_number(result.done),
            skipped=format_number(result.skipped),
        ),
        "success" if result.done else "error",
    )
    return redirect(url_for(".queue", platform=slug), 303)


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


def _page_number() -> int:
    # Far past the last page is simply empty; beyond this the database's offset overflows.
    return whole_number(request.args.get("page"), 1, minimum=1, maximum=10**6)


def _enum_or_none(enum_cls, value):
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return ""


@bp.route("/admin/p/<slug>/import", methods=["GET", "POST"])
@admin_required
@accepts_files
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


@bp.get("/admin/p/<slug>/endorsements.csv")
@admin_required
def export_csv(slug: str):
    platform = _platform(slug)
    record_export(platform, current_admin())
    # Committed before streaming: the download is on record even if it is cut short.
    db.session.commit()
    filename = f"{platform.slug}-endorsements-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(exports.admin_csv(platform)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )

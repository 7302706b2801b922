"""The review queue: confirmed endorsements awaiting a decision, one or many at once."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ...abuse_console import trending
from ...accounts.access import moderator_required
from ...accounts.sessions import current_admin
from ...endorsements.labels import STATUS_LABELS
from ...endorsements.models import Endorsement, EndorsementStatus
from ...endorsements.naming import public_name
from ...extensions import db
from ...i18n import _, current_lang, format_number
from ...logos import services as logo_services
from ...security import whole_number
from .. import logos as moderated_logos
from .. import queue as queue_rules
from .. import review, signals
from ..forms import (
    BulkDecisionForm,
    DecisionForm,
)
from .common import _endorsement, _first_error, _platform, bp


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
        trending=trending.for_platform(current) if current is not None else None,
        logos=logo_services.logos_of(e.id for e in items),
        changed_logos=moderated_logos.changed_on_listed(current) if current else [],
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

"""The admin dashboard (`/admin/`) and sending a failed email again."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)

from ... import audit, ratelimit
from ...abuse_console import trending
from ...accounts.access import admin_required, may_open, moderator_required
from ...accounts.sessions import current_admin
from ...endorsements.labels import KIND_PLURAL_LABELS
from ...endorsements.models import EndorsementKind, EndorsementStatus
from ...extensions import db
from ...i18n import _
from ...outbox import services as outbox_services
from ...outbox.labels import OUTBOX_STATUS_LABELS
from ...outbox.models import OutboxMessage, OutboxStatus
from ...platforms import services as platform_rules
from .. import charts
from .. import dashboard as dashboard_figures
from .. import queue as queue_rules
from .common import bp

# Failed emails listed on the dashboard (the newest; the count shows how many in all).
FAILED_SHOWN = 20


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
        trending=trending.for_platforms(platforms),
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

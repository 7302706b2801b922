"""The audit log (`/admin/audit`), filtered and paginated."""

from __future__ import annotations

from flask import (
    render_template,
    request,
    url_for,
)
from wtforms import SelectChoice

from ...accounts.access import admin_required
from ...audit.labels import action_label, target_type_label
from ...i18n import _
from ...platforms import services as platform_rules
from ...security import whole_number
from .. import services
from ..forms import (
    AuditFilterForm,
)
from .common import _page_number, bp


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

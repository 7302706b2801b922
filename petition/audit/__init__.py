"""The audit log: who did what to which record, and when. Anyone may call `record`; nothing
may change what it wrote (see models.py). It knows no feature: an actor is anything with an
`id` and an `email` (an admin account), and targets are named by type and id.

    from petition import audit
    audit.record("endorsement.approve", actor=admin, target_type="endorsement",
                 target_id=endorsement.id, platform_id=endorsement.platform_id,
                 details={"before": {"status": "pending_review"}, "after": {"status": "approved"}})

`details` must be JSON-serializable (strings, numbers, booleans, lists, dicts). Never put a
password, a token or a signer's email address in it.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import has_request_context, request

from ..db_types import utcnow
from ..extensions import db
from ..security import ip_hash
from .models import ActorKind, AuditEvent, AuditLogIsAppendOnly

__all__ = ["Actor", "ActorKind", "AuditEvent", "AuditLogIsAppendOnly", "record"]


class Actor(Protocol):
    """Who acted, as the log needs them: an admin account (accounts.models.AdminUser)."""

    id: int
    email: str


# Signers are never named in the log: their identity is the endorsement they act on.
SIGNER_LABEL = "signer"
SYSTEM_LABEL = "system"
UNKNOWN_LABEL = "unknown"


def record(
    action: str,
    *,
    actor: Actor | None = None,
    actor_kind: ActorKind | str | None = None,
    actor_label: str | None = None,
    target_type: str | None = None,
    target_id: int | str | None = None,
    platform_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session and flush it (the caller commits)."""
    if actor is not None:
        kind = ActorKind.ADMIN
        label = actor.email
    else:
        kind = ActorKind(actor_kind or ActorKind.SYSTEM)
        label = {
            ActorKind.SIGNER: SIGNER_LABEL,
            ActorKind.SYSTEM: actor_label or SYSTEM_LABEL,
            ActorKind.ADMIN: actor_label or UNKNOWN_LABEL,
        }[kind]
    event = AuditEvent(
        at=utcnow(),
        actor_kind=kind,
        actor_id=actor.id if actor is not None else None,
        actor_label=label[:254],
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        platform_id=platform_id,
        details=details,
        ip_hash=_request_ip_hash(),
    )
    db.session.add(event)
    db.session.flush()
    return event


def _request_ip_hash() -> str | None:
    if not has_request_context() or not request.remote_addr:
        return None
    return ip_hash(request.remote_addr)

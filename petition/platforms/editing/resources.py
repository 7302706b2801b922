"""Related resources: added, edited, removed and reordered."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from ... import audit
from ...audit import Actor
from ...extensions import db
from ...i18n import _l
from ..models import Platform, Resource
from .rules import RESOURCE_FIELDS, EditRefused, _differences, _plain


def resource_url_problem(url: str):
    """Return why `url` cannot be a resource's link (only http and https), or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not host
        or "." not in host
        or parts.username
        or parts.password
        or any(char.isspace() for char in url)
    ):
        return _l("Enter a web address that starts with http:// or https://.")
    return None


def resource_problems(values: dict[str, Any]) -> dict[str, Any]:
    """Check a resource's values against the rules; return field -> message."""
    problems: dict[str, Any] = {}
    problem = resource_url_problem(values.get("url") or "")
    if problem:
        problems["url"] = problem
    if not (values.get("title_en") or "").strip() and not (values.get("title_fr") or "").strip():
        problems["title_en"] = _l("Enter a title in at least one language.")
    return problems


def _resource_details(resource: Resource) -> dict:
    return {name: _plain(getattr(resource, name)) for name in RESOURCE_FIELDS}


def _audit_resource(action: str, platform: Platform, resource_id: int, actor, before, after):
    audit.record(
        action,
        actor=actor,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
        details={"resource": resource_id, "before": before, "after": after},
    )


def resource_of(platform: Platform, resource_id: int) -> Resource | None:
    """Return the platform's resource with this id (None for another platform's)."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or resource.platform_id != platform.id:
        return None
    return resource


def add_resource(platform: Platform, values: dict[str, Any], actor: Actor) -> Resource:
    """Add a related resource at the end of the platform's list."""
    problems = resource_problems(values)
    if problems:
        raise EditRefused(problems)
    last = db.session.scalar(
        select(func.max(Resource.position)).where(Resource.platform_id == platform.id)
    )
    resource = Resource(
        platform=platform,
        position=(last + 1) if last is not None else 0,
        kind=values["kind"],
        url=values["url"],
        published_on=values.get("published_on"),
        title_en=values.get("title_en") or "",
        title_fr=values.get("title_fr") or "",
    )
    db.session.add(resource)
    db.session.flush()
    _audit_resource("resource.add", platform, resource.id, actor, {}, _resource_details(resource))
    return resource


def update_resource(
    platform: Platform, resource: Resource, values: dict[str, Any], actor: Actor
) -> bool:
    """Change a resource; return whether anything changed."""
    problems = resource_problems(values)
    if problems:
        raise EditRefused(problems)
    before, after = _differences(resource, values, RESOURCE_FIELDS)
    if not after:
        return False
    for name in after:
        setattr(resource, name, values[name])
    _audit_resource("resource.edit", platform, resource.id, actor, before, after)
    db.session.flush()
    return True


def remove_resource(platform: Platform, resource: Resource, actor: Actor) -> None:
    """Remove a resource from the platform."""
    details = _resource_details(resource)
    resource_id = resource.id
    platform.resources.remove(resource)
    db.session.flush()
    _audit_resource("resource.remove", platform, resource_id, actor, details, {})


def move_resource(platform: Platform, resource: Resource, offset: int, actor: Actor) -> bool:
    """Move a resource up (-1) or down (+1) the list; return whether it moved."""
    ordered = list(platform.resources)
    index = ordered.index(resource)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(ordered):
        return False
    before = [r.id for r in ordered]
    ordered[index], ordered[target] = ordered[target], ordered[index]
    # Renumber the whole list: positions may have gaps or ties from earlier edits.
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()
    db.session.expire(platform, ["resources"])
    _audit_resource(
        "resource.move",
        platform,
        resource.id,
        actor,
        {"order": before},
        {"order": [r.id for r in ordered]},
    )
    return True

"""Pages and slices of the public list: sorted, paginated, by cursor for the API."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..endorsements.models import (
    Endorsement,
    EndorsementKind,
    Province,
)
from ..extensions import db
from ..platforms.models import Platform
from . import models  # noqa: F401  (the indexes these queries rely on)
from .counts import matching_count, provinces_in_label_order
from .queries import Filters, Sort, _filtered, _listed, _ordered, _sort_column

PAGE_SIZE = 50


API_MAX_LIMIT = 200


RECENT_ORGANIZATIONS = 5


FEED_ENTRIES = 50


class BadCursor(ValueError):
    """A pagination cursor that this API did not issue."""


@dataclass
class Page:
    """One numbered page of the list (`number` starts at 1)."""

    items: list[Endorsement]
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def exists(self) -> bool:
        return self.number <= self.pages

    @property
    def first_position(self) -> int:
        return (self.number - 1) * self.size + 1

    @property
    def last_position(self) -> int:
        return self.first_position + len(self.items) - 1


@dataclass
class Slice:
    """A keyset-paginated run of the list (the API's pages)."""

    items: list[Endorsement]
    next_cursor: str | None


def one_snapshot() -> None:
    """Make this request's reads from here on see one snapshot: a page, its count and its
    facets agree even while approvals commit between the queries.

    Call it before the request's first query. PostgreSQL: the transaction runs at REPEATABLE
    READ (its reads only: a public page writes nothing). SQLite: a read transaction already sees
    one snapshot from its first read to its end (extensions.py begins one per GET).
    """
    session = db.session()
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def list_page(platform: Platform, filters: Filters, lang: str, number: int = 1) -> Page:
    """Return page `number` of the listed endorsers matching `filters`, sorted for `lang`."""
    total = matching_count(platform, filters)
    page = Page(items=[], number=max(1, number), total=total)
    if not page.exists:
        return page
    # Walk the sorting index for ids only, then load the 50 rows: the offset skips index
    # entries, not whole rows.
    ids = _ordered(select(Endorsement.id).where(*_filtered(platform, filters)), filters, lang)
    ids = ids.limit(PAGE_SIZE).offset((page.number - 1) * PAGE_SIZE)
    query = _ordered(
        select(Endorsement).where(Endorsement.id.in_(ids.scalar_subquery())), filters, lang
    )
    page.items = list(db.session.scalars(query))
    return page


def iter_listed(
    platform: Platform, filters: Filters, lang: str, batch: int = 1000
) -> Iterator[Endorsement]:
    """Yield every listed endorser matching `filters`, in list order, a batch at a time."""
    query = _ordered(select(Endorsement).where(*_filtered(platform, filters)), filters, lang)
    yield from db.session.scalars(query.execution_options(yield_per=batch))


def encode_cursor(value: str, skip: int) -> str:
    """Return an opaque cursor for "after `skip` rows whose sort value is `value`"."""
    raw = json.dumps([value, skip], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """Return the (sort value, skip) a cursor holds, or raise BadCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, skip = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(value, str) or not isinstance(skip, int) or not 0 <= skip <= 10**6:
        raise BadCursor(cursor)
    return value, skip


def _sort_value(endorsement: Endorsement, filters: Filters, lang: str) -> str:
    if filters.sort == Sort.DATE:
        return endorsement.approved_at.isoformat() if endorsement.approved_at else ""
    return endorsement.sort_key_fr if lang == "fr" else endorsement.sort_key_en


def list_slice(
    platform: Platform, filters: Filters, lang: str, limit: int, cursor: str | None = None
) -> Slice:
    """Return up to `limit` listed endorsers after `cursor` (keyset pagination, for the API).

    The cursor holds the last sort value seen and how many rows with that value were already
    given, never a row id: ids would reveal how many sign-ons exist beyond the approved ones.
    Deep pages stay as fast as the first, whatever the list's length.
    """
    query = select(Endorsement).where(*_filtered(platform, filters))
    value, skip = decode_cursor(cursor) if cursor else (None, 0)
    if value is not None:
        if filters.sort == Sort.DATE:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError as exc:
                raise BadCursor(cursor) from exc
            if moment.tzinfo is None:
                raise BadCursor(cursor)
            query = query.where(Endorsement.approved_at <= moment)
        else:
            query = query.where(_sort_column(lang) >= value)
    query = _ordered(query, filters, lang).offset(skip).limit(limit + 1)
    rows = list(db.session.scalars(query))
    items, more = rows[:limit], len(rows) > limit
    if not more or not items:
        return Slice(items=items, next_cursor=None)
    last = _sort_value(items[-1], filters, lang)
    same = sum(1 for item in items if _sort_value(item, filters, lang) == last)
    if value is not None and last == value:
        same += skip
    return Slice(items=items, next_cursor=encode_cursor(last, same))


def recent_organizations(platform: Platform, limit: int = RECENT_ORGANIZATIONS) -> list:
    """Return the organizations approved most recently (newest first)."""
    query = (
        select(Endorsement)
        .where(*_listed(platform), Endorsement.kind == EndorsementKind.ORGANIZATION)
        .order_by(Endorsement.approved_at.desc(), Endorsement.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def organizations_by_province(
    platform: Platform, lang: str
) -> list[tuple[Province, str, list[Endorsement]]]:
    """Return listed organizations grouped by province (names in order), for printing."""
    query = select(Endorsement).where(
        *_listed(platform), Endorsement.kind == EndorsementKind.ORGANIZATION
    )
    groups: dict[Province, list[Endorsement]] = {}
    for row in db.session.scalars(_ordered(query, Filters(), lang)):
        groups.setdefault(row.province, []).append(row)
    return [
        (province, label, groups[province])
        for province, label in provinces_in_label_order(lang)
        if province in groups
    ]

"""Rules of the public endorser list: who is listed, search, filters, sorting, pages and counts.

One rule decides who the public may see (`_listed`): an approved endorsement of a platform whose
embargo has passed; an organization, or an individual who chose to be named or described.
Individuals who asked only to be counted add to the totals and are never listed. Views check
the embargo first (`endorsers_published`) to say when the list will appear; every query here
checks it again, so a new caller cannot forget it. Listing consent is not re-checked: the
sign-on and manage services never let an endorsement reach a listed display mode without it,
and withdrawing it withdraws the endorsement.

Counts are computed from the rows with indexed queries (never a `count = count + 1` row that
every approval would fight over) and kept a few seconds per app process, keyed by platform and
filters (`DIRECTORY_COUNTS_SECONDS`, default 5): a refresh storm costs one count query per key
per process every few seconds.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo

from flask import current_app
from flask_babel import force_locale, get_timezone
from sqlalchemy import ColumnElement, Select, false, func, or_, select, true

from ..db_types import utcnow
from ..endorsements.labels import KIND_LABELS, ORG_TYPE_LABELS, PROVINCE_LABELS
from ..endorsements.models import (
    DisplayMode,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
)
from ..endorsements.naming import fold, public_name, sort_key
from ..extensions import db
from ..markup import safe_website
from ..platforms.models import Platform
from . import models  # noqa: F401  (the indexes these queries rely on)
from .cache import ShortLivedCache

PAGE_SIZE = 50
API_MAX_LIMIT = 200
RECENT_ORGANIZATIONS = 5
FEED_ENTRIES = 50
COUNTS_SECONDS = 5
MAX_SEARCH_WORDS = 6
# Display modes that put an individual on the list; anything else (counted only, or a mode
# added later and not yet handled here) keeps them off it.
LISTED_MODES = (DisplayMode.FULL_NAME, DisplayMode.FIRST_INITIAL, DisplayMode.DESCRIPTOR)


class Sort(enum.StrEnum):
    NAME = "name"
    DATE = "date"


class BadCursor(ValueError):
    """A pagination cursor that this API did not issue."""


@dataclass(frozen=True)
class Filters:
    """What the visitor asked the list for: all optional, all combinable."""

    q: str = ""
    province: Province | None = None
    org_type: OrgType | None = None
    by_and_for: bool = False
    kind: EndorsementKind | None = None
    sort: Sort = Sort.NAME

    def query_args(self, **changes) -> dict[str, str]:
        """Return these filters (with `changes`) as URL query arguments, defaults left out."""
        chosen = replace(self, **changes)
        args = {
            "q": chosen.q,
            "province": chosen.province.value if chosen.province else "",
            "org_type": chosen.org_type.value if chosen.org_type else "",
            "by_and_for": "1" if chosen.by_and_for else "",
            "kind": chosen.kind.value if chosen.kind else "",
            "sort": chosen.sort.value if chosen.sort != Sort.NAME else "",
        }
        return {key: value for key, value in args.items() if value}

    @property
    def is_filtered(self) -> bool:
        """Say whether anything narrows the list (sorting does not)."""
        return bool(self.q or self.province or self.org_type or self.by_and_for or self.kind)

    def without_province(self) -> Filters:
        return replace(self, province=None)

    def cache_key(self) -> tuple:
        """Return what decides the rows counted (not the order)."""
        words = tuple(search_words(self.q))
        return (words, self.province, self.org_type, self.by_and_for, self.kind)


@dataclass(frozen=True)
class Totals:
    """Approved endorsements of a platform: every one counts, named or not."""

    organizations: int = 0
    individuals: int = 0

    @property
    def total(self) -> int:
        return self.organizations + self.individuals


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


@dataclass(frozen=True)
class PublicEntry:
    """Everything the public may know about one listed endorser, in one language."""

    kind: EndorsementKind
    name: str
    province: Province
    province_label: str
    city: str
    kind_label: str
    endorsed_on: date | None
    org_type: OrgType | None = None
    org_type_label: str = ""
    website: str = ""
    by_and_for: bool | None = None
    about: str = ""
    about_lang: str | None = None
    contact_name: str = ""
    contact_title: str = ""
    title: str = ""

    def as_json(self) -> dict:
        """Return the entry as the JSON export and the API give it."""
        organization = self.kind == EndorsementKind.ORGANIZATION
        return {
            "kind": self.kind.value,
            "kind_label": self.kind_label,
            "name": self.name,
            "title": self.title or None,
            "org_type": self.org_type.value if self.org_type else None,
            "org_type_label": self.org_type_label or None,
            "by_and_for": self.by_and_for if organization else None,
            "city": self.city or None,
            "province": self.province.value,
            "province_label": self.province_label,
            "website": self.website or None,
            "about": self.about or None,
            "about_lang": self.about_lang if self.about else None,
            "contact": (
                {"name": self.contact_name, "title": self.contact_title or None}
                if self.contact_name
                else None
            ),
            "endorsed_on": self.endorsed_on.isoformat() if self.endorsed_on else None,
        }


@dataclass
class ProvinceCount:
    province: Province
    label: str
    count: int
    share: float = field(default=0.0)


def endorsers_published(platform: Platform, now: datetime | None = None) -> bool:
    """Say whether the platform's endorsers may be shown (its embargo, if any, has passed)."""
    return platform.launch_at is None or (now or utcnow()) >= platform.launch_at


def _approved(platform: Platform) -> list[ColumnElement[bool]]:
    """Return the conditions of an approved endorsement the public may know of (by now)."""
    return [
        Endorsement.platform_id == platform.id,
        Endorsement.status == EndorsementStatus.APPROVED,
        # Before launch nothing matches, whoever asks.
        true() if endorsers_published(platform) else false(),
    ]


def _listed(platform: Platform) -> list[ColumnElement[bool]]:
    """Return the conditions every publicly listed row meets (see the module docstring)."""
    return [
        *_approved(platform),
        or_(
            Endorsement.kind == EndorsementKind.ORGANIZATION,
            Endorsement.display_mode.in_(LISTED_MODES),
        ),
    ]


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_words(q: str) -> list[str]:
    """Return the folded words of a search (accents, case and punctuation ignored)."""
    return fold(q).split()[:MAX_SEARCH_WORDS]


def _filtered(platform: Platform, filters: Filters, *, by_province: bool = True) -> list:
    conditions = _listed(platform)
    # Each word must appear somewhere in the stored, folded names ("ile" finds "L'Île…").
    for word in search_words(filters.q):
        conditions.append(Endorsement.search_key.like(f"%{_like_escape(word)}%", escape="\\"))
    if filters.province and by_province:
        conditions.append(Endorsement.province == filters.province)
    if filters.org_type:
        conditions.append(Endorsement.kind == EndorsementKind.ORGANIZATION)
        conditions.append(Endorsement.org_type == filters.org_type)
    if filters.by_and_for:
        conditions.append(Endorsement.kind == EndorsementKind.ORGANIZATION)
        conditions.append(Endorsement.by_and_for.is_(True))
    if filters.kind:
        conditions.append(Endorsement.kind == filters.kind)
    return conditions


def _sort_column(lang: str):
    return Endorsement.sort_key_fr if lang == "fr" else Endorsement.sort_key_en


def _ordered(query: Select, filters: Filters, lang: str) -> Select:
    if filters.sort == Sort.DATE:
        return query.order_by(Endorsement.approved_at.desc(), Endorsement.id.desc())
    return query.order_by(_sort_column(lang), Endorsement.id)


def _counts_cache() -> ShortLivedCache:
    return current_app.extensions.setdefault("directory_counts", ShortLivedCache())


def _cached(key: tuple, compute):
    seconds = current_app.config.get("DIRECTORY_COUNTS_SECONDS", COUNTS_SECONDS)
    return _counts_cache().get(key, seconds, compute)


def totals(platform: Platform) -> Totals:
    """Count the platform's approved endorsements by kind (cached a few seconds)."""

    def compute() -> Totals:
        rows = db.session.execute(
            select(Endorsement.kind, func.count())
            .where(*_approved(platform))
            .group_by(Endorsement.kind)
        )
        by_kind = {EndorsementKind(kind): count for kind, count in rows}
        return Totals(
            organizations=by_kind.get(EndorsementKind.ORGANIZATION, 0),
            individuals=by_kind.get(EndorsementKind.INDIVIDUAL, 0),
        )

    return _cached(("totals", platform.id), compute)


def _counts_by_province(platform: Platform, filters: Filters) -> dict[Province, int]:
    """Count listed endorsers per province for every filter but the province (cached).

    The list page needs these counts and the number of matches; both come from this one
    query (on SQLite a search reads the whole index: once, not twice).
    """

    def compute() -> dict[Province, int]:
        rows = db.session.execute(
            select(Endorsement.province, func.count())
            .where(*_filtered(platform, filters, by_province=False))
            .group_by(Endorsement.province)
        )
        return {Province(province): count for province, count in rows}

    return _cached(("provinces", platform.id, filters.without_province().cache_key()), compute)


def matching_count(platform: Platform, filters: Filters) -> int:
    """Count the listed endorsers that match `filters` (cached a few seconds)."""
    counts = _counts_by_province(platform, filters)
    return counts.get(filters.province, 0) if filters.province else sum(counts.values())


def province_counts(platform: Platform, filters: Filters, lang: str) -> list[ProvinceCount]:
    """Count listed endorsers per province or territory for every filter but the province."""
    counts = _counts_by_province(platform, filters)
    largest = max(counts.values(), default=0)
    return [
        ProvinceCount(
            province=province,
            label=label,
            count=counts.get(province, 0),
            share=counts.get(province, 0) / largest if largest else 0.0,
        )
        for province, label in provinces_in_label_order(lang)
    ]


def provinces_in_label_order(lang: str) -> list[tuple[Province, str]]:
    """Return provinces and territories with their names in `lang`, sorted by name, then
    "outside Canada"."""
    with force_locale(lang):
        labels = {province: str(label) for province, label in PROVINCE_LABELS.items()}
    inside = sorted(
        (p for p in Province if p != Province.OUTSIDE), key=lambda p: sort_key(labels[p])
    )
    return [(p, labels[p]) for p in (*inside, Province.OUTSIDE)]


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


@dataclass(frozen=True)
class Labels:
    """The names of kinds, types and provinces in one language, looked up once per list."""

    lang: str
    kinds: dict
    org_types: dict
    provinces: dict
    timezone: tzinfo


def labels_for(lang: str) -> Labels:
    """Return the labels public entries use, in `lang`."""
    with force_locale(lang):
        return Labels(
            lang=lang,
            kinds={k: str(v) for k, v in KIND_LABELS.items()},
            org_types={k: str(v) for k, v in ORG_TYPE_LABELS.items()},
            provinces={k: str(v) for k, v in PROVINCE_LABELS.items()},
            timezone=get_timezone(),
        )


def public_entry(endorsement: Endorsement, lang: str, labels: Labels | None = None) -> PublicEntry:
    """Return what the public may know about a listed endorser, in `lang`.

    Pass `labels` (from `labels_for(lang)`) when building many entries: looking labels up in
    the catalogue for each of 100,000 rows would dominate an export's time.
    """
    labels = labels if labels is not None and labels.lang == lang else labels_for(lang)
    type_label = labels.org_types[endorsement.org_type] if endorsement.org_type else ""
    endorsed_on = (
        endorsement.approved_at.astimezone(labels.timezone).date()
        if endorsement.approved_at
        else None
    )
    common = {
        "kind": endorsement.kind,
        "kind_label": labels.kinds[endorsement.kind],
        "name": public_name(endorsement, lang),
        "province": endorsement.province,
        "province_label": labels.provinces[endorsement.province],
        "endorsed_on": endorsed_on,
    }
    if endorsement.is_organization:
        # The description in the page's language, else the other one (marked with its lang).
        texts = {"en": endorsement.about_en, "fr": endorsement.about_fr}
        about_lang = lang if texts.get(lang) else ("en" if lang == "fr" else "fr")
        about = texts[about_lang]
        contact = endorsement.contact_public
        return PublicEntry(
            **common,
            city=endorsement.city,
            org_type=endorsement.org_type,
            org_type_label=type_label,
            website=safe_website(endorsement.website),
            by_and_for=endorsement.by_and_for,
            about=about,
            about_lang=about_lang if about else None,
            contact_name=endorsement.name if contact else "",
            contact_title=endorsement.title if contact else "",
        )
    full_name = endorsement.display_mode == DisplayMode.FULL_NAME
    # A description already names the city ("Peer worker, Sudbury"): say it once.
    described = endorsement.display_mode == DisplayMode.DESCRIPTOR
    return PublicEntry(
        **common,
        city="" if described else endorsement.city,
        title=endorsement.title if full_name else "",
    )

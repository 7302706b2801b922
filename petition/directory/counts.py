"""The public list's counts: totals by kind, matches of a filter, endorsers by province.

Counts are computed from the rows with indexed queries (never a `count = count + 1` row that
every approval would fight over) and kept a few seconds per app process, keyed by platform and
filters (`DIRECTORY_COUNTS_SECONDS`, default 5): a refresh storm costs one count query per key
per process every few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from ..endorsements.labels import PROVINCE_LABELS
from ..endorsements.models import (
    Endorsement,
    EndorsementKind,
    Province,
)
from ..endorsements.naming import sort_key
from ..extensions import db
from ..platforms.models import Platform
from . import models  # noqa: F401  (the indexes these queries rely on)
from .cache import ShortLivedCache
from .queries import Filters, _approved, _filtered

COUNTS_SECONDS = 5


@dataclass(frozen=True)
class Totals:
    """Approved endorsements of a platform: every one counts, named or not."""

    organizations: int = 0
    individuals: int = 0

    @property
    def total(self) -> int:
        return self.organizations + self.individuals


@dataclass
class ProvinceCount:
    province: Province
    label: str
    count: int
    share: float = field(default=0.0)


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

"""The public list's counts: totals by kind, matches of a filter, endorsers by province.

Without a search, every count is one indexed read of the count table (`tally.py`: a few hundred
rows per platform at most, kept in step by triggers in the same transaction as each change),
whatever the list's length; nothing is cached in the app. With a search, counts come from the
full-text index's matches (search.py), through the same filters as the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
from .queries import Filters, _filtered, endorsers_published, search_words
from .tally import EndorserCount


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


def totals(platform: Platform) -> Totals:
    """Count the platform's approved endorsements by kind (nothing before its launch)."""
    if not endorsers_published(platform):
        return Totals()
    rows = db.session.execute(
        select(EndorserCount.kind, func.sum(EndorserCount.n))
        .where(EndorserCount.platform_id == platform.id)
        .group_by(EndorserCount.kind)
    )
    by_kind = {EndorsementKind(kind): int(count or 0) for kind, count in rows}
    return Totals(
        organizations=by_kind.get(EndorsementKind.ORGANIZATION, 0),
        individuals=by_kind.get(EndorsementKind.INDIVIDUAL, 0),
    )


def _counts_by_province(platform: Platform, filters: Filters) -> dict[Province, int]:
    """Count listed endorsers per province for every filter but the province.

    The list page needs these counts and the number of matches; both come from this one query.
    """
    if not endorsers_published(platform):
        return {}
    if search_words(filters.q):
        query = (
            select(Endorsement.province, func.count())
            .where(*_filtered(platform, filters, by_province=False))
            .group_by(Endorsement.province)
        )
    else:
        query = select(EndorserCount.province, func.sum(EndorserCount.n)).where(
            EndorserCount.platform_id == platform.id, EndorserCount.listed.is_(True)
        )
        if filters.org_type or filters.by_and_for:
            query = query.where(EndorserCount.kind == EndorsementKind.ORGANIZATION.value)
        if filters.org_type:
            query = query.where(EndorserCount.org_type == filters.org_type.value)
        if filters.by_and_for:
            query = query.where(EndorserCount.by_and_for.is_(True))
        if filters.kind:
            query = query.where(EndorserCount.kind == filters.kind.value)
        query = query.group_by(EndorserCount.province)
    return {Province(province): int(count or 0) for province, count in db.session.execute(query)}


def matching_count(platform: Platform, filters: Filters) -> int:
    """Count the listed endorsers that match `filters`."""
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

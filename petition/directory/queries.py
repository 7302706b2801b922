"""Who the public may see, and the filters and search that narrow the list (the queries).

One rule decides who the public may see (`_listed`): an approved endorsement of a platform whose
embargo has passed; an organization, or an individual who chose to be named or described.
Individuals who asked only to be counted add to the totals and are never listed. Views check
the embargo first (`endorsers_published`) to say when the list will appear; every query here
checks it again, so a new caller cannot forget it. Listing consent is not re-checked: the
sign-on and manage services never let an endorsement reach a listed display mode without it,
and withdrawing it withdraws the endorsement.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Select, false, or_, true

from ..db_types import utcnow
from ..endorsements.models import (
    DisplayMode,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
)
from ..endorsements.naming import fold
from ..extensions import db
from ..platforms.models import Platform
from . import models, search  # noqa: F401  (models: the indexes these queries rely on)

MAX_SEARCH_WORDS = 6


# Display modes that put an individual on the list; anything else (counted only, or a mode
# added later and not yet handled here) keeps them off it.
LISTED_MODES = (DisplayMode.FULL_NAME, DisplayMode.FIRST_INITIAL, DisplayMode.DESCRIPTOR)


class Sort(enum.StrEnum):
    NAME = "name"
    DATE = "date"


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


def search_words(q: str) -> list[str]:
    """Return the folded words of a search (accents, case and punctuation ignored)."""
    # Underscores separate words, as both search indexes read them (see search.py).
    return fold(q).replace("_", " ").split()[:MAX_SEARCH_WORDS]


def _filtered(platform: Platform, filters: Filters, *, by_province: bool = True) -> list:
    conditions = _listed(platform)
    # Each word must start a word of the stored, folded names ("ile" finds "L'Île…").
    words = search_words(filters.q)
    if words:
        conditions.append(search.matches(words, db.session.get_bind().dialect.name))
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

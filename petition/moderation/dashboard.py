"""The admin dashboard's figures: endorsements by status and kind, sign-ons per day, provinces.

Each figure is one grouped query over every platform, so the page costs the same handful of
queries however many platforms there are. Days are days on the site's clock (TIMEZONE).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, func, select

from ..db_types import utcnow
from ..endorsements.models import Endorsement, EndorsementKind, EndorsementStatus, Province
from ..extensions import db
from ..platforms.models import Platform

DAYS = 30


@dataclass(frozen=True)
class DayCount:
    """Sign-ons on one day, and confirmations that day (of sign-ons from any day)."""

    day: date
    signed: int
    confirmed: int


@dataclass(frozen=True)
class ProvinceCount:
    province: Province
    organizations: int
    individuals: int

    @property
    def total(self) -> int:
        return self.organizations + self.individuals


@dataclass
class PlatformFigures:
    """What the dashboard shows about one platform."""

    platform: Platform
    # status -> kind -> count; every status and kind present.
    by_status: dict[EndorsementStatus, dict[EndorsementKind, int]]
    days: list[DayCount] = field(default_factory=list)
    provinces: list[ProvinceCount] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(sum(kinds.values()) for kinds in self.by_status.values())

    def kind_total(self, kind: EndorsementKind) -> int:
        return sum(kinds[kind] for kinds in self.by_status.values())

    @property
    def signed_in_period(self) -> int:
        return sum(d.signed for d in self.days)

    @property
    def confirmed_in_period(self) -> int:
        return sum(d.confirmed for d in self.days)

    @property
    def busiest(self) -> DayCount | None:
        best = max(self.days, key=lambda d: d.signed, default=None)
        return best if best is not None and best.signed else None


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_days(count: int = DAYS, now: datetime | None = None) -> list[date]:
    """Return the last `count` days on the site's clock, oldest first, ending today."""
    today = (now or utcnow()).astimezone(_zone()).date()
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def _day_starts(days: list[date]) -> list[datetime]:
    """Return each day's start in UTC, plus the end of the last day (DST-aware)."""
    zone = _zone()
    edges = [*days, days[-1] + timedelta(days=1)]
    return [datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC) for day in edges]


def _per_day(column, starts: list[datetime]) -> dict[int, dict[int, int]]:
    """Count rows per platform and day index, where `column` falls in the period."""
    # The day index as a CASE over the day boundaries: portable, and one range scan.
    day_index = case(
        *((column < start, index) for index, start in enumerate(starts[1:])),
    ).label("day_index")
    inner = (
        select(Endorsement.platform_id.label("platform_id"), day_index)
        .where(column >= starts[0], column < starts[-1])
        .subquery()
    )
    rows = db.session.execute(
        select(inner.c.platform_id, inner.c.day_index, func.count()).group_by(
            inner.c.platform_id, inner.c.day_index
        )
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for platform_id, index, count in rows:
        counts[platform_id][index] = count
    return counts


def status_counts() -> dict[int, dict[EndorsementStatus, dict[EndorsementKind, int]]]:
    """Count endorsements per platform, by status and kind."""
    rows = db.session.execute(
        select(
            Endorsement.platform_id, Endorsement.status, Endorsement.kind, func.count()
        ).group_by(Endorsement.platform_id, Endorsement.status, Endorsement.kind)
    )
    counts: dict[int, dict] = {}
    for platform_id, status, kind, count in rows:
        table = counts.setdefault(platform_id, _empty_status_table())
        table[EndorsementStatus(status)][EndorsementKind(kind)] = count
    return counts


def _empty_status_table() -> dict[EndorsementStatus, dict[EndorsementKind, int]]:
    return {status: dict.fromkeys(EndorsementKind, 0) for status in EndorsementStatus}


def daily_counts(
    days: list[date],
) -> tuple[dict[int, dict[int, int]], dict[int, dict[int, int]]]:
    """Count sign-ons and confirmations per platform and day (indexes into `days`)."""
    starts = _day_starts(days)
    return _per_day(Endorsement.created_at, starts), _per_day(Endorsement.confirmed_at, starts)


def province_counts() -> dict[int, list[ProvinceCount]]:
    """Count approved endorsers per platform and province or territory, most first."""
    rows = db.session.execute(
        select(Endorsement.platform_id, Endorsement.province, Endorsement.kind, func.count())
        .where(Endorsement.status == EndorsementStatus.APPROVED)
        .group_by(Endorsement.platform_id, Endorsement.province, Endorsement.kind)
    )
    tallies: dict[int, dict[Province, dict[EndorsementKind, int]]] = defaultdict(dict)
    for platform_id, province, kind, count in rows:
        kinds = tallies[platform_id].setdefault(
            Province(province), dict.fromkeys(EndorsementKind, 0)
        )
        kinds[EndorsementKind(kind)] = count
    order = list(Province)
    return {
        platform_id: sorted(
            (
                ProvinceCount(
                    province,
                    kinds[EndorsementKind.ORGANIZATION],
                    kinds[EndorsementKind.INDIVIDUAL],
                )
                for province, kinds in by_province.items()
            ),
            key=lambda p: (-p.total, order.index(p.province)),
        )
        for platform_id, by_province in tallies.items()
    }


def figures(platforms: list[Platform], now: datetime | None = None) -> list[PlatformFigures]:
    """Return the dashboard's figures for each of `platforms`, in the same order."""
    days = local_days(DAYS, now)
    by_status = status_counts()
    signed, confirmed = daily_counts(days)
    provinces = province_counts()
    result = []
    for platform in platforms:
        per_signed, per_confirmed = signed.get(platform.id, {}), confirmed.get(platform.id, {})
        result.append(
            PlatformFigures(
                platform=platform,
                by_status=by_status.get(platform.id, _empty_status_table()),
                days=[
                    DayCount(day, per_signed.get(i, 0), per_confirmed.get(i, 0))
                    for i, day in enumerate(days)
                ],
                provinces=provinces.get(platform.id, []),
            )
        )
    return result

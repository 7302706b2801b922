"""Trending sources: the email domains and IP fingerprints sending a platform more sign-ons
than usual.

For each platform, sign-ons (endorsements created, whatever became of them) are counted per
source over the last hour and the last day, against the source's usual rate: its daily
average over the TRENDING_BASELINE_DAYS (default 28) before that day. A source's score is how
far it is above its usual:

    score = (last hour - usual per hour) + (last day - usual per day) / 24

so a burst in the last hour ranks first and a steady day-long excess follows. Free-mail domains
(gmail.com, videotron.ca...) carry many unrelated people: their score is divided by
FREE_MAIL_WEIGHT so they do not drown everything. A fingerprint that signed for several
organizations in the last day is highlighted (one person signing as many "collectives").

Counted with grouped, indexed queries (ix_endorsement_created_at) on each view of the
dashboard, the queue or the console: nothing is kept in memory between requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, select

from ..db_types import utcnow
from ..endorsements.models import Endorsement, EndorsementKind
from ..extensions import db
from ..platforms.models import Platform
from ..screening import ScreeningKind, ScreeningList, fingerprint, list_entries
from ..screening.freemail import FREE_MAIL_DOMAINS
from ..screening.services import email_domain_sql, parent_domains

# The usual rate is taken over this many days before the last (TRENDING_BASELINE_DAYS).
BASELINE_DAYS = 28
FREE_MAIL_WEIGHT = 10
SEVERAL_ORGANIZATIONS = 3
# Sources shown per list, and candidates whose usual rate is looked up.
SHOWN = 5
CANDIDATES = 50
DOMAIN, FINGERPRINT = "domain", "fingerprint"


@dataclass(frozen=True)
class Source:
    """One trending source of one platform's sign-ons."""

    kind: str  # DOMAIN or FINGERPRINT
    value: str  # the domain, or the IP fingerprint (never an address)
    last_hour: int
    last_day: int
    usual_per_day: float
    organizations: int
    free_mail: bool
    blocked: bool
    score: float

    @property
    def several_organizations(self) -> bool:
        return self.kind == FINGERPRINT and self.organizations >= SEVERAL_ORGANIZATIONS

    @property
    def screening_kind(self) -> ScreeningKind:
        return ScreeningKind.DOMAIN if self.kind == DOMAIN else ScreeningKind.IP


@dataclass(frozen=True)
class Trending:
    platform: Platform
    domains: list[Source]
    fingerprints: list[Source]

    @property
    def empty(self) -> bool:
        return not self.domains and not self.fingerprints


def domain_expression():
    """Return the SQL expression of an endorsement's email domain (on SQLite or PostgreSQL)."""
    return email_domain_sql(Endorsement.email_canonical)


def score(last_hour: int, last_day: int, usual_per_day: float, free_mail: bool) -> float:
    """Return how far a source is above its usual rate (see the module's docstring)."""
    value = (last_hour - usual_per_day / 24) + (last_day - usual_per_day) / 24
    return value / FREE_MAIL_WEIGHT if free_mail else value


def _sources(platform: Platform, kind: str, now: datetime, blocked: set[str]) -> list[Source]:
    key = domain_expression() if kind == DOMAIN else Endorsement.ip_hash
    day_ago, hour_ago = now - timedelta(days=1), now - timedelta(hours=1)
    baseline_days = current_app.config.get("TRENDING_BASELINE_DAYS", BASELINE_DAYS)
    mine = (
        Endorsement.platform_id == platform.id,
        Endorsement.anonymized_at.is_(None),
        key != "",
    )
    organizations = func.count(
        func.distinct(
            case((Endorsement.kind == EndorsementKind.ORGANIZATION, Endorsement.name_key))
        )
    )
    recent = db.session.execute(
        select(
            key.label("source"),
            func.count().label("day"),
            func.sum(case((Endorsement.created_at >= hour_ago, 1), else_=0)).label("hour"),
            organizations.label("organizations"),
        )
        .where(*mine, Endorsement.created_at >= day_ago)
        .group_by(key)
        .order_by(func.count().desc())
        .limit(CANDIDATES)
    ).all()
    if not recent:
        return []
    usual = dict(
        db.session.execute(
            select(key, func.count())
            .where(
                *mine,
                Endorsement.created_at >= day_ago - timedelta(days=baseline_days),
                Endorsement.created_at < day_ago,
                key.in_([row.source for row in recent]),
            )
            .group_by(key)
        ).all()
    )
    sources = []
    for row in recent:
        usual_per_day = usual.get(row.source, 0) / baseline_days
        free_mail = kind == DOMAIN and row.source in FREE_MAIL_DOMAINS
        value = row.source if kind == DOMAIN else fingerprint(row.source)
        is_blocked = (
            any(d in blocked for d in parent_domains(row.source))
            if kind == DOMAIN
            else bool({row.source, value} & blocked)
        )
        sources.append(
            Source(
                kind=kind,
                value=value,
                last_hour=int(row.hour or 0),
                last_day=int(row.day),
                usual_per_day=usual_per_day,
                organizations=int(row.organizations or 0),
                free_mail=free_mail,
                blocked=is_blocked,
                score=score(int(row.hour or 0), int(row.day), usual_per_day, free_mail),
            )
        )
    sources.sort(key=lambda s: (-s.score, -s.last_day, s.value))
    return [s for s in sources if s.score > 0][:SHOWN]


def for_platform(platform: Platform, now: datetime | None = None) -> Trending:
    """Return the trending domains and fingerprints of one platform."""
    now = now or utcnow()
    blocks = list_entries(ScreeningList.BLOCK)
    blocked_domains = {e.value for e in blocks if e.kind == ScreeningKind.DOMAIN}
    blocked_ips = {e.value for e in blocks if e.kind == ScreeningKind.IP}
    return Trending(
        platform=platform,
        domains=_sources(platform, DOMAIN, now, blocked_domains),
        fingerprints=_sources(platform, FINGERPRINT, now, blocked_ips),
    )


def for_platforms(platforms: list[Platform], now: datetime | None = None) -> list[Trending]:
    """Return the trending sources of each platform that has any."""
    return [t for t in (for_platform(p, now) for p in platforms) if not t.empty]

"""The logo wall: listed organizations, their approved logos, who leads (per platform).

Only what the public list shows is on the wall (`queries._listed`: approved, after the
embargo), and of logos only approved ones: a logo waiting for review shows the initials tile,
like an organization without one. A logo file is served only while it is on some wall
(`is_public_logo`), so a waiting logo's URL gives nothing away.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from flask import url_for
from sqlalchemy import case, select

from ..endorsements.models import Endorsement, EndorsementKind
from ..endorsements.naming import public_name
from ..extensions import db
from ..logos import tiles
from ..logos.models import LogoStatus, OrganizationLogo
from ..platforms.models import Platform, PlatformStatus, WallOrder
from .queries import _listed, _sort_column

# How many organizations the platform page and the endorser list show on their wall.
WALL_SIZE = 48


class Group(enum.StrEnum):
    BY_AND_FOR = "by_and_for"
    FOUNDING = "founding"
    OTHERS = "others"


@dataclass(frozen=True)
class Tile:
    id: int
    name: str
    group: Group
    initials: str
    color: int
    logo_url: str | None = None
    digest: str = ""
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Wall:
    groups: list[tuple[Group, list[Tile]]]
    shown: int
    total: int

    @property
    def tiles(self) -> list[Tile]:
        return [tile for _group, group_tiles in self.groups for tile in group_tiles]


def _rank(order: WallOrder):
    by_and_for = Endorsement.by_and_for.is_(True)
    founding = Endorsement.founding.is_(True)
    if order == WallOrder.FOUNDING_FIRST:
        return case((founding, 0), (by_and_for, 1), else_=2)
    if order == WallOrder.BY_AND_FOR_FIRST:
        return case((by_and_for, 0), (founding, 1), else_=2)
    return case((by_and_for, 2), else_=2)  # one group, in name order


def _group(endorsement: Endorsement, order: WallOrder) -> Group:
    if order == WallOrder.ALPHABETICAL:
        return Group.OTHERS
    leads = [Group.BY_AND_FOR, Group.FOUNDING]
    if order == WallOrder.FOUNDING_FIRST:
        leads.reverse()
    for group in leads:
        if getattr(endorsement, group.value):
            return group
    return Group.OTHERS


def wall(platform: Platform, lang: str, limit: int | None = WALL_SIZE) -> Wall:
    """Return the platform's logo wall in `lang`: who leads first, then names in order."""
    conditions = [*_listed(platform), Endorsement.kind == EndorsementKind.ORGANIZATION]
    approved_logo = (OrganizationLogo.endorsement_id == Endorsement.id) & (
        OrganizationLogo.status == LogoStatus.APPROVED
    )
    query = (
        select(Endorsement, OrganizationLogo)
        .outerjoin(OrganizationLogo, approved_logo)
        .where(*conditions)
        .order_by(_rank(platform.wall_order), _sort_column(lang), Endorsement.id)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query).all()
    total = len(rows)
    if limit is not None and total >= limit:
        total = db.session.scalar(
            select(db.func.count()).select_from(Endorsement).where(*conditions)
        )
    groups: dict[Group, list[Tile]] = {}
    for endorsement, logo in rows:
        name = public_name(endorsement, lang)
        tile = Tile(
            id=endorsement.id,
            name=name,
            group=_group(endorsement, platform.wall_order),
            initials=tiles.initials(name),
            color=tiles.color_index(name),
        )
        if logo is not None:
            tile = replace(
                tile,
                logo_url=url_for("directory.logo_file", digest=logo.digest),
                digest=logo.digest,
                width=logo.width,
                height=logo.height,
            )
        groups.setdefault(tile.group, []).append(tile)
    order = _group_order(platform.wall_order)
    ordered = [(group, groups[group]) for group in order if group in groups]
    return Wall(groups=ordered, shown=len(rows), total=total)


def _group_order(order: WallOrder) -> list[Group]:
    if order == WallOrder.FOUNDING_FIRST:
        return [Group.FOUNDING, Group.BY_AND_FOR, Group.OTHERS]
    return [Group.BY_AND_FOR, Group.FOUNDING, Group.OTHERS]


def is_public_logo(digest: str) -> bool:
    """Say whether a logo file is on some public wall (approved, its organization listed)."""
    platforms = db.session.scalars(
        select(Platform)
        .join(Endorsement, Endorsement.platform_id == Platform.id)
        .join(OrganizationLogo, OrganizationLogo.endorsement_id == Endorsement.id)
        .where(
            OrganizationLogo.digest == digest,
            OrganizationLogo.status == LogoStatus.APPROVED,
            Platform.status != PlatformStatus.DRAFT,
        )
        .distinct()
    ).all()
    for platform in platforms:
        found = db.session.scalar(
            select(Endorsement.id)
            .join(OrganizationLogo, OrganizationLogo.endorsement_id == Endorsement.id)
            .where(
                *_listed(platform),
                Endorsement.kind == EndorsementKind.ORGANIZATION,
                OrganizationLogo.digest == digest,
                OrganizationLogo.status == LogoStatus.APPROVED,
            )
            .limit(1)
        )
        if found is not None:
            return True
    return False

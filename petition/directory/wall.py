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
from sqlalchemy import ColumnElement, select, true

from ..endorsements.models import Endorsement, EndorsementKind
from ..endorsements.naming import public_name
from ..extensions import db
from ..logos import tiles
from ..logos.models import LogoStatus, OrganizationLogo
from ..platforms.models import Platform, PlatformStatus, WallOrder
from .counts import totals
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


def _groups(order: WallOrder) -> list[tuple[Group, ColumnElement[bool]]]:
    """Who leads the wall, in order, each group with the condition its members meet."""
    by_and_for = Endorsement.by_and_for.is_(True)
    founding = Endorsement.founding.is_(True)
    neither = Endorsement.by_and_for.is_not(True) & Endorsement.founding.is_not(True)
    if order == WallOrder.ALPHABETICAL:
        return [(Group.OTHERS, true())]
    if order == WallOrder.FOUNDING_FIRST:
        return [
            (Group.FOUNDING, founding),
            (Group.BY_AND_FOR, by_and_for & Endorsement.founding.is_not(True)),
            (Group.OTHERS, neither),
        ]
    return [
        (Group.BY_AND_FOR, by_and_for),
        (Group.FOUNDING, founding & Endorsement.by_and_for.is_not(True)),
        (Group.OTHERS, neither),
    ]


def wall(platform: Platform, lang: str, limit: int | None = WALL_SIZE) -> Wall:
    """Return the platform's logo wall in `lang`: who leads first, then names in order.

    One query per group, each reading the list's name index in order and stopping at the
    tiles still wanted, so the wall costs a few dozen rows however long the list is.
    """
    conditions = [*_listed(platform), Endorsement.kind == EndorsementKind.ORGANIZATION]
    chosen: list[tuple[Group, Endorsement]] = []
    for group, condition in _groups(platform.wall_order):
        wanted = None if limit is None else limit - len(chosen)
        if wanted == 0:
            break
        query = (
            select(Endorsement)
            .where(*conditions, condition)
            .order_by(_sort_column(lang), Endorsement.id)
            .limit(wanted)
        )
        chosen += [(group, endorsement) for endorsement in db.session.scalars(query)]
    logos = (
        {
            logo.endorsement_id: logo
            for logo in db.session.scalars(
                select(OrganizationLogo).where(
                    OrganizationLogo.endorsement_id.in_([e.id for _g, e in chosen]),
                    OrganizationLogo.status == LogoStatus.APPROVED,
                )
            )
        }
        if chosen
        else {}
    )
    total = len(chosen)
    if limit is not None and total >= limit:
        total = totals(platform).organizations
    groups: dict[Group, list[Tile]] = {}
    for group, endorsement in chosen:
        name = public_name(endorsement, lang)
        tile = Tile(
            id=endorsement.id,
            name=name,
            group=group,
            initials=tiles.initials(name),
            color=tiles.color_index(name),
        )
        if (logo := logos.get(endorsement.id)) is not None:
            tile = replace(
                tile,
                logo_url=url_for("directory.logo_file", digest=logo.digest),
                digest=logo.digest,
                width=logo.width,
                height=logo.height,
            )
        groups.setdefault(group, []).append(tile)
    return Wall(groups=list(groups.items()), shown=len(chosen), total=total)


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

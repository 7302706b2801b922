"""Demo endorsers for the logo wall: fictional organizations, logos drawn at load time.

Every name here is invented (no real group is presented as an endorser). The logos are drawn
by Pillow when the demo loads, then go through the same cleaning as an upload.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from ..db_types import utcnow
from ..endorsements import consents, naming
from ..endorsements.models import (
    ConsentPurpose,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
)
from ..extensions import db
from ..logos import services as logos
from ..logos.images import clean
from ..platforms.models import Platform

DEMO_DOMAIN = "demo-wall.example"

# (name, French name, type, province, city, by and for, founding, logo colors or None)
ORGANIZATIONS = (
    (
        "Harbourside Peer Collective",
        "",
        OrgType.DRUG_USER_GROUP,
        Province.NS,
        "Halifax",
        True,
        False,
        ("#0b6e4f", "#f2c14e"),
    ),
    (
        "Users' Union of the Estrie",
        "Collectif des usagers de l'Estrie",
        OrgType.DRUG_USER_GROUP,
        Province.QC,
        "Sherbrooke",
        True,
        False,
        ("#5b2a86", "#ffffff"),
    ),
    (
        "Prairie Drug Users Network",
        "Réseau des personnes qui consomment des Prairies",
        OrgType.DRUG_USER_GROUP,
        Province.SK,
        "Regina",
        True,
        False,
        None,
    ),
    (
        "Northern Lights Harm Reduction Society",
        "Société de réduction des méfaits Aurores",
        OrgType.HARM_REDUCTION,
        Province.YT,
        "Whitehorse",
        False,
        True,
        ("#14213d", "#fca311"),
    ),
    (
        "Alliance for a Safer Supply",
        "Alliance pour un approvisionnement plus sûr",
        OrgType.COMMUNITY,
        Province.ON,
        "Toronto",
        False,
        True,
        ("#9d0208", "#ffffff"),
    ),
    (
        "Coastal Legal Rights Clinic",
        "Clinique juridique de la côte",
        OrgType.LEGAL,
        Province.BC,
        "Victoria",
        False,
        False,
        ("#1d3557", "#a8dadc"),
    ),
    (
        "Riverbend Community Health Centre",
        "Centre de santé communautaire Riverbend",
        OrgType.HEALTH,
        Province.MB,
        "Winnipeg",
        False,
        False,
        None,
    ),
    (
        "Tamarack Research Institute",
        "Institut de recherche Tamarack",
        OrgType.RESEARCH,
        Province.ON,
        "Sudbury",
        False,
        False,
        ("#386641", "#f2e8cf"),
    ),
)


def _drawn_logo(name: str, colors: tuple[str, str]) -> bytes:
    """Draw a simple fictional logo: a shape and the name's first letters."""
    background, ink = colors
    image = Image.new("RGB", (400, 240), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((24, 40, 184, 200), outline=ink, width=14)
    letters = "".join(w[0] for w in name.replace("'", " ").split() if w[0].isupper())[:3]
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 72)
    except OSError:
        font = ImageFont.load_default(72)
    draw.text((290, 120), letters, font=font, fill=ink, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def load_demo_wall(platform: Platform) -> int:
    """Add the demo organizations (approved, with logos) unless present; return how many."""
    present = db.session.scalar(
        select(Endorsement.id)
        .where(
            Endorsement.platform_id == platform.id,
            Endorsement.email_canonical.like(f"%@{DEMO_DOMAIN}"),
        )
        .limit(1)
    )
    if present is not None:
        return 0
    now = utcnow()
    for number, row in enumerate(ORGANIZATIONS):
        name, name_fr, org_type, province, city, by_and_for, founding, colors = row
        email = f"contact{number}@{DEMO_DOMAIN}"
        endorsement = Endorsement(
            platform=platform,
            kind=EndorsementKind.ORGANIZATION,
            status=EndorsementStatus.APPROVED,
            email=email,
            email_canonical=email,
            locale="fr" if province == Province.QC else "en",
            platform_version=platform.version_label,
            name="Demo Contact",
            province=province,
            city=city,
            org_name=name,
            org_name_fr=name_fr,
            org_type=org_type,
            by_and_for=by_and_for,
            founding=founding,
            confirmed_at=now,
            approved_at=now,
            source="demo",
        )
        for purpose in (ConsentPurpose.PUBLIC_LISTING, ConsentPurpose.AUTHORITY):
            endorsement.consents.append(
                consents.record(EndorsementKind.ORGANIZATION, purpose, endorsement.locale)
            )
        naming.refresh_keys(endorsement)
        db.session.add(endorsement)
        db.session.flush()
        if colors is not None:
            logos.submit(endorsement.id, clean(_drawn_logo(name, colors)), approved=True)
    return len(ORGANIZATIONS)

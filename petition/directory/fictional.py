"""A large, realistic and entirely fictional set of endorsements, for load tests and demos.

Names are assembled from invented parts: no real group or person is meant. The mix follows
what a national campaign sees: organizations and individuals, both languages, every province
and territory, accents and articles in names, groups run by and for people who use drugs, and
a few percent of sign-ons that are not (or no longer) public.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert

from ..db_types import utcnow
from ..endorsements import consents, naming
from ..endorsements.models import (
    Consent,
    ConsentPurpose,
    DisplayMode,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
)
from ..extensions import db
from ..platforms.models import Platform

# Roughly where Canadians live, so counts per province look like a real campaign's.
PROVINCE_WEIGHTS = {
    Province.ON: 38.5,
    Province.QC: 22.0,
    Province.BC: 13.5,
    Province.AB: 11.5,
    Province.MB: 3.6,
    Province.SK: 3.0,
    Province.NS: 2.7,
    Province.NB: 2.1,
    Province.NL: 1.4,
    Province.PE: 0.5,
    Province.NT: 0.2,
    Province.YT: 0.2,
    Province.NU: 0.2,
    Province.OUTSIDE: 0.6,
}

CITIES = {
    Province.ON: ["Toronto", "Ottawa", "Hamilton", "Sudbury", "Thunder Bay", "Kingston", "Timmins"],
    Province.QC: [
        "Montréal",
        "Québec",
        "Trois-Rivières",
        "Rimouski",
        "Gaspé",
        "Sept-Îles",
        "Lévis",
    ],
    Province.BC: ["Vancouver", "Victoria", "Kamloops", "Prince George", "Nanaimo", "Terrace"],
    Province.AB: ["Calgary", "Edmonton", "Lethbridge", "Red Deer", "Grande Prairie"],
    Province.MB: ["Winnipeg", "Brandon", "Thompson", "Saint-Boniface"],
    Province.SK: ["Saskatoon", "Regina", "Prince Albert", "La Ronge"],
    Province.NS: ["Halifax", "Sydney", "Truro", "Chéticamp"],
    Province.NB: ["Moncton", "Fredericton", "Saint John", "Edmundston", "Caraquet"],
    Province.NL: ["St. John's", "Corner Brook", "Gander"],
    Province.PE: ["Charlottetown", "Summerside"],
    Province.NT: ["Yellowknife", "Inuvik"],
    Province.YT: ["Whitehorse", "Dawson"],
    Province.NU: ["Iqaluit", "Rankin Inlet"],
    Province.OUTSIDE: ["Portland", "Lyon", "Bruxelles"],
}

ORG_TYPE_WEIGHTS = {
    OrgType.DRUG_USER_GROUP: 12,
    OrgType.HARM_REDUCTION: 22,
    OrgType.LEGAL: 8,
    OrgType.HEALTH: 18,
    OrgType.RESEARCH: 9,
    OrgType.COMMUNITY: 20,
    OrgType.FAITH: 4,
    OrgType.UNION: 3,
    OrgType.OTHER: 4,
}

# Invented name parts, per type: "{part} {city}" or "{city} {part}".
ORG_PARTS_EN = {
    OrgType.DRUG_USER_GROUP: [
        "Drug Users Union",
        "Peer Collective",
        "Users' Voice",
        "Peer Network",
    ],
    OrgType.HARM_REDUCTION: ["Harm Reduction Society", "Outreach Project", "Overdose Response"],
    OrgType.LEGAL: ["Legal Clinic", "Civil Liberties Circle", "Justice Project"],
    OrgType.HEALTH: ["Community Health Centre", "Street Nurses", "Health Cooperative"],
    OrgType.RESEARCH: ["Research Group", "Policy Lab", "Evidence Network"],
    OrgType.COMMUNITY: ["Neighbourhood House", "Friendship Centre", "Community Kitchen"],
    OrgType.FAITH: ["Faith Circle", "Interfaith Table"],
    OrgType.UNION: ["Workers' Union", "Care Workers Local"],
    OrgType.OTHER: ["Arts Collective", "Tenants' Association"],
}
ORG_PARTS_FR = {
    OrgType.DRUG_USER_GROUP: ["Collectif des pairs", "Association des personnes qui consomment"],
    OrgType.HARM_REDUCTION: ["Réseau de réduction des méfaits", "L'Équipe de proximité"],
    OrgType.LEGAL: ["Clinique juridique", "Ligue des droits"],
    OrgType.HEALTH: ["Centre de santé communautaire", "L'Îlot santé", "Coopérative de soins"],
    OrgType.RESEARCH: ["Groupe de recherche", "Observatoire des politiques"],
    OrgType.COMMUNITY: ["Maison de quartier", "Regroupement communautaire", "L'Entraide"],
    OrgType.FAITH: ["Cercle interconfessionnel"],
    OrgType.UNION: ["Syndicat des intervenantes", "Syndicat des travailleurs de rue"],
    OrgType.OTHER: ["Collectif artistique", "Association des locataires"],
}
DISTRICTS = [
    "Nord", "Sud", "Est", "Ouest", "Centre", "Riverside", "Harbour", "Old Town", "Lakeshore",
    "Hillcrest", "Saint-Roch", "Limoilou", "Maillard", "Downtown", "East End", "Westmount",
]  # fmt: skip

FIRST_NAMES = [
    "Marie-Ève", "Jérôme", "Amélie", "Noah", "Chloé", "Étienne", "Priya", "Kwame", "Zoé",
    "Aidan", "Léa", "Mathis", "Sophie", "Olivier", "Ayesha", "Hélène", "Liam", "Nadia",
    "Raphaël", "Mei", "Gabrielle", "Thomas", "Inès", "Samuel", "Émilie", "Jonah", "Fatima",
]  # fmt: skip
LAST_NAMES = [
    "Tremblay", "Côté", "Gagnon", "Bélanger", "Nguyen", "MacDonald", "Lévesque", "Singh",
    "O'Brien", "Bouchard", "Ouellet", "Chen", "Pelletier", "Fraser", "Gauthier", "Okafor",
    "Leblanc", "Martin", "Bergeron", "Ahmed", "Caron", "Thériault", "Wilson", "Poirier",
]  # fmt: skip
DESCRIPTORS = {
    "en": ["Person with lived experience", "Parent who lost a child", "Peer worker", "Nurse"],
    "fr": ["Personne ayant une expérience vécue", "Mère endeuillée", "Pair aidant", "Infirmière"],
}
DISPLAY_WEIGHTS = {
    DisplayMode.FULL_NAME: 40,
    DisplayMode.FIRST_INITIAL: 30,
    DisplayMode.DESCRIPTOR: 15,
    DisplayMode.COUNTED_ONLY: 15,
}
# Besides the approved ones: a few percent never public, or no longer.
OTHER_STATUSES = [
    EndorsementStatus.UNVERIFIED,
    EndorsementStatus.PENDING_REVIEW,
    EndorsementStatus.REJECTED,
    EndorsementStatus.HIDDEN,
    EndorsementStatus.WITHDRAWN,
]
BATCH = 5000
BLANK = {
    "title": "",
    "org_name": "",
    "org_name_fr": "",
    "org_type": None,
    "website": "",
    "by_and_for": False,
    "about_en": "",
    "about_fr": "",
    "contact_public": False,
    "display_mode": None,
    "descriptor": "",
    "display_name": "",
    "flags": "",
    "review_reason": "",
    "reviewed_at": None,
    "approved_at": None,
    "withdrawn_at": None,
}


@dataclass(frozen=True)
class Generated:
    approved: int
    other: int


def _choice(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _organization(rng: random.Random, province: Province, city: str, locale: str) -> dict:
    org_type = _choice(rng, ORG_TYPE_WEIGHTS)
    district = rng.choice(DISTRICTS) if rng.random() < 0.6 else ""
    english = rng.choice(ORG_PARTS_EN[org_type])
    french = rng.choice(ORG_PARTS_FR[org_type])
    place = f"{city} {district}".strip()
    name_en = f"The {place} {english}" if rng.random() < 0.15 else f"{place} {english}"
    name_fr = f"{french} de {place}"
    if locale == "fr":
        org_name, org_name_fr = name_fr, ""
    else:
        org_name, org_name_fr = name_en, (name_fr if rng.random() < 0.3 else "")
    slug = naming.fold(org_name).replace(" ", "-")[:40].strip("-")
    about = {
        "en": f"{english} serving people in {city}.",
        "fr": f"{french} au service des gens de {city}.",
    }
    return {
        "org_name": org_name,
        "org_name_fr": org_name_fr,
        "org_type": org_type,
        "website": f"https://{slug}.example" if rng.random() < 0.7 else "",
        "by_and_for": org_type == OrgType.DRUG_USER_GROUP or rng.random() < 0.05,
        "about_en": about["en"] if locale == "en" or rng.random() < 0.3 else "",
        "about_fr": about["fr"] if locale == "fr" or rng.random() < 0.3 else "",
        "contact_public": rng.random() < 0.25,
        "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "title": rng.choice(["Coordinator", "Executive Director", "Directrice", "Porte-parole"]),
    }


def _individual(rng: random.Random, locale: str) -> dict:
    last = rng.choice(LAST_NAMES)
    if rng.random() < 0.1:
        last = f"{last}-{rng.choice(LAST_NAMES)}"
    mode = _choice(rng, DISPLAY_WEIGHTS)
    return {
        "name": f"{rng.choice(FIRST_NAMES)} {last}",
        "title": rng.choice(["", "", "Researcher", "Intervenante"]),
        "display_mode": mode,
        "descriptor": rng.choice(DESCRIPTORS[locale]) if mode == DisplayMode.DESCRIPTOR else "",
    }


def _rows(platform: Platform, count: int, other: int, seed: int) -> Iterator[tuple[dict, list]]:
    rng = random.Random(seed)  # noqa: S311 - fictional data, reproducible from its seed
    run = secrets.token_hex(4)
    now = utcnow()
    statuses = [EndorsementStatus.APPROVED] * count + [
        OTHER_STATUSES[i % len(OTHER_STATUSES)] for i in range(other)
    ]
    rng.shuffle(statuses)
    for n, status in enumerate(statuses):
        organization = rng.random() < 0.3
        kind = EndorsementKind.ORGANIZATION if organization else EndorsementKind.INDIVIDUAL
        province = _choice(rng, PROVINCE_WEIGHTS)
        city = rng.choice(CITIES[province])
        locale = "fr" if (province == Province.QC) != (rng.random() < 0.1) else "en"
        if province == Province.NB and rng.random() < 0.35:
            locale = "fr"
        created = now - timedelta(seconds=rng.randint(3600, 180 * 86400))
        email = f"endorser-{run}-{n}@example.test"
        # Every row gets every column: rows with the same keys go in one multi-row INSERT.
        fields = {
            **BLANK,
            "platform_id": platform.id,
            "kind": kind,
            "status": status,
            "email": email,
            "email_canonical": email,
            "locale": locale,
            "platform_version": platform.version_label,
            "province": province,
            "city": city,
            "ip_hash": hashlib.sha256(f"{run}-{n % 5000}".encode()).hexdigest(),
            "source": "generated",
            "created_at": created,
            "updated_at": created,
            "confirmed_at": None if status == EndorsementStatus.UNVERIFIED else created,
        }
        fields.update(_organization(rng, province, city, locale) if organization else {})
        fields.update({} if organization else _individual(rng, locale))
        if status in (EndorsementStatus.APPROVED, EndorsementStatus.HIDDEN):
            fields["approved_at"] = min(created + timedelta(hours=rng.randint(1, 72)), now)
            fields["reviewed_at"] = fields["approved_at"]
        elif status == EndorsementStatus.REJECTED:
            fields["reviewed_at"] = created + timedelta(hours=5)
            fields["review_reason"] = "Could not verify the organization."
        elif status == EndorsementStatus.WITHDRAWN:
            fields["withdrawn_at"] = created + timedelta(days=3)
        # The same rules as a real sign-on for the public name, search and sort keys.
        transient = Endorsement(**fields)
        naming.refresh_keys(transient)
        for key in ("search_key", "sort_key_en", "sort_key_fr"):
            fields[key] = getattr(transient, key)
        given = [ConsentPurpose.AUTHORITY] if organization else []
        if organization or fields["display_mode"] != DisplayMode.COUNTED_ONLY:
            given.append(ConsentPurpose.PUBLIC_LISTING)
        if rng.random() < 0.4:
            given.append(ConsentPurpose.UPDATES)
        yield fields, [(purpose, created) for purpose in given]


def generate(
    platform: Platform, count: int, *, other: int | None = None, seed: int = 1
) -> Generated:
    """Bulk-insert `count` approved endorsements (and `other` non-public ones); flush only."""
    other = max(count // 30, 5) if other is None else other
    wordings: dict[tuple, Consent] = {}

    def consent_row(endorsement_id: int, kind, purpose, locale, given_at) -> dict:
        key = (kind, purpose, locale)
        if key not in wordings:
            wordings[key] = consents.record(kind, purpose, locale)
        template = wordings[key]
        return {
            "endorsement_id": endorsement_id,
            "purpose": purpose,
            "wording_version": template.wording_version,
            "wording": template.wording,
            "locale": locale,
            "given_at": given_at,
        }

    batch: list[tuple[dict, list]] = []

    def flush_batch() -> None:
        # Core inserts of the tables (not the ORM's unit of work): one multi-row INSERT each.
        table = Endorsement.__table__
        statement = insert(table).returning(table.c.email_canonical, table.c.id)
        ids = {email: id_ for email, id_ in db.session.execute(statement, [f for f, _ in batch])}
        consent_rows = [
            consent_row(
                ids[fields["email_canonical"]], fields["kind"], purpose, fields["locale"], given_at
            )
            for fields, given in batch
            for purpose, given_at in given
        ]
        if consent_rows:
            db.session.execute(insert(Consent.__table__), consent_rows)
        batch.clear()

    for row in _rows(platform, count, other, seed):
        batch.append(row)
        if len(batch) >= BATCH:
            flush_batch()
    if batch:
        flush_batch()
    return Generated(approved=count, other=other)

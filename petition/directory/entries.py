"""One endorser as every public surface shows them (page, export, API, feed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from flask_babel import force_locale, get_timezone

from ..endorsements.labels import KIND_LABELS, ORG_TYPE_LABELS, PROVINCE_LABELS
from ..endorsements.models import (
    DisplayMode,
    Endorsement,
    EndorsementKind,
    OrgType,
    Province,
)
from ..endorsements.naming import public_name
from ..markup import safe_website
from . import models  # noqa: F401  (the indexes these queries rely on)


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

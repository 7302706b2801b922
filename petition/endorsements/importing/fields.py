"""The fields an import reads, their headings, limits and the marks it puts on rows."""

from __future__ import annotations

import functools
import re

from ...i18n import _l
from .. import naming

SOURCE = "import"


# Flags an import puts on endorsements, for moderators (next to the sign-on form's own).
FORMULA_CELL = "formula_cell"


NO_LISTING_CONSENT = "no_listing_consent"


LONG_ABOUT = "long_about"


FLAG_LABELS = {
    FORMULA_CELL: _l("A cell began like a spreadsheet formula: it is kept as text"),
    NO_LISTING_CONSENT: _l("Did not agree to be listed publicly: cannot be approved"),
    LONG_ABOUT: _l("Description longer than the sign-on form allows"),
}


FIELDS = (
    "timestamp",
    "email",
    "org_name",
    "org_name_fr",
    "name",
    "title",
    "province",
    "city",
    "website",
    "org_type",
    "by_and_for",
    "about",
    "consent_public",
    "language",
)


REQUIRED_FIELDS = ("email", "org_name", "province", "consent_public")


FIELD_LABELS = {
    "timestamp": _l("time of sign-on"),
    "email": _l("email address"),
    "org_name": _l("organization name"),
    "org_name_fr": _l("organization name in French"),
    "name": _l("contact person"),
    "title": _l("contact person's title"),
    "province": _l("province or territory"),
    "city": _l("city"),
    "website": _l("website"),
    "org_type": _l("organization type"),
    "by_and_for": _l("run by and for people who use drugs"),
    "about": _l("description"),
    "consent_public": _l("consent to public listing"),
    "language": _l("language"),
}


# Headings a form tool is likely to give each field, in English and French. A bilingual
# heading ("Title / Titre") matches when either of its halves does.
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "timestamp": ("Timestamp", "Horodateur", "Horodatage", "Submitted at", "Date"),
    "email": (
        "Email Address",
        "Email",
        "E-mail",
        "Courriel",
        "Adresse courriel",
        "Adresse de courriel",
        "Adresse e-mail",
    ),
    "org_name": (
        "Organization name",
        "Organisation name",
        "Organization",
        "Nom de l'organisme",
        "Nom de l'organisation",
        "Organisme",
    ),
    "org_name_fr": (
        "Organization name in French",
        "Name in French",
        "Nom de l'organisme en français",
        "Nom en français",
    ),
    "name": (
        "Contact person",
        "Contact name",
        "Contact",
        "Personne-ressource",
        "Personne contact",
        "Nom de la personne-ressource",
    ),
    "title": ("Title", "Position", "Titre", "Poste", "Fonction"),
    "province": (
        "Province or territory",
        "Province/territory",
        "Province",
        "Province ou territoire",
    ),
    "city": ("City", "City or town", "Ville", "Municipalité"),
    "website": ("Website", "Web site", "Site web", "Site internet"),
    "org_type": (
        "Organization type",
        "Type of organization",
        "Type d'organisme",
        "Type d'organisation",
    ),
    "by_and_for": (
        "Run by and for people who use drugs?",
        "By and for",
        "Organisme par et pour les personnes qui consomment?",
        "Par et pour",
    ),
    "about": ("Short description", "Description", "About", "Courte description"),
    "consent_public": (
        "May we list your organization publicly?",
        "Public listing",
        "Pouvons-nous afficher votre organisme publiquement?",
        "Affichage public",
    ),
    "language": ("Language", "Preferred language", "Langue", "Langue de préférence"),
}


# Column widths of the endorsement table: longer values are refused, not cut.
MAX_LENGTHS = {
    "email": 254,
    "org_name": 200,
    "org_name_fr": 200,
    "name": 120,
    "title": 120,
    "city": 100,
    "website": 300,
}


TEXT_FIELDS = ("org_name", "org_name_fr", "name", "title", "city", "about")


# A cell a spreadsheet would evaluate: = + - @ then something (OWASP's CSV-injection list).
_FORMULA = re.compile(r"^[=+\-@]\S")


# The sign-on form refuses these too: invisible characters can disguise a name.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


_SLASH_DATE = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?$"
)


_EMPTY_WEBSITES = {"", "na", "none", "aucun", "aucune", "so", "nil", "null"}


_YES = {"yes", "y", "oui", "o", "true", "vrai", "1", "x"}


_NO = {"no", "n", "non", "false", "faux", "0"}


_FRENCH_ANSWERS = {"oui", "non", "o", "vrai", "faux"}


_LANGUAGES = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "anglais": "en",
    "fr": "fr",
    "fra": "fr",
    "fre": "fr",
    "french": "fr",
    "francais": "fr",
}


CHUNK = 1000


def compact(text: str) -> str:
    """Return `text` folded (no accents, case or punctuation) and without spaces."""
    return naming.fold(text).replace(" ", "")


# Provinces, types, answers and languages take a handful of spellings in a whole file: fold
# each spelling once.
_value_key = functools.lru_cache(maxsize=4096)(compact)


_first_word = functools.lru_cache(maxsize=4096)(lambda text: naming.fold(text).partition(" ")[0])

"""Import an existing sign-on list (a form tool's CSV export) as organization endorsements.

The rules, in the order they apply to each row:

- Columns are found by their heading (ColumnMapping: a default that reads English, French and
  bilingual "English / Français" headings, overridable by a JSON file).
- Values are read tolerantly (accents, case and punctuation ignored): provinces by code or by
  English or French name, organization types in either language, yes/no in either language.
  A value that cannot be read with certainty rejects the row, with the reason: nothing is
  guessed into something else.
- A row without a valid email address is rejected: its endorser could never confirm, change
  or withdraw the endorsement.
- Duplicates (same canonical email, or same folded organization name and website domain)
  merge into the first row of the file: blank fields are filled from later rows, and the latest
  answer about public listing wins (it is the person's most recent choice). A row that matches
  an endorsement already on the platform leaves that endorsement unchanged, so importing the
  same file twice changes nothing.
- Rows that consented to public listing arrive as pending review (approved with `approve`,
  for lists the coalition already vetted). Rows that did not consent are kept for the count
  the coalition holds, with no public-listing consent and the `no_listing_consent` flag:
  `services.can_approve` refuses them, so they can never be shown.
- Cells are stored as given. A cell that a spreadsheet would run as a formula is kept as text
  and flagged `formula_cell` for moderators (exports neutralize such cells on the way out).

`import_endorsements` holds the rules and writes with bulk inserts in the caller's
transaction (the caller commits once: an interrupted import writes nothing).
"""

from __future__ import annotations

import csv
import enum
import functools
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import LazyString, force_locale
from sqlalchemy import insert, select

from ..db_types import utcnow
from ..extensions import db
from ..forms import normalize_website
from ..i18n import LANGUAGES, _l
from ..platforms.models import Platform
from . import consents, naming
from .forms import ABOUT_MAX
from .labels import ORG_TYPE_LABELS, PROVINCE_LABELS
from .models import (
    Consent,
    ConsentPurpose,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
)
from .services import canonical_email

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


# --- Reading values ---------------------------------------------------------------------------

_PROVINCE_ALIASES: dict[Province, tuple[str, ...]] = {
    Province.AB: ("Alta", "Alb"),
    Province.BC: ("C.-B.", "Colombie Britannique"),
    Province.MB: ("Man",),
    Province.NB: ("N.-B.",),
    Province.NL: ("Nfld", "Newfoundland", "T.-N.-L.", "Terre-Neuve", "NF"),
    Province.NS: ("N.-É.", "N.É."),
    Province.NT: ("NWT", "T.N.-O.", "TNO", "Northwest Territory"),
    Province.NU: ("Nvt",),
    Province.ON: ("Ont",),
    Province.PE: ("PEI", "P.E.I.", "Î.-P.-É.", "IPE", "PEI Island"),
    Province.QC: ("Que", "PQ", "Province de Québec"),
    Province.SK: ("Sask",),
    Province.YT: ("Yuk", "Yukon Territory", "YK"),
    Province.OUTSIDE: ("Outside", "Outside of Canada", "Hors Canada", "International"),
}

_ORG_TYPE_ALIASES: dict[OrgType, tuple[str, ...]] = {
    OrgType.DRUG_USER_GROUP: ("Drug user group", "Groupe de personnes qui consomment"),
    OrgType.HARM_REDUCTION: ("Harm reduction service", "Harm reduction"),
    OrgType.LEGAL: ("Legal / human rights organization", "Legal", "Human rights"),
    OrgType.HEALTH: ("Health / medical organization", "Health", "Organisme de santé"),
    OrgType.RESEARCH: ("Research / academic", "Research", "Academic", "Recherche"),
    OrgType.COMMUNITY: ("Community", "Communautaire"),
    OrgType.FAITH: ("Faith", "Faith group", "Religious organization"),
    OrgType.UNION: ("Labour union", "Trade union"),
    OrgType.OTHER: (),
}

# Words that name a type inside a longer description, tried in this order (a "harm-reduction
# service for people who use drugs" is a harm-reduction service, not a group of users).
_ORG_TYPE_WORDS: tuple[tuple[OrgType, tuple[str, ...]], ...] = (
    (OrgType.HARM_REDUCTION, ("harm reduction", "reduction des mefaits", "reduction des risques")),
    (
        OrgType.DRUG_USER_GROUP,
        ("drug user", "people who use drugs", "qui consomment", "usager", "consommateur"),
    ),
    (OrgType.LEGAL, ("legal", "human rights", "juridique", "droits", "avocat", "lawyer")),
    (OrgType.RESEARCH, ("research", "academic", "universit", "recherche", "academique")),
    (OrgType.HEALTH, ("health", "medical", "sante", "medic", "clinic")),
    (OrgType.UNION, ("union", "syndicat")),
    (OrgType.FAITH, ("faith", "church", "religi", "foi", "eglise", "confessionn")),
    (OrgType.COMMUNITY, ("community", "communautaire", "communaute")),
    (OrgType.OTHER, ("other", "autre")),
)


def _labels_in_both_languages(labels: dict) -> dict[str, object]:
    table = {}
    for locale in LANGUAGES:
        with force_locale(locale):
            table.update({compact(str(label)): value for value, label in labels.items()})
    return table


def default_provinces() -> dict[str, Province]:
    """Return the province look-up table: codes, English and French names, common forms."""
    table: dict[str, Province] = _labels_in_both_languages(PROVINCE_LABELS)  # type: ignore[assignment]
    for province in Province:
        table[compact(province.value)] = province
        table.update({compact(alias): province for alias in _PROVINCE_ALIASES[province]})
    return table


def default_org_types() -> dict[str, OrgType]:
    """Return the organization-type look-up table: our labels in both languages, and more."""
    table: dict[str, OrgType] = _labels_in_both_languages(ORG_TYPE_LABELS)  # type: ignore[assignment]
    for org_type in OrgType:
        table[compact(org_type.value)] = org_type
        table.update({compact(alias): org_type for alias in _ORG_TYPE_ALIASES[org_type]})
    return table


def _org_type_from_words(text: str) -> OrgType | None:
    folded = naming.fold(text)
    for org_type, words in _ORG_TYPE_WORDS:
        if any(re.search(r"\b" + re.escape(word), folded) for word in words):
            return org_type
    return None


def _answer(text: str) -> bool | None:
    """Read a yes/no answer in English or French; None when it is neither."""
    word = _first_word(text)
    if not word:
        return False
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


# --- Column mapping ---------------------------------------------------------------------------


class MappingError(ValueError):
    """A column mapping file that cannot be used; the message says why."""


@dataclass(frozen=True)
class ColumnMapping:
    """Which heading holds each field, and extra spellings of provinces and types."""

    headers: dict[str, tuple[str, ...]]
    provinces: dict[str, Province]
    org_types: dict[str, OrgType]
    # "MDY" or "DMY" for dates like 12/3/2021; None guesses from the file (month first
    # unless a day above 12 says otherwise, as Google Forms exports in English).
    date_order: str | None = None

    @classmethod
    def default(cls) -> ColumnMapping:
        return cls(dict(DEFAULT_HEADERS), default_provinces(), default_org_types())


def load_mapping(text: str) -> ColumnMapping:
    """Read a JSON column mapping over the default; raise MappingError saying what is wrong.

    Either `{"email": "Courriel", ...}` (our field name to a heading, or a list of headings),
    or `{"columns": {...}, "provinces": {"Île-du-P.-É.": "PE"}, "org_types": {"Coalition":
    "community"}, "date_order": "DMY"}`.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MappingError(f"the mapping is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError("the mapping must be a JSON object")
    sections = {"columns", "provinces", "org_types", "date_order"}
    if not set(data) & sections:
        data = {"columns": data}
    unknown = set(data) - sections
    if unknown:
        raise MappingError(f"unknown mapping sections: {', '.join(sorted(unknown))}")
    mapping = ColumnMapping.default()
    headers = dict(mapping.headers)
    for name, value in (data.get("columns") or {}).items():
        if name not in FIELDS:
            raise MappingError(f"unknown field {name!r}; the fields are: {', '.join(FIELDS)}")
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise MappingError(f"the heading for {name!r} must be a text or a list of texts")
        headers[name] = tuple(values)
    provinces = dict(mapping.provinces)
    for text_value, code in (data.get("provinces") or {}).items():
        try:
            provinces[compact(text_value)] = Province(code)
        except ValueError as exc:
            codes = ", ".join(p.value for p in Province)
            raise MappingError(f"unknown province code {code!r}; use one of: {codes}") from exc
    org_types = dict(mapping.org_types)
    for text_value, code in (data.get("org_types") or {}).items():
        try:
            org_types[compact(text_value)] = OrgType(code)
        except ValueError as exc:
            codes = ", ".join(t.value for t in OrgType)
            raise MappingError(f"unknown organization type {code!r}; use one of: {codes}") from exc
    date_order = data.get("date_order")
    if date_order not in (None, "MDY", "DMY"):
        raise MappingError('date_order must be "MDY" or "DMY"')
    return ColumnMapping(headers, provinces, org_types, date_order)


# --- Reading the file -------------------------------------------------------------------------


class ImportFileError(ValueError):
    """A file that cannot be imported at all; `message` explains it (translated lazily)."""

    def __init__(self, message: LazyString | str):
        super().__init__(str(message))
        self.message = message


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Return the text of an uploaded file and the encoding it was read with.

    UTF-8 (with or without a byte-order mark) first, UTF-16 when marked, then Windows-1252
    only when every byte means something in it; otherwise refuse.
    """
    if not data.strip():
        raise ImportFileError(_l("The file is empty."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _l(
                "This is a spreadsheet workbook, not a CSV file. Save it as “CSV UTF-8” from "
                "the spreadsheet and import that file."
            )
        )
    candidates = [encoding] if encoding else []
    if not encoding:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8-sig", "cp1252"]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" in text:
            break
        return text, "utf-8" if candidate == "utf-8-sig" else candidate
    raise ImportFileError(
        _l(
            "The file's characters cannot be read: it is not UTF-8 text. Save it as “CSV "
            "UTF-8” from the spreadsheet, or name its encoding with --encoding."
        )
    )


@dataclass
class ParsedFile:
    headers: list[str]
    columns: dict[str, int]
    # (row number as a spreadsheet shows it, cells); blank rows are left out.
    rows: list[tuple[int, list[str]]]


def _header_matches(header: str, names: Iterable[str]) -> bool:
    wanted = {compact(n) for n in names}
    parts = [header, *header.split(" / ")] if " / " in header else [header]
    return any(compact(part) in wanted for part in parts if part.strip())


def _resolve_columns(headers: list[str], mapping: ColumnMapping) -> dict[str, int]:
    columns: dict[str, int] = {}
    for name in FIELDS:
        found = [i for i, h in enumerate(headers) if _header_matches(h, mapping.headers[name])]
        if len(found) > 1:
            raise ImportFileError(
                _l(
                    "Several columns could hold the %(field)s: %(columns)s. Name the right "
                    "one in a mapping file (--mapping).",
                    field=FIELD_LABELS[name],
                    columns=", ".join(f"“{headers[i]}”" for i in found),
                )
            )
        if found:
            columns[name] = found[0]
    if not columns:
        raise ImportFileError(
            _l(
                "The first line does not look like column headings: none of the expected "
                "columns was found. Is this a CSV export of the sign-on form?"
            )
        )
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ImportFileError(
            _l(
                "Required columns are missing: %(fields)s. Add them to the file, or name the "
                "columns that hold them in a mapping file (--mapping).",
                fields=", ".join(str(FIELD_LABELS[name]) for name in missing),
            )
        )
    return columns


def _delimiter(first_line: str) -> str:
    """Guess the delimiter from the heading line (French spreadsheets often use ";")."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_formula_aware(line: str, delimiter: str) -> list[str]:
    """Split one CSV record, reading an unquoted `=FORMULA(...)` cell as a whole.

    Some tools export a formula cell without quoting it, so the commas between its arguments
    split it across columns. A spreadsheet formula keeps its commas inside parentheses and
    "..." strings; this reads to the comma after the closing parenthesis instead.
    """
    cells: list[str] = []
    i, n = 0, len(line)
    while True:
        chars: list[str] = []
        if i < n and line[i] == '"':
            i += 1
            while i < n:
                if line[i] == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        chars.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                chars.append(line[i])
                i += 1
        formula = i < n and line[i] == "=" and not chars
        depth, in_string = 0, False
        while i < n:
            char = line[i]
            if formula and in_string:
                in_string = char != '"'
            elif formula and char == '"':
                in_string = True
            elif formula and char in "()":
                depth += 1 if char == "(" else -1
            elif char == delimiter and depth <= 0:
                break
            chars.append(char)
            i += 1
        cells.append("".join(chars))
        if i >= n:
            return cells
        i += 1


def parse(text: str, mapping: ColumnMapping) -> ParsedFile:
    """Split CSV text into headings and numbered rows and find the mapped columns."""
    delimiter = _delimiter(text.partition("\n")[0])
    raw_lines: list[str] = []

    def lines():
        for line in io.StringIO(text, newline=""):
            raw_lines.append(line)
            yield line

    records: list[tuple[int, list[str]]] = []
    try:
        reader = csv.reader(lines(), delimiter=delimiter, strict=False)
        for number, cells in enumerate(reader, start=1):
            raw = "".join(raw_lines)
            raw_lines.clear()
            records.append((number, cells))
            if records[0][0] != number and len(cells) > len(records[0][1]):
                # More cells than headings: an unquoted formula may have been split.
                repaired = split_formula_aware(raw.rstrip("\r\n"), delimiter)
                if len(repaired) <= len(records[0][1]):
                    records[-1] = (number, repaired)
    except csv.Error as exc:
        raise ImportFileError(
            _l("The file is not readable as CSV: %(problem)s.", problem=str(exc))
        ) from exc
    records = [(n, r) for n, r in records if any(cell.strip() for cell in r)]
    if not records:
        raise ImportFileError(_l("The file is empty."))
    headers = [h.strip() for h in records[0][1]]
    columns = _resolve_columns(headers, mapping)
    if len(records) == 1:
        raise ImportFileError(_l("The file has column headings but no rows to import."))
    return ParsedFile(headers, columns, records[1:])


# --- The report -------------------------------------------------------------------------------


class Outcome(enum.StrEnum):
    IMPORTED = "imported"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Problem:
    code: str
    message: LazyString

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class RowResult:
    """What became of one row; `row` is its line number as a spreadsheet shows it."""

    row: int
    outcome: Outcome
    org_name: str
    problems: list[Problem] = field(default_factory=list)
    # MERGED: the earlier row it merged into, and why (same email, or same name and website).
    merged_into: int | None = None
    match: str = ""
    # UNCHANGED: the endorsement already on the platform.
    existing_id: int | None = None
    # IMPORTED: the status it arrives with, and the flags moderators see.
    status: EndorsementStatus | None = None
    flags: set[str] = field(default_factory=set)
    notes: list[LazyString] = field(default_factory=list)


@dataclass
class ImportReport:
    platform_slug: str
    dry_run: bool
    results: list[RowResult] = field(default_factory=list)
    encoding: str = "utf-8"

    def of(self, outcome: Outcome) -> list[RowResult]:
        return [r for r in self.results if r.outcome == outcome]

    def counts(self) -> dict[Outcome, int]:
        counts = dict.fromkeys(Outcome, 0)
        for result in self.results:
            counts[result.outcome] += 1
        return counts

    @property
    def rows(self) -> int:
        return len(self.results)


# --- The import -------------------------------------------------------------------------------


@dataclass
class _Candidate:
    """One endorsement to create, from a row and the later rows merged into it."""

    result: RowResult
    values: dict
    consent_public: bool
    given_at: datetime | None
    sources: int = 1


@dataclass
class _Group:
    first_row: int
    candidate: _Candidate | None = None
    existing_id: int | None = None


def _keys(email_key: str, org_name: str, website: str) -> list[tuple[str, str]]:
    keys = [("email", email_key)] if email_key else []
    domain = naming.website_host(website)
    if domain and org_name:
        keys.append(("name", f"{naming.name_key(org_name)}|{domain}"))
    return keys


class _DateReader:
    def __init__(self, values: list[str], order: str | None, zone: ZoneInfo):
        self.zone = zone
        if order is None:
            order = "MDY"
            for value in values:
                match = _SLASH_DATE.match(value)
                if match and int(match.group(1)) > 12:
                    order = "DMY"
                    break
        self.order = order

    def read(self, value: str) -> datetime | None:
        value = value.strip()
        if not value:
            return None
        match = _SLASH_DATE.match(value)
        try:
            if match is None:
                moment = datetime.fromisoformat(value)
            else:
                first, second, year, hour, minute, second_s, ampm = match.groups()
                month, day = (first, second) if self.order == "MDY" else (second, first)
                year_n = int(year) + (2000 if len(year) == 2 else 0)
                hour_n = int(hour or 0)
                if ampm:
                    hour_n = hour_n % 12 + (12 if ampm[0] in "Pp" else 0)
                moment = datetime(
                    year_n, int(month), int(day), hour_n, int(minute or 0), int(second_s or 0)
                )
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment


class _RowReader:
    """Turn one row into endorsement values, or the list of problems that reject it."""

    def __init__(self, parsed: ParsedFile, mapping: ColumnMapping, zone: ZoneInfo):
        self.columns = parsed.columns
        self.mapping = mapping
        self.width = len(parsed.headers)
        dates = [self._cell(r, "timestamp") for _, r in parsed.rows]
        self.dates = _DateReader(dates, mapping.date_order, zone)

    def _cell(self, record: list[str], name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(record):
            return ""
        return record[index].strip()

    def read(self, record: list[str]):
        cell = {name: self._cell(record, name) for name in FIELDS}
        problems: list[Problem] = []
        notes: list[LazyString] = []

        def problem(code: str, message: LazyString) -> None:
            problems.append(Problem(code, message))

        if any(c.strip() for c in record[self.width :]):
            problem(
                "extra_cells",
                _l(
                    "The row has %(cells)d cells but there are %(columns)d column headings: "
                    "a cell may hold a comma without quotes around it.",
                    cells=len(record),
                    columns=self.width,
                ),
            )
        for name in (*TEXT_FIELDS, "email", "website"):
            if _CONTROL.search(cell[name]):
                problem(
                    "control_characters",
                    _l(
                        "The %(field)s holds invisible control characters.",
                        field=FIELD_LABELS[name],
                    ),
                )
        for name, limit in MAX_LENGTHS.items():
            if len(cell[name]) > limit:
                problem(
                    "too_long",
                    _l(
                        "The %(field)s is longer than %(max)d characters.",
                        field=FIELD_LABELS[name],
                        max=limit,
                    ),
                )

        email = email_key = ""
        if not cell["email"]:
            problem(
                "missing_email",
                _l("No email address: the endorser could never confirm, change or withdraw it."),
            )
        else:
            try:
                email = validate_email(cell["email"], check_deliverability=False).normalized
                email_key = canonical_email(email)
            except EmailNotValidError:
                problem(
                    "invalid_email",
                    _l("“%(value)s” is not a valid email address.", value=cell["email"]),
                )

        if not cell["org_name"]:
            problem("missing_org_name", _l("No organization name."))

        province = None
        if not cell["province"]:
            problem("missing_province", _l("No province or territory."))
        else:
            province = self.mapping.provinces.get(_value_key(cell["province"]))
            if province is None:
                problem(
                    "unknown_province",
                    _l("Unknown province or territory “%(value)s”.", value=cell["province"]),
                )

        org_type = None
        if cell["org_type"]:
            org_type = self.mapping.org_types.get(_value_key(cell["org_type"]))
            if org_type is None:
                org_type = _org_type_from_words(cell["org_type"])
            if org_type is None:
                problem(
                    "unknown_org_type",
                    _l("Unknown organization type “%(value)s”.", value=cell["org_type"]),
                )

        website = ""
        # "n/a", "aucun"...: short words that mean no website (long values are addresses).
        if len(cell["website"]) > 8 or _value_key(cell["website"]) not in _EMPTY_WEBSITES:
            try:
                website = normalize_website(cell["website"])
            except ValueError:
                problem(
                    "invalid_website",
                    _l("“%(value)s” is not a website address.", value=cell["website"]),
                )
            if len(website) > MAX_LENGTHS["website"]:
                problem(
                    "too_long",
                    _l(
                        "The %(field)s is longer than %(max)d characters.",
                        field=FIELD_LABELS["website"],
                        max=MAX_LENGTHS["website"],
                    ),
                )

        answers = {}
        for name in ("by_and_for", "consent_public"):
            answers[name] = _answer(cell[name])
            if answers[name] is None:
                problem(
                    "unclear_answer",
                    _l(
                        "The answer “%(value)s” about %(field)s is neither yes nor no.",
                        value=cell[name],
                        field=FIELD_LABELS[name],
                    ),
                )

        locale = _LANGUAGES.get(_first_word(cell["language"]))
        if locale is None:
            # No usable language column: answers in French ("Oui", "Non") say enough.
            answered = {_first_word(cell[n]) for n in answers}
            locale = "fr" if answered & _FRENCH_ANSWERS else "en"

        given_at = self.dates.read(cell["timestamp"])
        if cell["timestamp"] and given_at is None:
            notes.append(
                _l(
                    "The time “%(value)s” is not readable: the consent is dated at the import.",
                    value=cell["timestamp"],
                )
            )

        values = {
            "email": email,
            "email_canonical": email_key,
            "locale": locale,
            "org_name": cell["org_name"],
            "org_name_fr": cell["org_name_fr"],
            "name": cell["name"],
            "title": cell["title"],
            "province": province,
            "city": cell["city"],
            "website": website,
            "org_type": org_type,
            "by_and_for": bool(answers["by_and_for"]),
            "about": cell["about"],
        }
        return values, bool(answers["consent_public"]), given_at, problems, notes


def _existing_groups(platform: Platform) -> dict[tuple[str, str], int]:
    """Return the duplicate keys of the platform's organization endorsements, to their ids."""
    keys: dict[tuple[str, str], int] = {}
    rows = db.session.execute(
        select(
            Endorsement.id, Endorsement.email_canonical, Endorsement.org_name, Endorsement.website
        ).where(
            Endorsement.platform_id == platform.id,
            Endorsement.kind == EndorsementKind.ORGANIZATION,
        )
    )
    for endorsement_id, email_key, org_name, website in rows:
        for key in _keys(email_key, org_name, website):
            keys.setdefault(key, endorsement_id)
    return keys


def _merge(candidate: _Candidate, values: dict, consent_public: bool, given_at) -> None:
    """Fold a later duplicate row into a candidate: fill blanks, keep the latest consent."""
    for name, value in values.items():
        if name in ("email", "email_canonical", "locale", "by_and_for"):
            continue
        if value and not candidate.values.get(name):
            candidate.values[name] = value
    if consent_public != candidate.consent_public:
        candidate.consent_public = consent_public
        candidate.given_at = given_at
    candidate.sources += 1


def _flags(candidate: _Candidate) -> set[str]:
    values = candidate.values
    flags = set()
    if any(_FORMULA.match(values[name]) for name in TEXT_FIELDS if values.get(name)):
        flags.add(FORMULA_CELL)
    if not candidate.consent_public:
        flags.add(NO_LISTING_CONSENT)
    if len(values["about"]) > ABOUT_MAX:
        flags.add(LONG_ABOUT)
    return flags


def import_endorsements(
    platform: Platform,
    stream: io.TextIOBase | Iterable[str] | str,
    *,
    mapping: ColumnMapping | None = None,
    approve: bool = False,
    dry_run: bool = False,
    encoding: str = "utf-8",
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import a CSV sign-on list into `platform`; report each row's outcome (flush only).

    `stream` is CSV text (a string or a text stream). Raises ImportFileError for a file that
    cannot be imported at all. With `dry_run`, nothing is written. `progress(done, total)` is
    called as rows are checked and then stored.
    """
    now = now or utcnow()
    mapping = mapping or ColumnMapping.default()
    text = stream if isinstance(stream, str) else "".join(stream)
    parsed = parse(text, mapping)
    total = 2 * len(parsed.rows)
    report = ImportReport(platform_slug=platform.slug, dry_run=dry_run, encoding=encoding)
    reader = _RowReader(parsed, mapping, ZoneInfo(current_app.config["TIMEZONE"]))
    existing = _existing_groups(platform)
    groups: dict[tuple[str, str], _Group] = {}
    candidates: list[_Candidate] = []

    for index, (row, record) in enumerate(parsed.rows):
        values, consent_public, given_at, problems, notes = reader.read(record)
        result = RowResult(row=row, outcome=Outcome.REJECTED, org_name=values["org_name"])
        result.notes = notes
        report.results.append(result)
        if problems:
            result.problems = problems
            continue
        keys = _keys(values["email_canonical"], values["org_name"], values["website"])
        seen = next(((kind, groups[(kind, k)]) for kind, k in keys if (kind, k) in groups), None)
        if seen is not None:
            match, group = seen
            result.outcome = Outcome.MERGED
            result.merged_into = group.first_row
            result.match = match
            if group.candidate is not None:
                _merge(group.candidate, values, consent_public, given_at)
        else:
            group = _Group(first_row=row)
            known = next((existing[key] for key in keys if key in existing), None)
            if known is not None:
                result.outcome = Outcome.UNCHANGED
                result.existing_id = known
                group.existing_id = known
            else:
                result.outcome = Outcome.IMPORTED
                group.candidate = _Candidate(result, values, consent_public, given_at)
                candidates.append(group.candidate)
        for key in keys:
            groups.setdefault(key, group)
        if progress and (index + 1) % CHUNK == 0:
            progress(index + 1, total)

    for candidate in candidates:
        candidate.result.flags = _flags(candidate)
        listed = candidate.consent_public
        candidate.result.status = (
            EndorsementStatus.APPROVED if approve and listed else EndorsementStatus.PENDING_REVIEW
        )
    done = total - sum(c.sources for c in candidates)
    if progress:
        progress(done, total)
    if dry_run:
        if progress:
            progress(total, total)
        return report

    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        _store(platform, chunk, now)
        done += sum(c.sources for c in chunk)
        if progress:
            progress(done, total)
    return report


def _public_keys(values: dict) -> dict[str, str]:
    # naming.refresh_keys is THE rule for search and sort keys; it reads only these fields,
    # so a plain stand-in spares building 100,000 ORM objects.
    keys = ("search_key", "sort_key_en", "sort_key_fr", "name_key", "website_host")
    view = SimpleNamespace(
        display_name="",
        is_organization=True,
        org_name=values["org_name"],
        org_name_fr=values["org_name_fr"],
        website=values["website"],
        **dict.fromkeys(keys, ""),
    )
    naming.refresh_keys(view)  # type: ignore[arg-type]
    return {key: getattr(view, key) for key in keys}


def _store(platform: Platform, chunk: list[_Candidate], now: datetime) -> None:
    """Insert a chunk of new endorsements and their consents in two bulk statements."""
    rows = []
    for candidate in chunk:
        values = dict(candidate.values)
        about = values.pop("about")
        status = candidate.result.status
        rows.append(
            {
                **values,
                **_public_keys(values),
                "platform_id": platform.id,
                "kind": EndorsementKind.ORGANIZATION,
                "status": status,
                "platform_version": platform.version_label,
                "about_en": about if values["locale"] == "en" else "",
                "about_fr": about if values["locale"] == "fr" else "",
                "flags": " ".join(sorted(candidate.result.flags)),
                "source": SOURCE,
                "created_at": now,
                "updated_at": now,
                "reviewed_at": now if status == EndorsementStatus.APPROVED else None,
                "approved_at": now if status == EndorsementStatus.APPROVED else None,
            }
        )
    # Plain executemany (no RETURNING: on SQLite that would insert row by row), then the new
    # ids by the unique (platform, kind, email) key.
    db.session.execute(insert(Endorsement.__table__), rows)
    by_email = dict(
        db.session.execute(
            select(Endorsement.email_canonical, Endorsement.id).where(
                Endorsement.platform_id == platform.id,
                Endorsement.kind == EndorsementKind.ORGANIZATION,
                Endorsement.email_canonical.in_([r["email_canonical"] for r in rows]),
            )
        ).all()
    )
    wordings = {}
    for locale in LANGUAGES:
        with force_locale(locale):
            wordings[locale] = str(consents.IMPORTED.text)
    consent_rows = [
        {
            "endorsement_id": by_email[candidate.values["email_canonical"]],
            "purpose": ConsentPurpose.PUBLIC_LISTING,
            "wording_version": consents.IMPORTED.version,
            "wording": wordings[candidate.values["locale"]],
            "locale": candidate.values["locale"],
            "given_at": candidate.given_at or now,
        }
        for candidate in chunk
        if candidate.consent_public
    ]
    if consent_rows:
        db.session.execute(insert(Consent.__table__), consent_rows)


def import_upload(
    platform: Platform, data: bytes, *, approve: bool, dry_run: bool, actor
) -> ImportReport:
    """Import an uploaded file for an admin; a real import is audited with its counts."""
    from .. import audit

    text, encoding = decode(data)
    report = import_endorsements(
        platform, text, approve=approve, dry_run=dry_run, encoding=encoding
    )
    if not dry_run:
        audit.record(
            "endorsement.import",
            actor=actor,
            target_type="platform",
            target_id=platform.id,
            platform_id=platform.id,
            details={
                **{outcome.value: count for outcome, count in report.counts().items()},
                "approved": approve,
            },
        )
    return report

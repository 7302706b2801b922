"""One row into endorsement values, or the problems that reject it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask_babel import LazyString

from ...forms import normalize_website
from ...i18n import _l
from .. import naming
from ..signon import canonical_email
from .fields import (
    _CONTROL,
    _EMPTY_WEBSITES,
    _FRENCH_ANSWERS,
    _LANGUAGES,
    _SLASH_DATE,
    FIELD_LABELS,
    FIELDS,
    MAX_LENGTHS,
    TEXT_FIELDS,
    _first_word,
    _value_key,
)
from .mapping import ColumnMapping
from .reading import ParsedFile
from .report import Problem, RowResult
from .values import _answer, _org_type_from_words


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

"""CSV and JSON downloads of endorsers: streamed in chunks, safe to open in a spreadsheet.

Files are produced as they are sent, a few hundred rows at a time, so 100,000 rows use the
same memory as 1,000 (measured in `bench/exports.py`). CSV files are UTF-8 with a byte-order
mark, so spreadsheet software shows accents correctly, and any cell that a spreadsheet would
run as a formula is neutralized.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import force_locale, get_locale, get_timezone
from sqlalchemy import Enum, Row, String, bindparam, select, type_coerce

from ..db_types import UTCDateTime, utcnow
from ..endorsements.importing import FLAG_LABELS as IMPORT_FLAG_LABELS
from ..endorsements.labels import (
    CONSENT_LABELS,
    DISPLAY_MODE_LABELS,
    KIND_LABELS,
    LOCALE_LABELS,
    ORG_TYPE_LABELS,
    PROVINCE_LABELS,
    SIGNON_FLAG_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
)
from ..endorsements.models import Consent, Endorsement, EndorsementKind
from ..endorsements.naming import public_name
from ..extensions import db
from ..i18n import _, _l
from ..platforms.models import Platform
from ..platforms.services import localized
from . import services
from .services import Filters

BOM = "\ufeff"
# A spreadsheet treats a cell starting with one of these as a formula (or may, after a tab or
# carriage return): "=HYPERLINK(...)" in an organization's name must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500
ADMIN_BATCH = 2000

PUBLIC_COLUMNS = [
    _l("Name"),
    _l("Kind"),
    _l("Type of organization"),
    _l("Run by and for people who use drugs"),
    _l("Title or affiliation"),
    _l("City"),
    _l("Province or territory"),
    _l("Website"),
    _l("Description"),
    _l("Language of the description"),
    _l("Contact person"),
    _l("Contact person's title"),
    _l("Endorsed on"),
]

ADMIN_COLUMNS = [
    _l("Reference"),
    _l("Status"),
    _l("Kind"),
    _l("Public name (English)"),
    _l("Public name (French)"),
    _l("Organization name"),
    _l("Organization name in French"),
    _l("Type of organization"),
    _l("Run by and for people who use drugs"),
    _l("Website"),
    _l("Description (English)"),
    _l("Description (French)"),
    _l("Contact person listed publicly"),
    _l("Name of signer or contact person"),
    _l("Title or affiliation"),
    _l("Email"),
    _l("Language"),
    _l("Province or territory"),
    _l("City"),
    _l("How they appear"),
    _l("Description of the person"),
    _l("Name set by a moderator"),
    _l("Platform version"),
    _l("Source"),
    _l("Flags"),
    _l("Consents"),
    _l("Signed on"),
    _l("Email confirmed"),
    _l("Reviewed"),
    _l("Approved"),
    _l("Withdrawn"),
    _l("Review reason"),
]
FLAG_LABELS = {**SIGNON_FLAG_LABELS, **IMPORT_FLAG_LABELS}
# The same values as codes, for a program reading the file: these headings never change.
ADMIN_CODE_COLUMNS = [
    "status_code",
    "kind_code",
    "org_type_code",
    "locale_code",
    "province_code",
    "display_mode_code",
    "source_code",
    "flag_codes",
]


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def neutralize(value) -> str:
    """Return a cell's text, prefixed with ' if a spreadsheet would run it as a formula."""
    # Called for every cell of 100,000-row files: the common case (a str) takes one test.
    if value.__class__ is not str:
        value = "" if value is None else str(value)
    return "'" + value if value[:1] in _FORMULA_FIRST else value


# French-Canadian spreadsheets (Excel set to fr-CA) split a line at ";": "," is their decimal
# separator. Each file uses its language's.
DELIMITERS = {"en": ",", "fr": ";"}


def csv_stream(
    header: Sequence,
    rows: Iterable[Sequence],
    rows_per_chunk: int = ROWS_PER_CHUNK,
    delimiter: str = ",",
) -> Iterator[str]:
    """Yield a CSV file in chunks: byte-order mark and header first, every cell neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter)
    buffer.write(BOM)
    writer.writerow([neutralize(cell) for cell in header])
    pending = 0
    first = _FORMULA_FIRST
    for row in rows:
        # neutralize(), inlined for text cells: this runs for millions of cells.
        writer.writerow(
            [
                ("'" + cell if cell[:1] in first else cell)
                if cell.__class__ is str
                else neutralize(cell)
                for cell in row
            ]
        )
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def _public_row(entry: services.PublicEntry, yes_no: dict) -> list:
    return [
        entry.name,
        entry.kind_label,
        entry.org_type_label,
        yes_no[entry.by_and_for],
        entry.title,
        entry.city,
        entry.province_label,
        entry.website,
        entry.about,
        entry.about_lang or "",
        entry.contact_name,
        entry.contact_title,
        entry.endorsed_on.isoformat() if entry.endorsed_on else "",
    ]


def _listed_entries(platform: Platform, filters: Filters, lang: str):
    if not services.endorsers_published(platform):
        return
    labels = services.labels_for(lang)
    for endorsement in services.iter_listed(platform, filters, lang):
        yield services.public_entry(endorsement, lang, labels)


def public_csv(platform: Platform, filters: Filters, lang: str) -> Iterator[str]:
    """Yield, as CSV in `lang`, exactly what the public list shows for `filters`."""
    with force_locale(lang):
        header = [str(column) for column in PUBLIC_COLUMNS]
        yes_no = {True: _("Yes"), False: _("No"), None: ""}
    rows = (_public_row(entry, yes_no) for entry in _listed_entries(platform, filters, lang))
    return csv_stream(header, rows, delimiter=DELIMITERS[lang])


def public_json(platform: Platform, filters: Filters, lang: str) -> Iterator[str]:
    """Yield, as JSON in `lang`, exactly what the public list shows for `filters`."""
    published = services.endorsers_published(platform)
    head = {
        "platform": platform.slug,
        "title": localized(platform, "title", lang).value,
        "lang": lang,
        "published": published,
        "publishes_at": None if published else platform.launch_at.isoformat(),
        "filters": filters.query_args(),
        "generated_at": utcnow().isoformat(timespec="seconds"),
    }
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "endorsers": ['
    return _json_array(opening, (e.as_json() for e in _listed_entries(platform, filters, lang)))


def _json_array(opening: str, items: Iterable[dict]) -> Iterator[str]:
    chunk = [opening]
    first = True
    for n, item in enumerate(items, 1):
        chunk.append(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False))
        first = False
        if n % ROWS_PER_CHUNK == 0:
            yield "".join(chunk)
            chunk = []
    chunk.append("\n]}\n")
    yield "".join(chunk)


def _fast_timezone(timezone: tzinfo) -> tzinfo:
    """Return the same time zone as a `zoneinfo` one, which converts in C (pytz in Python)."""
    try:
        return ZoneInfo(str(timezone))
    except (ValueError, ZoneInfoNotFoundError):
        return timezone


class _LocalTimes:
    """Format UTC moments as local "YYYY-MM-DD HH:MM", converting each hour only once.

    Takes what the database gives when read without the column type: an aware datetime
    (PostgreSQL) or SQLAlchemy's text form "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (SQLite).
    An export holds hundreds of thousands of moments but a few thousand distinct hours, and
    a time zone's offset only changes on the hour, so each hour's local "YYYY-MM-DD HH" is
    worked out once and the minutes appended. Zones a half hour off UTC, and hours in which
    the offset changes, take the slower exact way.
    """

    def __init__(self, timezone: tzinfo):
        self.timezone = timezone
        # UTC hour -> (local "YYYY-MM-DD HH" prefix or None, local start of the hour or None)
        self.hours: dict = {}

    def __call__(self, value: datetime | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            key, minutes = value[:13], value[13:16]  # "2026-03-08 21", ":05"
        else:
            if value.utcoffset():
                value = value.astimezone(UTC)
            key, minutes = (value.year, value.month, value.day, value.hour), _MINUTE[value.minute]
        hour = self.hours.get(key)
        if hour is None:
            hour = self.hours[key] = self._hour(key)
        prefix, start = hour
        if prefix is not None:
            return prefix + minutes
        if start is not None:
            return (start + _MINUTES[int(minutes[1:])]).isoformat(sep=" ", timespec="minutes")
        local = self._utc(key, int(minutes[1:])).astimezone(self.timezone)
        return local.isoformat(sep=" ", timespec="minutes")[:16]

    def _utc(self, key, minute: int = 0) -> datetime:
        if isinstance(key, str):
            return datetime.fromisoformat(f"{key}:{minute:02d}").replace(tzinfo=UTC)
        return datetime(*key, minute, tzinfo=UTC)

    def _hour(self, key) -> tuple[str | None, datetime | None]:
        first = self._utc(key).astimezone(self.timezone)
        if self._utc(key, 59).astimezone(self.timezone).utcoffset() != first.utcoffset():
            return None, None
        if first.minute == 0:
            return first.strftime("%Y-%m-%d %H"), None
        return None, first.replace(tzinfo=None)


_MINUTE = [f":{minute:02d}" for minute in range(60)]
_MINUTES = [timedelta(minutes=minute) for minute in range(60)]


class _AdminWords:
    """Labels, yes/no and the time zone of the admin export, looked up once per file.

    The label dictionaries are keyed by StrEnum members, which also match the plain strings
    the export reads from the database.
    """

    def __init__(self):
        self.statuses = {k: str(v) for k, v in STATUS_LABELS.items()}
        self.kinds = {k: str(v) for k, v in KIND_LABELS.items()}
        self.org_types = {k: str(v) for k, v in ORG_TYPE_LABELS.items()}
        self.provinces = {k: str(v) for k, v in PROVINCE_LABELS.items()}
        self.display_modes = {k: str(v) for k, v in DISPLAY_MODE_LABELS.items()}
        self.purposes = {k: str(v) for k, v in CONSENT_LABELS.items()}
        self.sources = {k: str(v) for k, v in SOURCE_LABELS.items()}
        self.locales = {k: str(v) for k, v in LOCALE_LABELS.items()}
        self.flag_names = {k: str(v) for k, v in FLAG_LABELS.items()}
        self.yes_no = {True: _("Yes"), False: _("No")}
        self.when = _LocalTimes(_fast_timezone(get_timezone()))
        # Translated once, filled in per row.
        self.given = _("%(purpose)s (%(version)s) given %(given)s")
        self.withdrawn = _("withdrawn %(when)s")
        # (purpose, version) -> the text before and after the moment it was given.
        self._given_parts: dict[tuple[str, str], tuple[str, str]] = {}

    def consents(self, records: Iterable[Row]) -> str:
        parts = []
        for _id, purpose, version, given_at, withdrawn_at in records:
            around = self._given_parts.get((purpose, version))
            if around is None:
                named = self.purposes.get(purpose, purpose)
                text = self.given % {"purpose": named, "version": version, "given": "\0"}
                around = self._given_parts[(purpose, version)] = tuple(text.split("\0", 1))
            text = around[0] + self.when(given_at) + around[1]
            if withdrawn_at:
                text += ", " + self.withdrawn % {"when": self.when(withdrawn_at)}
            parts.append(text)
        return "; ".join(parts)

    def flags(self, codes: str) -> str:
        return "; ".join(self.flag_names.get(code, code) for code in codes.split())


def _raw(column, name: str | None = None):
    """Read a column as the database gives it, without its type's conversion per value.

    For the export's enums (plain strings, which the label dictionaries accept) and times
    (formatted by _LocalTimes): converting each of them cost more than writing the file.
    """
    return type_coerce(column, String).label(name or column.key)


def admin_csv_header() -> list[str]:
    """Return the admin export's column names in the current language, then the code columns."""
    return [str(column) for column in ADMIN_COLUMNS] + ADMIN_CODE_COLUMNS


_ADMIN_COLUMN_NAMES = [
    "id",
    "status",
    "kind",
    "display_name",
    "org_name",
    "org_name_fr",
    "org_type",
    "by_and_for",
    "website",
    "about_en",
    "about_fr",
    "contact_public",
    "name",
    "title",
    "email",
    "locale",
    "province",
    "city",
    "display_mode",
    "descriptor",
    "platform_version",
    "source",
    "flags",
    "created_at",
    "confirmed_at",
    "reviewed_at",
    "approved_at",
    "withdrawn_at",
    "review_reason",
]
# What the admin export reads of each endorsement: plain values, no ORM objects (loading
# 100,000 of those, with their consents, took most of a minute). `is_organization` lets
# `public_name` read a row as it reads an Endorsement.
_RAW_TYPES = (UTCDateTime, Enum)
_ADMIN_FIELDS = (
    *(
        _raw(column) if isinstance(column.type, _RAW_TYPES) else column
        for column in (Endorsement.__table__.c[name] for name in _ADMIN_COLUMN_NAMES)
    ),
    (Endorsement.kind == EndorsementKind.ORGANIZATION).label("is_organization"),
)


def admin_csv_rows(platform: Platform) -> Iterator[list]:
    """Yield one row per endorsement of `platform`, any status, with contact details.

    For coalition staff only: it holds email addresses. Rows are read as plain values a batch
    at a time, each batch with one query for its consents, so memory stays flat however many
    there are (measured in bench/run.py).
    """
    words = _AdminWords()
    # One query, read a batch at a time (a server-side cursor on PostgreSQL): a batch query
    # per 1,000 ids made SQLite sort the platform's whole index again for every batch.
    query = (
        select(*_ADMIN_FIELDS)
        .where(Endorsement.platform_id == platform.id)
        .order_by(Endorsement.id)
        .execution_options(yield_per=ADMIN_BATCH)
    )
    # Core results, not the ORM's: plain rows, without the ORM's per-row bookkeeping.
    connection = db.session.connection()
    consent_query = (
        select(
            Consent.endorsement_id,
            _raw(Consent.purpose),
            Consent.wording_version,
            _raw(Consent.given_at),
            _raw(Consent.withdrawn_at),
        )
        .join(Endorsement)
        .where(
            Endorsement.platform_id == platform.id,
            # Both sides, so each side is read by its index over the range alone.
            Endorsement.id.between(bindparam("first_id"), bindparam("last_id")),
            Consent.endorsement_id.between(bindparam("first_id"), bindparam("last_id")),
        )
        .order_by(Consent.endorsement_id, Consent.id)
    )
    for batch in connection.execute(query).partitions():
        consents: dict[int, list[Row]] = {}
        # The batch is a run of ids in order: its consents are those in that range.
        bounds = {"first_id": batch[0].id, "last_id": batch[-1].id}
        for record in connection.execute(consent_query, bounds).all():
            consents.setdefault(record[0], []).append(record)
        for row in batch:
            yield _admin_row(row, consents.get(row.id, ()), words)


def _admin_row(e: Row, consents: Iterable[Row], words: _AdminWords) -> list:
    # Unpacked by position: 30 attribute look-ups on a Row per line cost a fifth of the export.
    (
        ref, status, kind, display_name, org_name, org_name_fr, org_type, by_and_for, website,
        about_en, about_fr, contact_public, name, title, email, locale, province, city,
        display_mode, descriptor, platform_version, source, flags, created_at, confirmed_at,
        reviewed_at, approved_at, withdrawn_at, review_reason, organization,
    ) = e  # fmt: skip
    when = words.when
    return [
        ref,
        words.statuses[status],
        words.kinds[kind],
        public_name(e, "en"),  # type: ignore[arg-type]  (a row with the fields it reads)
        public_name(e, "fr"),  # type: ignore[arg-type]
        org_name,
        org_name_fr,
        words.org_types[org_type] if org_type else "",
        words.yes_no[by_and_for] if organization else "",
        website,
        about_en,
        about_fr,
        words.yes_no[contact_public] if organization else "",
        name,
        title,
        email,
        words.locales.get(locale, locale),
        words.provinces[province],
        city,
        words.display_modes[display_mode] if display_mode else "",
        descriptor,
        display_name,
        platform_version,
        words.sources.get(source, source),
        words.flags(flags) if flags else "",
        words.consents(consents),
        when(created_at),
        when(confirmed_at),
        when(reviewed_at),
        when(approved_at),
        when(withdrawn_at),
        review_reason,
        status,
        kind,
        org_type or "",
        locale,
        province,
        display_mode or "",
        source,
        flags,
    ]


def admin_csv(platform: Platform) -> Iterator[str]:
    """Yield the admin export of every endorsement of `platform` as CSV, in the current
    language (the admin route streams it and records the download in the audit log)."""
    delimiter = DELIMITERS.get(str(get_locale() or "en")[:2], ",")
    return csv_stream(admin_csv_header(), admin_csv_rows(platform), delimiter=delimiter)

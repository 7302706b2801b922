"""The import itself: merging duplicates, flagging, and storing in bulk."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import insert, select

from ... import audit
from ...db_types import utcnow
from ...extensions import db
from ...i18n import LANGUAGES
from ...platforms.models import Platform
from .. import consents, naming
from ..forms import ABOUT_MAX
from ..models import (
    Consent,
    ConsentPurpose,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
)
from .fields import (
    _FORMULA,
    CHUNK,
    FORMULA_CELL,
    LONG_ABOUT,
    NO_LISTING_CONSENT,
    SOURCE,
    TEXT_FIELDS,
)
from .mapping import ColumnMapping
from .reading import decode, parse
from .report import ImportReport, Outcome, RowResult
from .rows import _Candidate, _Group, _keys, _RowReader


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

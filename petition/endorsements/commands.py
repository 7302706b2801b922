"""`flask petition import-endorsements` and `send-listing-confirmations`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..platforms.models import Platform
from . import importing, listing
from .models import Endorsement

# Rows listed one by one in the report; beyond this, imported and unchanged rows are counted
# (merged and rejected rows are always listed: they are what an operator must check).
DETAIL_LIMIT = 200
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _printable(text: str, width: int = 70) -> str:
    # A cell could carry terminal escape sequences: show them, never run them.
    text = _UNPRINTABLE.sub("?", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _platform(slug: str) -> Platform:
    platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
    if platform is None:
        raise click.BadParameter(f"no platform with the slug {slug!r}", param_hint="--platform")
    return platform


def _describe(result: importing.RowResult) -> str:
    name = _printable(result.org_name) or "(no name)"
    line = f"  row {result.row}: {name}"
    if result.outcome == importing.Outcome.REJECTED:
        return f"{line}: " + " ".join(str(p) for p in result.problems)
    if result.outcome == importing.Outcome.MERGED:
        why = "same email address" if result.match == "email" else "same name and website"
        return f"{line}: merged into row {result.merged_into} ({why})"
    if result.outcome == importing.Outcome.UNCHANGED:
        return f"{line}: already on the platform (endorsement {result.existing_id}), unchanged"
    status = "approved" if result.status == "approved" else "pending review"
    flags = ", ".join(str(importing.FLAG_LABELS[f]) for f in sorted(result.flags))
    return f"{line}: {status}" + (f"; flagged: {flags}" if flags else "")


def report_lines(report: importing.ImportReport, verbose: bool = False) -> list[str]:
    """Return the import report as terminal lines: counts, then each row that needs a look."""
    counts = report.counts()
    imported, merged, rejected = (
        ("to import", "to merge", "to reject")
        if report.dry_run
        else ("imported", "merged", "rejected")
    )
    lines = [
        f"{report.rows} rows read from the file ({report.encoding}) for platform "
        f"{report.platform_slug}.",
        f"  {counts[importing.Outcome.IMPORTED]} {imported}",
        f"  {counts[importing.Outcome.MERGED]} {merged} into an earlier row of the file",
        f"  {counts[importing.Outcome.UNCHANGED]} already on the platform: unchanged",
        f"  {counts[importing.Outcome.REJECTED]} {rejected}",
    ]
    new = report.of(importing.Outcome.IMPORTED)
    unlisted = sum(1 for r in new if importing.NO_LISTING_CONSENT in r.flags)
    if unlisted:
        lines.append(
            f"  ({unlisted} of the imported did not agree to be listed: they are kept, never shown)"
        )
    headings = {
        importing.Outcome.REJECTED: "Rejected rows (fix them in the file and import it again):",
        importing.Outcome.MERGED: "Merged rows:",
        importing.Outcome.IMPORTED: "Imported rows:",
        importing.Outcome.UNCHANGED: "Unchanged rows:",
    }
    for outcome, heading in headings.items():
        results = report.of(outcome)
        if not results:
            continue
        lines += ["", heading]
        always = outcome in (importing.Outcome.REJECTED, importing.Outcome.MERGED)
        shown = results if always or verbose else results[:DETAIL_LIMIT]
        lines += [_describe(r) for r in shown]
        if len(shown) < len(results):
            lines.append(f"  ... and {len(results) - len(shown)} more (--verbose lists them).")
    notes = [(r.row, n) for r in report.results for n in r.notes]
    if notes:
        lines += ["", "Notes:"]
        lines += [f"  row {row}: {_printable(str(note), 200)}" for row, note in notes]
    lines.append("")
    lines.append("Dry run: nothing was written." if report.dry_run else "The import is saved.")
    return lines


@click.command("import-endorsements")
@with_appcontext
@click.option("--platform", "slug", required=True, help="Slug of the platform endorsed.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
@click.option(
    "--approve",
    is_flag=True,
    help="Approve the rows that agreed to be listed (only for a list already vetted).",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file naming the column that holds each field.",
)
@click.option("--encoding", help="The file's encoding, if not UTF-8 or Windows-1252.")
@click.option("--verbose", is_flag=True, help="List every row in the report.")
def import_endorsements_command(
    slug: str,
    file: Path,
    dry_run: bool,
    approve: bool,
    mapping: Path | None,
    encoding: str | None,
    verbose: bool,
):
    """Import organizations that endorsed through an earlier form, from its CSV export FILE.

    Nobody is emailed: see send-listing-confirmations.
    """
    platform = _platform(slug)
    with force_locale("en"):
        try:
            column_mapping = (
                importing.load_mapping(mapping.read_text(encoding="utf-8")) if mapping else None
            )
        except (importing.MappingError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{mapping}: {exc}") from exc
        try:
            text, used = importing.decode(file.read_bytes(), encoding)
            with click.progressbar(
                length=1, label="Importing", file=sys.stderr, show_percent=True
            ) as bar:

                def progress(done: int, total: int) -> None:
                    bar.length = total
                    bar.update(done - bar.pos)

                report = importing.import_endorsements(
                    platform,
                    text,
                    mapping=column_mapping,
                    approve=approve,
                    dry_run=dry_run,
                    encoding=used,
                    progress=progress,
                )
        except importing.ImportFileError as exc:
            db.session.rollback()
            raise click.ClickException(f"{file}: {exc.message} Nothing was imported.") from exc
        if dry_run:
            db.session.rollback()
        else:
            try:
                db.session.commit()
            except IntegrityError as exc:
                # Someone signed on through the form between our look-up and our insert.
                db.session.rollback()
                raise click.ClickException(
                    "An endorsement was added while the import ran. Nothing was imported: "
                    "run the same command again."
                ) from exc
        for line in report_lines(report, verbose):
            click.echo(line)


@click.command("send-listing-confirmations")
@with_appcontext
@click.option("--platform", "slug", required=True, help="Slug of the platform endorsed.")
@click.option("--dry-run", is_flag=True, help="Count who would be emailed; send nothing.")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1, 5000))
def send_listing_confirmations_command(slug: str, dry_run: bool, batch_size: int):
    """Email imported endorsers once, in their language, to confirm their listing."""
    platform = _platform(slug)
    due = listing.confirmations_due(platform)
    if dry_run:
        click.echo(f"{len(due)} imported endorsers would be asked to confirm their listing.")
        return
    queued = capped = 0
    with click.progressbar(length=len(due), label="Queuing", file=sys.stderr) as bar:
        for start in range(0, len(due), batch_size):
            ids = due[start : start + batch_size]
            batch = db.session.scalars(select(Endorsement).where(Endorsement.id.in_(ids)))
            for endorsement in batch:
                if listing.send_listing_confirmation(endorsement):
                    queued += 1
                else:
                    capped += 1
            # Each email and the mark that it went out are saved together, batch by batch:
            # an interrupted run resumes where it stopped and emails nobody twice.
            db.session.commit()
            bar.update(len(ids))
    click.echo(f"{queued} listing confirmations queued; the relay delivers them.")
    if capped:
        click.echo(
            f"{capped} addresses already had their emails for today "
            "(EMAILS_PER_ADDRESS_PER_DAY): run the command again tomorrow for them."
        )

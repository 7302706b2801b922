"""`flask petition purge` (scheduled retention) and `flask petition erase` (one person)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import ratelimit
from ..endorsements.signon import canonical_email
from ..extensions import db
from ..platforms.models import Platform
from . import retention, services


@click.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Count what would be deleted or anonymized.")
@click.option(
    "--batch-size",
    default=retention.DEFAULT_BATCH_SIZE,
    show_default=True,
    type=click.IntRange(1, 10000),
    help="Endorsements handled (and committed) at a time.",
)
def purge_command(dry_run: bool, batch_size: int):
    """Delete expired unconfirmed endorsements; anonymize old withdrawn and rejected ones.

    Safe to run from cron and to interrupt: each batch is saved as it completes.
    """
    report = retention.purge(batch_size=batch_size, dry_run=dry_run)
    if dry_run:
        click.echo("Dry run: nothing was changed. A real run would:")
    click.echo(f"  delete {report.unverified_deleted} unconfirmed endorsements")
    click.echo(f"  anonymize {report.withdrawn_anonymized} withdrawn endorsements")
    click.echo(f"  anonymize {report.rejected_anonymized} rejected endorsements")
    if not dry_run:
        click.echo(f"  delete {report.messages_deleted} emails sent to them")
        retention.record_run(report)
        db.session.commit()
        # Counters under keyed IP hashes, of windows that are over (the app deletes them as it
        # goes; this covers a quiet site). After the commit: on SQLite this is a transaction
        # of its own, which must not wait for the write lock the session held.
        click.echo(f"  delete {ratelimit.delete_expired()} expired rate-limit counters")
        click.echo(f"Done in {report.batches} batches.")


@click.command("erase")
@with_appcontext
@click.option("--email", "address", required=True, help="The person's email address.")
@click.option("--platform", "slug", help="Only this platform's endorsement (default: all).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(address: str, slug: str | None, yes: bool):
    """Erase everything stored about the endorsements of one email address, on request."""
    platform = None
    if slug:
        platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
        if platform is None:
            raise click.BadParameter(f"no platform with the slug {slug!r}", param_hint="--platform")
    canonical = canonical_email(address)
    if not canonical or "@" not in canonical:
        raise click.BadParameter("not an email address", param_hint="--email")
    if not yes:
        scope = f"on platform {slug}" if slug else "on every platform"
        click.confirm(
            f"Erase the endorsements of {canonical} {scope}? This cannot be undone", abort=True
        )
    erased, leftover = services.erase_address(canonical, "cli", platform)
    db.session.commit()
    if not erased:
        click.echo(
            f"No endorsement uses this address {'on ' + slug if slug else ''}".rstrip() + "."
        )
    for item in erased:
        click.echo(
            f"Erased endorsement {item.endorsement_id} ({item.kind}, platform "
            f"{item.platform_slug}): was {item.previous_status.value}, now {item.status.value}; "
            f"{item.tokens_deleted} links and {item.messages_deleted} emails deleted."
        )
    if leftover:
        click.echo(f"{leftover} other emails to this address deleted.")

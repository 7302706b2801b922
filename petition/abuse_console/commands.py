"""`flask petition block|allow|not-disposable|unlist|lists|invalidate`: the console's
operations from a shell, for incident response when the admin pages are slow to reach.

Every change is audited (actor "cli"). IP entries take an address (hashed at once, never
kept) or a fingerprint as the console shows it.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from wtforms.validators import ValidationError

from .. import screening
from ..extensions import db
from ..platforms.models import Platform
from ..screening import ScreeningEntry, ScreeningKind, ScreeningList
from ..screening.services import shown_value
from . import invalidation
from .forms import parse_local

KIND = click.Choice([k.value for k in ScreeningKind])


def _add(list_: ScreeningList, kind: str, value: str, note: str) -> None:
    try:
        entry = screening.add_entry(list_, ScreeningKind(kind), value, note=note)
    except screening.InvalidEntry as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Added to {list_.value}: {kind} {shown_value(entry)}")


@click.command("block")
@with_appcontext
@click.argument("kind", type=KIND)
@click.argument("value")
@click.option("--note", default="", help="Why (shown on the console and in the audit log).")
def block_command(kind: str, value: str, note: str):
    """Block sign-ons from a domain (and subdomains), an IP or fingerprint, or an address."""
    _add(ScreeningList.BLOCK, kind, value, note)


@click.command("allow")
@with_appcontext
@click.argument("kind", type=KIND)
@click.argument("value")
@click.option("--note", default="", help="Who this is (a partner, a shared office).")
def allow_command(kind: str, value: str, note: str):
    """Exempt a domain, an IP or fingerprint, or an address from the sign-on rate limit."""
    _add(ScreeningList.ALLOW, kind, value, note)


@click.command("not-disposable")
@with_appcontext
@click.argument("domain")
@click.option("--note", default="")
def not_disposable_command(domain: str, note: str):
    """Accept addresses at DOMAIN although the disposable-domain list names it."""
    _add(ScreeningList.DISPOSABLE_OK, ScreeningKind.DOMAIN.value, domain, note)


@click.command("unlist")
@with_appcontext
@click.argument("list_name", type=click.Choice([item.value for item in ScreeningList]))
@click.argument("kind", type=KIND)
@click.argument("value")
def unlist_command(list_name: str, kind: str, value: str):
    """Remove an entry from a list (block, allow or disposable_ok)."""
    kind_ = ScreeningKind(kind)
    try:
        stored = screening.normalize(kind_, value)
    except screening.InvalidEntry as error:
        raise click.ClickException(str(error.message)) from error
    entry = db.session.scalar(
        select(ScreeningEntry).where(
            ScreeningEntry.list == ScreeningList(list_name),
            ScreeningEntry.kind == kind_,
            ScreeningEntry.value == stored,
        )
    )
    if entry is None:
        raise click.ClickException("No such entry on that list.")
    screening.remove_entry(entry)
    db.session.commit()
    click.echo(f"Removed from {list_name}: {kind} {shown_value(entry)}")


@click.command("lists")
@with_appcontext
def lists_command():
    """Print the block and allow lists."""
    for list_ in ScreeningList:
        entries = screening.list_entries(list_)
        click.echo(f"{list_.value}: {len(entries)}")
        for entry in entries:
            note = f"  ({entry.note})" if entry.note else ""
            click.echo(f"  {entry.kind.value:8} {shown_value(entry)}{note}")


def _when(value: str | None):
    if not value:
        return None
    try:
        return parse_local(value)
    except ValidationError as error:
        raise click.BadParameter(f"{value!r}: use YYYY-MM-DDTHH:MM (site time zone)") from error


@click.command("invalidate")
@with_appcontext
@click.argument("platform_slug")
@click.option("--domain", default="", help="Email domain (its subdomains too).")
@click.option("--fingerprint", default="", help="IP fingerprint as the console shows it.")
@click.option("--since", default=None, help="Signed on from (YYYY-MM-DDTHH:MM, site time).")
@click.option("--until", default=None, help="Signed on before (same form).")
@click.option("--reason", default="", help="Recorded on each endorsement (required to run).")
@click.option("--notify", is_flag=True, help="Email each signer who had confirmed.")
@click.option("--dry-run", is_flag=True, help="Count what would be invalidated; change nothing.")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 10000))
def invalidate_command(
    platform_slug, domain, fingerprint, since, until, reason, notify, dry_run, batch_size
):
    """Invalidate a platform's sign-ons by domain, IP fingerprint and/or time window."""
    platform = db.session.scalar(select(Platform).where(Platform.slug == platform_slug))
    if platform is None:
        raise click.ClickException(f"No platform {platform_slug!r}.")
    try:
        selection = invalidation.Selection.build(
            platform,
            domain=domain,
            fingerprint=fingerprint,
            since=_when(since),
            until=_when(until),
        )
    except invalidation.NoCriteria as error:
        raise click.ClickException("Name a --domain, a --fingerprint or a time window.") from error
    except invalidation.InvalidSelection as error:
        raise click.ClickException(f"--{error.field}: {error.message}") from error
    counted = invalidation.dry_run(selection)
    statuses = ", ".join(f"{s.value} {n}" for s, n in sorted(counted.by_status.items()))
    click.echo(f"{counted.total} endorsements match ({statuses or 'none'}).")
    if dry_run or not counted.total:
        if dry_run:
            click.echo("Dry run: nothing was changed.")
        return
    if not reason.strip():
        raise click.ClickException("Give a --reason (or use --dry-run).")
    done = emailed = 0
    while True:
        result = invalidation.invalidate(
            selection, reason=reason.strip(), notify=notify, limit=None, take=batch_size
        )
        db.session.commit()
        done += result.invalidated
        emailed += result.emailed
        if result.invalidated < batch_size or not invalidation.dry_run(selection).total:
            break
    click.echo(f"Invalidated {done} endorsements; {emailed} signers will be emailed.")


COMMANDS = (
    block_command,
    allow_command,
    not_disposable_command,
    unlist_command,
    lists_command,
    invalidate_command,
)

"""`flask petition block|allow|not-disposable|unlist|lists|invalidate`: the console's
operations from a shell, for incident response when the admin pages are slow to reach.

Every change is audited (actor "cli"). IP entries take an address (hashed at once, never
kept) or a fingerprint as the console shows it.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import screening
from ..extensions import db
from ..screening import ScreeningEntry, ScreeningKind, ScreeningList
from ..screening.services import shown_value

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


COMMANDS = (block_command, allow_command, not_disposable_command, unlist_command, lists_command)

"""`flask petition generate-endorsers`: a large fictional data set for load tests."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..platforms.models import Platform


@click.command("generate-endorsers")
@with_appcontext
@click.option("--platform", "slug", required=True, help="Slug of the platform to fill.")
@click.option("--count", default=100_000, show_default=True, help="Approved endorsements.")
@click.option(
    "--other",
    type=int,
    default=None,
    help="Unverified, pending, rejected, hidden and withdrawn ones [default: count/30].",
)
@click.option("--seed", default=1, show_default=True, help="Random seed (same seed, same mix).")
def generate_endorsers_command(slug: str, count: int, other: int | None, seed: int):
    """Bulk-insert fictional endorsements into a platform (for load tests, never production)."""
    from .fictional import generate

    platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
    if platform is None:
        raise click.UsageError(f"No platform with slug {slug!r} (try `flask petition demo`).")
    if count < 0 or (other is not None and other < 0):
        raise click.UsageError("--count and --other must be zero or more.")
    started = time.perf_counter()
    result = generate(platform, count, other=other, seed=seed)
    db.session.commit()
    seconds = time.perf_counter() - started
    click.echo(
        f"Added {result.approved} approved and {result.other} other endorsements "
        f"to {slug} in {seconds:.1f} s."
    )

"""Do the CSV exports stream in flat memory? Peak Python memory for 1,000 to 100,000 rows.

    .venv/bin/python bench/exports.py        # its own SQLite file in /tmp/petition-bench/

For each size, a fresh platform gets that many approved endorsements (plus a few percent in
other states); the admin export (every endorsement, with consents) and the public export are
then written out chunk by chunk, as a streamed response would be: once timed, once while
tracemalloc records the peak. Flat memory means the peak barely moves while the row count
grows a hundredfold.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import select

from petition import create_app
from petition.config import settings_for_tests
from petition.extensions import db
from petition.platforms.models import Platform, PlatformStatus, PlatformText


def platform_with(count: int) -> Platform:
    from petition.directory.fictional import generate

    slug = f"bench-exports-{count}"
    platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
    if platform is None:
        platform = Platform(slug=slug, status=PlatformStatus.PUBLISHED)
        for locale in ("en", "fr"):
            platform.texts[locale] = PlatformText(
                locale=locale, title=f"Bench {count}", summary="Bench", body="Bench"
            )
        db.session.add(platform)
        db.session.flush()
        generate(platform, count)
        db.session.commit()
    return platform


def consume(chunks) -> int:
    return sum(len(chunk.encode()) for chunk in chunks)


def measure(make_stream) -> tuple[int, int, float]:
    """Stream an export twice: timed as is, then under tracemalloc (which slows it down).

    Returns (bytes, peak bytes allocated while streaming, seconds without tracing).
    """
    db.session.expunge_all()
    started = time.perf_counter()
    size = consume(make_stream())
    seconds = time.perf_counter() - started
    db.session.expunge_all()
    stream = make_stream()
    tracemalloc.start()
    consume(stream)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, peak, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(tempfile.gettempdir()) / "petition-bench" / "exports.sqlite3"
    default.parent.mkdir(parents=True, exist_ok=True)
    parser.add_argument("--database", default=f"sqlite:///{default}")
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from petition.directory import exports
    from petition.directory.services import Filters

    app = create_app(settings_for_tests(args.database))
    with app.app_context():
        upgrade()
    print(f"{'export':8s} {'rows':>8s} {'file size':>10s} {'peak memory':>12s} {'time':>8s}")
    for count in (int(n) for n in args.sizes.split(",")):
        with app.app_context():
            platform_with(count)
        for name in ("admin", "public"):
            # A request context, as in the streamed response (labels need a locale).
            with app.test_request_context("/en/"):
                from flask import g

                g.lang = "en"
                platform = db.session.scalar(
                    select(Platform).where(Platform.slug == f"bench-exports-{count}")
                )
                size, peak, seconds = measure(
                    (lambda p=platform: exports.admin_csv(p))
                    if name == "admin"
                    else (lambda p=platform: exports.public_csv(p, Filters(), "en"))
                )
            print(
                f"{name:8s} {count:8,d} {size / 1e6:8.1f} MB {peak / 1e6:9.2f} MB {seconds:6.1f} s"
            )
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()

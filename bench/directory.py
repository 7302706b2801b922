"""How long does each endorser-list request take inside the app, page cache off? (SQLite by default)

    .venv/bin/python bench/directory.py                      # the database bench/run.py uses
    .venv/bin/python bench/directory.py --database postgresql+psycopg://.../bench --count 100000

Prepares the database as bench/run.py does (dataset.py: the app's own commands, made once and
reused), then times whole requests through the app in this process (routing, queries,
templates), each the median of several runs, with the page cache off (PUBLIC_PAGE_CACHE_SECONDS
= 0): every count is read from the count table, as on every cache miss. Useful with a
profiler; bench/run.py gives the figures under load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset

from petition import create_app
from petition.config import settings_for_tests
from petition.extensions import db

DEFAULT_DATABASE = Path(tempfile.gettempdir()) / "petition-bench" / "bench.sqlite3"

SLUG = "decriminalization-with-dignity"
REQUESTS = {
    "list, page 1": "/en/p/{slug}/endorsers",
    "list, page 1 (French)": "/fr/p/{slug}/endorsers",
    "list, deep page (1,500)": "/en/p/{slug}/endorsers?page=1500",
    "list, last page, by date": "/en/p/{slug}/endorsers?sort=date&page={last}",
    "search 'ile'": "/fr/p/{slug}/endorsers?q=ile",
    "search 'reseau', page 20": "/fr/p/{slug}/endorsers?q=reseau&page=20",
    "search, no match": "/en/p/{slug}/endorsers?q=zzzz",
    "filter QC + harm reduction": "/fr/p/{slug}/endorsers?province=QC&org_type=harm_reduction",
    "filter by-and-for, deep page": "/en/p/{slug}/endorsers?by_and_for=1&page=60",
    "filter individuals, by date": "/en/p/{slug}/endorsers?kind=individual&sort=date",
    "platform page (counts, recent)": "/en/p/{slug}/",
    "embed widget": "/en/p/{slug}/embed",
    "API, first 50": "/api/v1/platforms/{slug}/endorsers",
    "API, filtered": "/api/v1/platforms/{slug}/endorsers?province=ON&kind=organization",
    "Atom feed": "/en/p/{slug}/feed.atom",
}


def timed(client, url: str, runs: int) -> tuple[float, int]:
    durations = []
    status = 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        durations.append(time.perf_counter() - started)
        status = response.status_code
    return statistics.median(durations) * 1000, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=f"sqlite:///{DEFAULT_DATABASE}")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    dataset.prepare(args.database, args.count)

    for label in ("first round", "second round"):
        app = create_app(settings_for_tests(args.database, PUBLIC_PAGE_CACHE_SECONDS=0))
        client = app.test_client()
        with app.app_context():
            from petition.directory import services
            from petition.platforms.services import get_public_platform

            listed = services.matching_count(get_public_platform(SLUG), services.Filters())
        last = (listed + services.PAGE_SIZE - 1) // services.PAGE_SIZE
        print(f"\n{listed:,} listed endorsers; median of {args.runs} requests, {label}:")
        for name, pattern in REQUESTS.items():
            url = pattern.format(slug=SLUG, last=last)
            client.get(url).get_data()  # warm the page cache of the database
            ms, status = timed(client, url, args.runs)
            print(f"  {name:34s} {ms:8.1f} ms  (HTTP {status})")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()

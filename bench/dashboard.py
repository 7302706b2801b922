"""Admin dashboard: time GET /admin/ with many endorsements across a few platforms.

    .venv/bin/python bench/dashboard.py [--endorsements 100000] [--platforms 3] [--runs 10]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python ...

Uses a throwaway SQLite file unless BENCH_DATABASE_URL is set (its tables are dropped and
recreated: never point it at real data). Data is fictional, spread over the last --spread-days days.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert

from petition import create_app
from petition.config import settings_for_tests
from petition.db_types import utcnow
from petition.endorsements.models import Endorsement, EndorsementKind, EndorsementStatus, Province
from petition.extensions import db
from tests.factories import make_admin_user, make_platform
from tests.logins import log_in

STATUSES = [
    EndorsementStatus.APPROVED,
    EndorsementStatus.APPROVED,
    EndorsementStatus.APPROVED,
    EndorsementStatus.PENDING_REVIEW,
    EndorsementStatus.UNVERIFIED,
    EndorsementStatus.REJECTED,
    EndorsementStatus.WITHDRAWN,
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endorsements", type=int, default=100_000)
    parser.add_argument("--platforms", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--spread-days", type=int, default=90, help="age of the oldest sign-on")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    app = create_app(settings_for_tests(url))
    rng = random.Random(7)
    with app.app_context():
        db.drop_all()
        db.create_all()
        make_admin_user("bench@example.org", role="admin")
        platforms = [make_platform(f"platform-{n}") for n in range(args.platforms)]
        now = utcnow()
        rows = []
        for n in range(args.endorsements):
            created = now - timedelta(seconds=rng.randrange(args.spread_days * 86400))
            status = rng.choice(STATUSES)
            rows.append(
                {
                    "platform_id": platforms[n % len(platforms)].id,
                    "kind": EndorsementKind.ORGANIZATION if n % 3 else EndorsementKind.INDIVIDUAL,
                    "status": status,
                    "email": f"person{n}@example.org",
                    "email_canonical": f"person{n}@example.org",
                    "locale": "fr" if n % 2 else "en",
                    "platform_version": "1.0",
                    "name": f"Person {n}",
                    "province": rng.choice(list(Province)),
                    "created_at": created,
                    "updated_at": created,
                    "confirmed_at": None
                    if status == EndorsementStatus.UNVERIFIED
                    else created + timedelta(minutes=rng.randrange(1, 3000)),
                }
            )
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Endorsement), rows[start : start + 5000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")

        queries = []
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: queries.append(1))

    client = app.test_client()
    log_in(client, "bench@example.org")
    timings = []
    for _ in range(args.runs):
        queries.clear()
        started = time.perf_counter()
        response = client.get("/admin/")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    print(
        f"database: {url.split(':', 1)[0]}, {args.endorsements:,} endorsements over "
        f"{args.spread_days} days, {args.platforms} platforms"
    )
    print(
        f"GET /admin/: median {statistics.median(timings) * 1000:.0f} ms, "
        f"worst {max(timings) * 1000:.0f} ms over {args.runs} runs, {len(queries)} queries"
    )


if __name__ == "__main__":
    main()

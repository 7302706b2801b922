"""Blocked vs ordinary sign-ons: how long each takes through the real form, and the
dashboard with trending sources after a burst.

    .venv/bin/python bench/screening.py [--signons 200] [--burst 2000]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python ...

A blocked sign-on must not be told apart by its timing: the figures printed are the median
and 90th percentile of each kind, interleaved (one blocked, one not) so that drift hits both.
Uses a throwaway SQLite file unless BENCH_DATABASE_URL is set (its tables are dropped and
recreated: never point it at real data).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from petition import create_app
from petition.config import settings_for_tests
from petition.db_types import utcnow
from petition.extensions import db
from petition.platforms.models import Platform
from petition.screening import ScreeningKind, ScreeningList, add_entry
from tests.factories import make_admin_user, make_endorsement, make_platform
from tests.logins import log_in
from tests.signon import sign

BLOCKED_IP, OTHER_IP = "203.0.113.9", "198.51.100.9"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signons", type=int, default=200, help="sign-ons of each kind")
    parser.add_argument("--burst", type=int, default=2000, help="burst rows for the dashboard")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='bench-screening-')}/bench.sqlite3"
    )
    app = create_app(settings_for_tests(url, SIGNON_RATE_LIMIT="1000000 per hour"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        make_platform("bench")
        make_admin_user("admin@coalition.example")
        add_entry(ScreeningList.BLOCK, ScreeningKind.DOMAIN, "blocked-burst.example")
        db.session.commit()
    timings: dict[str, list[float]] = {"ordinary": [], "blocked": []}
    for n in range(args.signons):
        for kind, email, ip in (
            ("ordinary", f"person{n}@harbour-peers.example", OTHER_IP),
            ("blocked", f"script{n}@blocked-burst.example", BLOCKED_IP),
        ):
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = ip
            # The form's GET and its POST: the GET is the same for both kinds.
            started = time.perf_counter()
            response = sign(client, "bench", email=email)
            elapsed = time.perf_counter() - started
            assert response.status_code == 303
            timings[kind].append(elapsed * 1000)
    engine = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    print(f"Sign-on (form GET + POST), {args.signons} of each, interleaved ({engine}):")
    for kind, values in timings.items():
        print(
            f"  {kind:9} median {statistics.median(values):6.2f} ms   "
            f"p90 {percentile(values, 0.9):6.2f} ms"
        )
    now = utcnow()
    with app.app_context():
        platform = db.session.query(Platform).one()
        for n in range(args.burst):
            make_endorsement(
                platform, status="approved", kind="individual",
                email=f"b{n}@quick-throwaway.example", ip_hash="f" * 64,
                created_at=now - timedelta(seconds=n),
            )  # fmt: skip
        db.session.commit()
    admin = app.test_client()
    log_in(admin, "admin@coalition.example")
    runs = []
    for _ in range(10):
        started = time.perf_counter()
        assert admin.get("/admin/").status_code == 200
        runs.append((time.perf_counter() - started) * 1000)
    print(
        f"Dashboard with trending after a burst of {args.burst}: "
        f"median {statistics.median(runs):.1f} ms over 10 runs"
    )


if __name__ == "__main__":
    main()

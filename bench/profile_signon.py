"""Profile the sign-on POST in one process, and print its CPU cost and top entries.

    .venv/bin/python bench/profile_signon.py                   # SQLite in a temporary folder
    .venv/bin/python bench/profile_signon.py --count 500 --top 25
    .venv/bin/python bench/profile_signon.py --database-url postgresql+psycopg://...bench

The app runs with production settings (as `bench/run.py` runs it) on the demo platform. One
browser GETs the organization form, waits the minimum fill time, then signs on `--count`
times with new addresses, alternating the organization and individual forms, through the
Flask test client (no HTTP server: what is left is the app's own work). It prints the CPU
milliseconds per sign-on without the profiler, then the profile's top entries by own time and
by cumulative time (paste them into bench/README.md).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import re
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SLUG = "decriminalization-with-dignity"
BASE = "http://127.0.0.1:8000"


def _fields(kind: str, n: int, csrf: str, started: str) -> dict[str, str]:
    fields = {
        "csrf_token": csrf,
        "started": started,
        "homepage": "",
        "email": f"profile-{n}@load.bench.example",
        "province": "QC",
        "city": "Trois-Rivières",
    }
    if kind == "organization":
        fields.update(
            org_name=f"Collectif fictif de l'Île {n}",
            org_type="harm_reduction",
            website=f"collectif-{n}.example",
            about="Un organisme imaginaire, pour mesurer la charge.",
            name="Marie-Ève Tremblay",
            title="Coordonnatrice",
            authorized="y",
            consent_public="y",
        )
    else:
        fields.update(name=f"Robin Côté {n}", display_mode="full_name", consent_public="y")
    return fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=400, help="sign-ons to profile")
    parser.add_argument("--top", type=int, default=20, help="entries to print per table")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    args = parser.parse_args()

    if args.database_url:
        from dataset import check_disposable

        check_disposable(args.database_url)  # its tables are dropped
    folder = tempfile.mkdtemp(prefix="profile-signon-")
    try:
        _profile(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _profile(args: argparse.Namespace, folder: str) -> None:
    os.environ.update(
        PETITION_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=args.database_url or f"sqlite:///{folder}/profile.db",
        BASE_URL=BASE,
        MAIL_SERVER="",
        SIGNON_RATE_LIMIT="100000000 per hour",
        MEDIA_ROOT=f"{folder}/media",
        MIN_FILL_SECONDS="1",
    )
    logging.disable(logging.INFO)  # the migrations' progress
    from petition import create_app
    from petition.extensions import db

    app = create_app()
    with app.app_context():
        if args.database_url:
            db.drop_all()
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "migrations"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["petition", "demo"])
    assert result.exit_code == 0, result.output

    client = app.test_client()
    form = client.get(f"/fr/p/{SLUG}/sign/organization", base_url=BASE).get_data(as_text=True)
    csrf, started = (
        re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"', form).group(1)
        for name in ("csrf_token", "started")
    )
    time.sleep(1.1)

    def sign(n: int) -> None:
        kind = "organization" if n % 2 == 0 else "individual"
        fields = _fields(kind, n, csrf, started)
        response = client.post(f"/fr/p/{SLUG}/sign/{kind}", data=fields, base_url=BASE)
        assert response.status_code == 303, (response.status_code, response.get_data()[:2000])

    for n in range(20):  # warm up: templates compiled, translations loaded, pools filled
        sign(n)
    start = time.process_time()
    for n in range(20, 20 + args.count):
        sign(n)
    plain = (time.process_time() - start) * 1000 / args.count

    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(20 + args.count, 20 + 2 * args.count):
        sign(n)
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])

    engine = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
    print(f"sign-on POST, {engine}, in-process (test client, no HTTP server)")
    print(f"CPU per sign-on without the profiler: {plain:.2f} ms ({args.count} sign-ons)")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"\n-- top {args.top} by {order} (profiled, {args.count} sign-ons) --")
        print(out.getvalue().split("ncalls", 1)[1].join(["ncalls", ""]).rstrip())


if __name__ == "__main__":
    main()

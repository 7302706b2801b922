"""bench/profile_signon.py still runs: a few sign-ons through the app, profiled (nothing timed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_sign_on_profiler_signs_on_and_prints_its_figures():
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "profile_signon.py"), "--count=4", "--top=30"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "CPU per sign-on without the profiler" in done.stdout
    # Both tables, each with its top entries (the script asserts every sign-on got its 303).
    assert done.stdout.count("-- top 30 by") == 2
    # The sign-on view is among the entries by cumulative time.
    assert "(_sign)" in done.stdout


def test_the_profiler_refuses_a_database_that_is_not_a_bench_or_test_one():
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "profile_signon.py"),
            "--count=1",
            "--database-url=postgresql+psycopg://postgres@127.0.0.1:5432/production",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "production" in done.stdout + done.stderr

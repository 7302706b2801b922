"""The benchmark still runs: bench/run.py end to end on a tiny data set (nothing is timed).

It starts the app and the baseline under gunicorn, drives every scenario with wrk for a
second, and checks that each produced answers without errors, that every sign-on did its
whole job, that the relay delivered each email exactly once and that the export has every row.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
    ),
]


def test_the_benchmark_runs_on_a_tiny_data_set(tmp_path):
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--rows=300",
            "--duration=1",
            "--warmup=0",
            "--relay-messages=150",
            f"--workdir={tmp_path}",
            f"--json={out}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| SQLite | sign-on POST" in done.stdout
    [figures] = json.loads(out.read_text())["engines"]
    assert figures["facts"]["approved"] == 300
    expected = {
        "baseline GET",
        "baseline POST",
        "sign-on POST",
        "list page 1",
        "list deep page",
        "search",
        "filtered list",
        "platform page",
        "API list",
    }
    assert expected <= set(figures["web"])
    for name, result in figures["web"].items():
        assert result["requests"] > 0, name
        assert sum(result["errors"].values()) == 0, (name, result["errors"])
    assert figures["signon_check"]["complete"], figures["signon_check"]
    assert figures["relay"]["exactly_once"] and figures["relay"]["sent"] == 150
    assert (
        figures["export"]["rows"]
        == figures["facts"]["approved"]
        + figures["facts"]["other"]
        + (figures["signon_check"]["endorsements"])
    )
    assert figures["rss_mb"]["app"] > 0

"""Drive load with wrk (Debian's `wrk` package) and read back throughput and latency.

Each scenario runs wrk in its own process, with keep-alive connections, closed loop: every
connection sends its next request as soon as the answer to the last one arrives, so the
server is saturated and the latency includes queueing at full load. A short warm-up run
(not counted) comes first, so every worker has loaded its templates and opened its database
connections before the measured run.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
MARKER = "BENCH-RESULT "


class WrkMissing(RuntimeError):
    """wrk is not installed."""


@dataclass(frozen=True)
class LoadSetup:
    """How hard to push: wrk threads, open connections, seconds measured and warmed up."""

    threads: int = 2
    connections: int = 8
    duration: float = 10.0
    warmup: float = 2.0


@dataclass
class Result:
    """What one measured run gave."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    errors: dict
    # CPU milliseconds per request over the measured run (app workers; database backends,
    # None on SQLite where the database runs inside the workers).
    app_cpu_ms: float | None = None
    db_cpu_ms: float | None = None

    @property
    def failed(self) -> int:
        return sum(self.errors.values())


def wrk_path() -> str:
    """Return wrk's path, or raise WrkMissing with how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing("wrk is not installed: apt-get install -y wrk")
    return path


def run_wrk(base: str, script: str, args: list[str], setup: LoadSetup, seconds: float) -> Result:
    """Run wrk against `base` with a Lua script from bench/lua and its arguments."""
    command = [
        wrk_path(),
        f"--threads={setup.threads}",
        f"--connections={setup.connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={LUA / script}",
        base,
    ]
    if args:
        # "{run}" becomes a tag new to each run: sign-on addresses never repeat across runs.
        tag = secrets.token_hex(4)
        command += ["--", *(arg.replace("{run}", tag) for arg in args)]
    env = {**os.environ, "LUA_PATH": f"{LUA}/?.lua;;"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            values = json.loads(line[len(MARKER) :])
            values.pop("bytes", None)
            return Result(**values)
    raise RuntimeError(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")


def measure(
    base: str, script: str, args: list[str], setup: LoadSetup, meter=None
) -> tuple[Result | None, Result]:
    """Warm up, then measure one scenario; return both runs (the warm-up is not reported).

    With a `meter` (servers.CpuMeter), the measured run also records the CPU the app and the
    database used per request.
    """
    warm = run_wrk(base, script, args, setup, setup.warmup) if setup.warmup > 0 else None
    if meter is not None:
        meter.start()
    result = run_wrk(base, script, args, setup, setup.duration)
    if meter is not None and result.requests:
        used = meter.stop()
        result.app_cpu_ms = used["app"] * 1000 / result.requests
        if used["db"] is not None:
            result.db_cpu_ms = used["db"] * 1000 / result.requests
    return warm, result

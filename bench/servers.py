"""Start and stop the servers under test (gunicorn, the SMTP sink), and read their memory."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class WorkerSetup:
    """How gunicorn runs an app: the same for the app and for the baseline."""

    workers: int = 2
    threads: int = 4

    def args(self) -> list[str]:
        return [
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            "gthread",
            # Longer than any pause in the load, so connections stay open between requests.
            "--keep-alive",
            "30",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]

    def describe(self) -> str:
        return f"gunicorn gthread, {self.workers} workers x {self.threads} threads"


def free_port() -> int:
    """Return a loopback port nothing listens on (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A child process serving on a loopback port."""

    name: str
    process: subprocess.Popen
    port: int
    log_path: Path
    extra: dict = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """Return the ids of this gunicorn master's worker processes."""
        return children_of(self.process.pid)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL if it lingers)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_gunicorn(
    name: str,
    app: str,
    env: dict[str, str],
    setup: WorkerSetup,
    log_dir: Path,
    ready_path: str,
    port: int,
) -> Server:
    """Start `gunicorn APP` with `setup` on a loopback port; return once it answers."""
    log_path = log_dir / f"{name}.log"
    command = [sys.executable, "-m", "gunicorn", *setup.args(), "--bind", f"127.0.0.1:{port}"]
    command += ["--pythonpath", str(BENCH), app]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(name, process, port, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited:\n{log_path.read_text()}")
        try:
            status, _headers, _body = http_get(port, ready_path)
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200 and len(server.worker_pids()) == setup.workers:
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not start in time:\n{log_path.read_text()}")


def http_get(port: int, path: str, headers: dict | None = None) -> tuple[int, list, bytes]:
    """GET a path from a loopback server; return (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def children_of(pid: int) -> list[int]:
    """Return the ids of a process's direct children (from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (in parentheses) may hold spaces: the parent id follows it.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def memory_mb(pid: int) -> dict[str, float]:
    """Return a process's resident memory now (rss) and at its peak (hwm), in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return {"rss": values.get("VmRSS", 0.0), "hwm": values.get("VmHWM", 0.0)}


def reset_peak(pid: int) -> bool:
    """Reset a process's peak resident memory (VmHWM) to its current size; False if refused."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def machine() -> dict[str, str]:
    """Describe the machine: CPU model, cores, memory, load."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = int(line.split()[1]) // 1024
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{memory / 1024:.0f} GB",
        "load": load(),
    }


def load() -> str:
    """Return the load averages over 1, 5 and 15 minutes (as `uptime` shows them)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far, 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # Fields after the command name (in parentheses): utime and stime are the 12th and 13th.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def database_backends(database: str) -> list[int]:
    """Return the ids of the local PostgreSQL backends connected to `database` (from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # A backend's title: "postgres: 15/main: USER DATABASE HOST(PORT) STATE".
        words = title.split()
        if title.startswith("postgres:") and database in words[3:5]:
            pids.append(int(entry.name))
    return pids


@dataclass
class CpuMeter:
    """CPU used by the app's workers and by the database's backends over one measured run.

    SQLite runs inside the workers: its CPU is part of the app's (`database` stays None).
    """

    workers: list[int]
    database: str | None = None
    _start: dict[int, float] = field(default_factory=dict)

    def _pids(self) -> list[tuple[str, int]]:
        pids = [("app", pid) for pid in self.workers]
        if self.database:
            pids += [("db", pid) for pid in database_backends(self.database)]
        return pids

    def start(self) -> None:
        self._start = {pid: cpu_seconds(pid) for _kind, pid in self._pids()}

    def stop(self) -> dict[str, float | None]:
        """Return the CPU seconds used since start(), by the app and by the database."""
        used: dict[str, float | None] = {"app": 0.0, "db": 0.0 if self.database else None}
        for kind, pid in self._pids():
            # A backend that started during the run counts from zero.
            used[kind] += max(0.0, cpu_seconds(pid) - self._start.get(pid, 0.0))
        return used

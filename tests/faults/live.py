"""Real processes for the fault tests: gunicorn and the email relay, and a small HTTP client.

Each process runs in its own process group, configured only through environment variables (as
in production), from a temporary working directory so no developer `.env` file leaks in.
`kill()` sends SIGKILL to that group: the crash the tests are about.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database_url: str, base_url: str, smtp=None, **settings: str) -> dict[str, str]:
    """Return the environment a production-like process of the app runs with."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Only what a process needs to run; nothing of the app's own settings leaks in.
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "VIRTUAL_ENV"}
    }
    env.update(
        PETITION_ENV="development",
        SECRET_KEY="fault-suite-secret-key-not-for-production",
        DATABASE_URL=database_url,
        BASE_URL=base_url,
        SIGNON_RATE_LIMIT="100000 per hour",
        LOGIN_RATE_LIMIT="100000 per hour",
        MIN_FILL_SECONDS="0",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    if smtp is not None:
        env.update(
            MAIL_SERVER=smtp.host, MAIL_PORT=str(smtp.port), MAIL_USE_TLS="0", MAIL_TIMEOUT="5"
        )
    env.update(settings)
    return env


@dataclass
class Process:
    """A child process in its own process group, its output kept in a log file."""

    command: list[str]
    env: dict[str, str]
    workdir: Path
    log_name: str
    popen: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.workdir / self.log_name

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: no handler, no cleanup, no goodbye."""
        self._signal(signal.SIGKILL)
        self._wait(10)

    def stop(self) -> None:
        """Ask the process group to stop (SIGTERM); kill it if it does not within 10 s."""
        if not self.running:
            return
        self._signal(signal.SIGTERM)
        if not self._wait(10):
            self.kill()

    def _signal(self, signum: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def _wait(self, seconds: float) -> bool:
        try:
            self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Gunicorn(Process):
    """`gunicorn -c gunicorn.conf.py wsgi:app` (as in production) with a few workers and
    threads on a loopback port."""

    def __init__(self, env: dict[str, str], workdir: Path, workers: int = 2, threads: int = 4):
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "3",
            "--timeout",
            "60",
            "wsgi:app",
        ]
        super().__init__(command, env, workdir, "gunicorn.log")

    def start(self) -> None:
        super().start()
        self.wait_until_serving()

    def wait_until_serving(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"gunicorn exited:\n{self.output()[-3000:]}")
            try:
                if Browser(self.port).get("/en/").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not serve within {seconds} s:\n{self.output()[-3000:]}")


def relay_process(env: dict[str, str], workdir: Path, *args: str) -> Process:
    """`flask --app wsgi outbox relay ...` as its own process."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "relay", *args]
    return Process(command, env, workdir, "relay.log")


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Browser:
    """An HTTP/1.1 client with a cookie jar, following no redirects (one per simulated user)."""

    port: int
    timeout: float = 30
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, data: dict | None = None, headers: dict | None = None
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            sent = dict(headers or {})
            body = None
            if data is not None:
                body = urlencode(data, doseq=True)
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    self.cookies[name] = morsel.value
            return Reply(response.status, response.headers, text)
        finally:
            connection.close()

    def get(self, path: str, headers: dict | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict, headers: dict | None = None) -> Reply:
        return self.request("POST", path, data=data, headers=headers)


def hidden_value(page: str, name: str) -> str:
    """Return the value of the hidden input `name` in a page."""
    for pattern in (
        rf'name="{name}" type="hidden" value="([^"]*)"',
        rf'name="{name}" value="([^"]*)"',
        rf'type="hidden" name="{name}" value="([^"]*)"',
    ):
        match = re.search(pattern, page)
        if match:
            return match.group(1)
    raise AssertionError(f"no hidden {name!r} field in page")


def sign_on(browser: Browser, slug: str, fields: dict, kind: str = "organization") -> Reply:
    """Load a sign-on form like a browser (cookie, CSRF token, start time), then submit it."""
    path = f"/en/p/{slug}/sign/{kind}"
    page = browser.get(path)
    assert page.status == 200, page.status
    data = {
        **fields,
        "csrf_token": hidden_value(page.body, "csrf_token"),
        "started": hidden_value(page.body, "started"),
    }
    return browser.post(path, data)

"""`flask petition dev` as a person runs it: a port of one's choosing, the links it prints and
emails work there, no server banner, and stopping it (SIGTERM too) stops its email relay.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.faults.live import Browser, sign_on
from tests.signon import ORGANIZATION

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class DevServer:
    """`flask --app wsgi petition dev --port PORT` in a process of its own, output collected."""

    def __init__(self, tmp_path: Path, port: int) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
        }
        # No BASE_URL: the command derives it from --port, as it would on a laptop.
        env.update(
            PETITION_ENV="development",
            SECRET_KEY="dev-server-test-secret-key",
            DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}",
            MIN_FILL_SECONDS="0",
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
        )
        self.port = port
        self.output: list[str] = []
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "petition", "dev"]
        self.process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=tmp_path,  # no developer's .env
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Its own process group, so that a failed test can end the relay too (close()).
            start_new_session=True,
        )
        self._reader = threading.Thread(
            target=lambda: self.output.extend(self.process.stdout), daemon=True
        )
        self._reader.start()

    @property
    def text(self) -> str:
        return "".join(self.output)

    def wait_for(self, predicate, what: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"petition dev exited while waiting for {what}:\n{self.text}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{self.text}")

    def serving(self) -> bool:
        try:
            return Browser(self.port, timeout=2).get("/en/").status == 200
        except OSError:
            return False

    def close(self) -> None:
        # The whole group: a relay left behind would also keep the output pipe open.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._reader.join(timeout=10)
        if not self._reader.is_alive():
            self.process.stdout.close()


@pytest.fixture
def dev_server(tmp_path):
    server = DevServer(tmp_path, _free_port())
    yield server
    server.close()


def test_dev_server_links_work_on_its_port_and_sigterm_stops_the_relay(dev_server):
    port = dev_server.port
    base = f"http://127.0.0.1:{port}"
    dev_server.wait_for(dev_server.serving, "the development server")
    dev_server.wait_for(lambda: "Email relay running" in dev_server.text, "the relay")

    # The addresses it prints are where it listens.
    english = re.search(r"English: +(\S+)", dev_server.text).group(1)
    assert english.startswith(f"{base}/en/p/"), dev_server.text
    slug = english.removeprefix(f"{base}/en/p/").strip("/")
    browser = Browser(port)
    assert browser.get(english.removeprefix(base)).status == 200

    # Both names of this machine work; no Server banner on pages, errors or refusals.
    replies = [
        browser.get("/en/", headers={"Host": f"localhost:{port}"}),
        browser.get("/en/"),
        browser.get("/en/no-such-page"),
        browser.get("/en/", headers={"Host": "evil.example"}),
    ]
    assert [r.status for r in replies] == [200, 200, 404, 400]
    for reply in replies:
        assert "Server" not in reply.headers, reply.headers.get("Server")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        # Refused by http.server itself (414), before the app sees it.
        raw.sendall(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")
        answer = raw.recv(4096).decode("latin-1")
    head = answer.partition("\r\n\r\n")[0]
    assert head.startswith("HTTP/1.1 414") and "\nServer:" not in head, head

    # Sign on: the confirmation link the relay prints is on this port, and opens.
    reply = sign_on(browser, slug, {**ORGANIZATION, "email": "dev-port@harbourside.example"})
    assert reply.status == 303
    link = re.compile(r"(http://\S+/en/confirm/[\w-]+)")
    dev_server.wait_for(lambda: link.search(dev_server.text), "the confirmation email")
    confirm = link.search(dev_server.text).group(1)
    assert confirm.startswith(f"{base}/en/confirm/"), confirm
    assert "Confirm my endorsement" in browser.get(confirm.removeprefix(base)).body

    # SIGTERM (a service manager, `kill`): the server stops, and its relay with it.
    relays = _children_of(dev_server.process.pid)
    assert len(relays) == 1
    dev_server.process.send_signal(signal.SIGTERM)
    dev_server.process.wait(timeout=20)
    deadline = time.monotonic() + 10
    while _alive(relays[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(relays[0]), "the relay outlived petition dev"

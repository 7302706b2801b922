"""`flask outbox ...` commands, and the relay running beside `flask petition dev`."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from petition import create_app
from petition.config import settings_for_tests
from petition.extensions import db
from petition.outbox import services
from petition.outbox.models import OutboxMessage, OutboxStatus

ROOT = Path(__file__).resolve().parents[2]


def test_relay_once_prints_emails_in_console_mode(app, runner):
    result = runner.invoke(args=["outbox", "test-email", "Someone@Example.org", "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "Queued <" in result.output

    result = runner.invoke(args=["outbox", "relay", "--once"])

    assert result.exit_code == 0, result.output
    assert "To:         someone@example.org" in result.output
    assert "Subject:    Appuis aux plateformes\u00a0: courriel d'essai" in result.output
    assert "\nhttps://petition.test/fr/\n" in result.output
    assert "Outbox: 1 sent, 0 to retry later, 0 failed." in result.output


def test_relay_once_sends_through_smtp(make_app, smtp_server):
    app = make_app(**smtp_server.config)
    runner = app.test_cli_runner()
    runner.invoke(args=["outbox", "test-email", "someone@example.org", "--lang", "fr"])
    result = runner.invoke(args=["outbox", "relay", "--once", "--batch-size", "5"])
    assert result.exit_code == 0, result.output
    assert "Outbox: 1 sent" in result.output
    [received] = smtp_server.messages
    # Accents and the no-break space before the colon survive the trip through SMTP.
    assert received["Subject"] == "Appuis aux plateformes\u00a0: courriel d'essai"
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert "paramètres de courriel du site fonctionnent\u00a0:" in body


def test_test_email_refuses_a_malformed_address(app, runner):
    result = runner.invoke(args=["outbox", "test-email", "not-an-address"])
    assert result.exit_code == 2
    assert "ADDRESS" in result.output
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None


def test_status_and_retry(app, runner, smtp_server):
    with app.app_context():
        message = services.queue_email(
            to="someone@example.org", locale="en", template="outbox/settings_check"
        )
        message.status = OutboxStatus.FAILED
        message.last_error = "554 5.7.1 Message refused"
        db.session.commit()
        message_id = message.message_id

    result = runner.invoke(args=["outbox", "status"])
    assert "queued: 0, sending: 0, sent: 0, failed: 1" in result.output
    assert f"{message_id} outbox/settings_check after 0 attempts: 554 5.7.1" in result.output
    assert "someone@example.org" not in result.output

    result = runner.invoke(args=["outbox", "retry", message_id])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["outbox", "retry", message_id])
    assert result.exit_code == 1
    assert "not failed" in result.output
    result = runner.invoke(args=["outbox", "retry", "<unknown@petition.test>"])
    assert result.exit_code == 2


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


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find children")
def test_dev_server_prints_emails_and_stops_its_relay(tmp_path):
    port = _free_port()
    database_url = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PETITION_ENV": "development",
        "SECRET_KEY": "dev-test-secret-key",
        "DATABASE_URL": database_url,
        "BASE_URL": base_url,
        "MAIL_SERVER": "",
    }
    env.pop("FLASK_APP", None)
    dev = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "petition", "dev", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(dev.stdout), daemon=True)
    reader.start()

    def wait_for(predicate, what: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{''.join(output)}")

    def site_up() -> bool:
        try:
            with urllib.request.urlopen(f"{base_url}/en/", timeout=1):  # noqa: S310 - loopback
                return True
        except OSError:
            return False

    try:
        wait_for(site_up, "the development server")
        wait_for(lambda: "Email relay running (console)" in "".join(output), "the relay")
        app = create_app(settings_for_tests(database_url, BASE_URL=base_url))
        with app.app_context():
            services.queue_email(
                to="newcomer@example.org", locale="fr", template="outbox/settings_check"
            )
            db.session.commit()
            db.engine.dispose()
        wait_for(lambda: f"\n{base_url}/fr/\n" in "".join(output), "the printed email")
        assert "To:         newcomer@example.org" in "".join(output)

        relays = _children_of(dev.pid)
        assert len(relays) == 1
        dev.send_signal(signal.SIGINT)  # Ctrl+C reaching the server
        dev.wait(timeout=20)
        wait_for(lambda: not _alive(relays[0]), "the relay to stop", timeout=5)
    finally:
        if dev.poll() is None:
            dev.kill()
            dev.wait()
        reader.join(timeout=5)
        dev.stdout.close()
    assert re.search(r"English: +" + re.escape(base_url), "".join(output))

"""`flask outbox ...` commands: run the relay, queue a test email, see what is stuck."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy import select

from ..extensions import db
from ..i18n import LANGUAGES
from . import relay, services
from .models import OutboxMessage, OutboxStatus

outbox_cli = AppGroup("outbox", help="Deliver outgoing email and look after the outbox.")


@outbox_cli.command("relay")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option(
    "--batch-size",
    default=relay.DEFAULT_BATCH_SIZE,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Messages claimed and sent over one SMTP connection at a time.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between polls of the outbox (default: OUTBOX_POLL_SECONDS).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Serve this relay's Prometheus metrics on 127.0.0.1:PORT (default: RELAY_METRICS_PORT).",
)
def relay_command(once: bool, batch_size: int, interval: float | None, metrics_port: int | None):
    """Deliver queued emails through SMTP (printed here when MAIL_SERVER is empty)."""
    _log_to_terminal()
    metrics_port = metrics_port or current_app.config.get("RELAY_METRICS_PORT")
    if metrics_port and not once:
        from prometheus_client import start_http_server

        # Its own counters (sent, failures) and the process's; outbox depth is on /metrics.
        start_http_server(metrics_port, addr="127.0.0.1")
    if once:
        result = relay.drain(batch_size)
        click.echo(
            f"Outbox: {result.sent} sent, {result.deferred} to retry later, {result.failed} failed."
        )
        return
    app = current_app._get_current_object()
    interval = interval or app.config["OUTBOX_POLL_SECONDS"]
    mode = "SMTP " + app.config["MAIL_SERVER"] if app.config["MAIL_SERVER"] else "console"
    click.echo(f"Email relay running ({mode}), checking the outbox every {interval:g} s.")
    stop = threading.Event()
    with _stop_on_signals(stop):
        while not stop.is_set():
            try:
                relay.drain(batch_size, should_stop=stop.is_set)
            except Exception as exc:  # The database may be restarting: try again next poll.
                db.session.rollback()
                logging.getLogger(relay.__name__).error("relay pass failed: %s", type(exc).__name__)
            stop.wait(interval)


@outbox_cli.command("test-email")
@click.argument("address")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
def test_email_command(address: str, lang: str):
    """Queue a test email to ADDRESS, to check the email settings end to end."""
    try:
        address = validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="ADDRESS") from exc
    message = services.queue_email(to=address, locale=lang, template="outbox/settings_check")
    db.session.commit()
    click.echo(f"Queued {message.message_id}; the relay delivers it on its next pass.")


@outbox_cli.command("status")
@click.option("--limit", default=20, show_default=True, help="Failed messages to list.")
def status_command(limit: int):
    """Count messages by status and list the latest failures with their errors."""
    counts = services.status_counts()
    click.echo(", ".join(f"{status.value}: {count}" for status, count in counts.items()))
    for message in services.failed_messages(limit):
        click.echo(
            f"{message.created_at:%Y-%m-%d %H:%M} {message.message_id} {message.template} "
            f"after {message.attempts} attempts: {message.last_error or ''}"
        )


@outbox_cli.command("retry")
@click.argument("message_id")
def retry_command(message_id: str):
    """Queue a failed message (by Message-ID) again."""
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id == message_id))
    if message is None:
        raise click.BadParameter("no message with this Message-ID", param_hint="MESSAGE_ID")
    try:
        services.retry(message)
    except services.NotRetryable as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{message.message_id} is queued again ({OutboxStatus.QUEUED.value}).")


@contextmanager
def relay_beside() -> Iterator[subprocess.Popen]:
    """Run `flask outbox relay` as a child process (same environment) until the block ends."""
    command = [sys.executable, "-m", "flask"]
    info = click.get_current_context().find_object(ScriptInfo)
    if info is not None and info.app_import_path:
        # The same app the running command loaded (`--app` or FLASK_APP).
        command += ["--app", info.app_import_path]
    command += ["outbox", "relay", "--interval", "1"]
    # Inherits the environment, working directory and terminal: emails print beside the log.
    child = subprocess.Popen(command)  # noqa: S603 - our own interpreter and fixed arguments
    previous = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (a service manager, `kill`) would end this process at once, leaving the
        # relay running: make it unwind through `finally` below, as Ctrl+C does.
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield child
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _log_to_terminal() -> None:
    logger = logging.getLogger("petition.outbox")
    logger.setLevel(logging.INFO)
    if not logger.hasHandlers():
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Finish the current batch, then stop, on Ctrl+C or SIGTERM (not mid-message)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

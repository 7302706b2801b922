"""Measurements that run in a fresh process of their own; each prints one JSON line.

    .venv/bin/python bench/probes.py relay --messages 20000 --smtp-port 8025
    .venv/bin/python bench/probes.py smtp-baseline --messages 20000 --smtp-port 8025
    .venv/bin/python bench/probes.py csv-baseline

The app's settings come from the environment (`dataset.app_environment` in the runner):
`relay` fills the outbox to `--messages` queued emails (copies of the confirmation emails the
sign-on load queued, with fresh Message-IDs and addresses) and times `relay.drain()`, the loop
behind `flask outbox relay`, delivering them all to the SMTP server on `--smtp-port`.
`smtp-baseline` sends as many messages of the same size with nothing but `smtplib` over one
connection (no database): the most any relay could do against that server. `csv-baseline`
writes every endorsement of the platform with nothing but `csv.writer` over a plain SELECT:
the least an export can cost.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import smtplib
import sys
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import memory_mb, reset_peak


class _Counter:
    """A file-like object that counts what is written to it and keeps nothing."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


def _fill_outbox(messages: int) -> int:
    """Leave exactly `messages` queued emails in the outbox; return how many were copies."""
    from sqlalchemy import delete, func, insert, select

    from petition.db_types import utcnow
    from petition.extensions import db
    from petition.outbox.models import OutboxMessage, OutboxStatus
    from petition.outbox.services import new_message_id, queue_email

    queued = OutboxMessage.status == OutboxStatus.QUEUED
    have = db.session.scalar(select(func.count()).where(queued)) or 0
    if have == 0:
        for locale in ("en", "fr"):
            queue_email(
                to=f"check-{locale}@load.bench.example",
                locale=locale,
                template="outbox/settings_check",
            )
        db.session.commit()
        have = 2
    if have > messages:
        extra = select(OutboxMessage.id).where(queued).order_by(OutboxMessage.id.desc())
        ids = list(db.session.scalars(extra.limit(have - messages)))
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        db.session.commit()
        return 0
    models = list(db.session.scalars(select(OutboxMessage).where(queued).limit(50)))
    now = utcnow()
    copies = messages - have
    batch = []
    for n in range(copies):
        model = models[n % len(models)]
        batch.append(
            {
                "recipient": f"copy-{n}@load.bench.example",
                "locale": model.locale,
                "template": model.template,
                # Values, not text: the relay renders each copy, as it does every email.
                "context": model.context,
                "subject": model.subject,
                "body_text": model.body_text,
                "body_html": model.body_html,
                "message_id": new_message_id(),
                "status": OutboxStatus.QUEUED,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
        if len(batch) == 2000 or n == copies - 1:
            db.session.execute(insert(OutboxMessage), batch)
            batch = []
    db.session.commit()
    return copies


def relay(messages: int, sample: str = "") -> dict:
    """Queue `messages` emails, then time one relay delivering them all."""
    from petition import create_app
    from petition.extensions import db
    from petition.outbox import relay as outbox_relay

    app = create_app()
    with app.app_context():
        copies = _fill_outbox(messages)
        if sample:
            from sqlalchemy import select

            from petition.outbox.models import OutboxMessage
            from petition.outbox.services import rendered

            email = rendered(db.session.scalars(select(OutboxMessage).limit(1)).one())
            Path(sample).write_text(json.dumps([email.body_text, email.body_html]))
        db.session.remove()
        started = time.perf_counter()
        result = outbox_relay.drain()
        seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return {
        "messages": messages,
        "copies": copies,
        "sent": result.sent,
        "failed": result.failed + result.deferred,
        "seconds": seconds,
        "rate": result.sent / seconds,
    }


def smtp_baseline(messages: int, port: int, sample: str) -> dict:
    """Send `messages` emails with smtplib alone, over one connection."""
    text, html = json.loads(Path(sample).read_text()) if sample else ("Hello", "<p>Hello</p>")
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for n in range(messages):
            message = EmailMessage()
            message["Subject"] = "Confirm your endorsement"
            message["From"] = "sign-on@bench.example"
            message["To"] = f"baseline-{n}@load.bench.example"
            message["Message-ID"] = make_msgid(domain="bench.example")
            message.set_content(text)
            message.add_alternative(html, subtype="html")
            smtp.send_message(message)
    seconds = time.perf_counter() - started
    return {"sent": messages, "seconds": seconds, "rate": messages / seconds}


def csv_baseline(platform_id: int) -> dict:
    """Write every endorsement of a platform as CSV with a plain SELECT and csv.writer."""
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["DATABASE_URL"])
    out = _Counter()
    before = memory_mb(os.getpid())["rss"]
    peak_reset = reset_peak(os.getpid())
    started = time.perf_counter()
    rows = 0
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=1000).execute(
            text("SELECT * FROM endorsement WHERE platform_id = :p ORDER BY id"),
            {"p": platform_id},
        )
        writer = csv.writer(out)
        writer.writerow(result.keys())
        for row in result:
            writer.writerow(row)
            rows += 1
    seconds = time.perf_counter() - started
    peak = memory_mb(os.getpid())["hwm"]
    engine.dispose()
    return {
        "rows": rows,
        "bytes": out.size,
        "seconds": seconds,
        "peak_growth_mb": (peak - before) if peak_reset else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe", choices=["relay", "smtp-baseline", "csv-baseline"])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--smtp-port", type=int, default=0)
    parser.add_argument(
        "--sample",
        default="",
        help="JSON [text, html] of a message: written by relay, sent by smtp-baseline.",
    )
    parser.add_argument("--platform-id", type=int, default=1)
    args = parser.parse_args()
    if args.probe == "relay":
        result = relay(args.messages, args.sample)
    elif args.probe == "smtp-baseline":
        result = smtp_baseline(args.messages, args.smtp_port, args.sample)
    else:
        result = csv_baseline(args.platform_id)
    print("PROBE-RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

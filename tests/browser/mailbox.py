"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller

URL = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass(frozen=True)
class Delivery:
    """One message as the SMTP server received it."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage


class Mailbox:
    """The aiosmtpd handler: accepts every message and lets tests wait for them."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = 0
        self.deliveries: list[Delivery] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        delivery = Delivery(envelope.mail_from, tuple(envelope.rcpt_tos), message)
        with self._arrived:
            self.deliveries.append(delivery)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [d.message for d in self.deliveries]

    def clear(self) -> None:
        """Forget every message received so far."""
        with self._arrived:
            self.deliveries.clear()

    def wait_for(self, count: int = 1, to: str | None = None, timeout: float = 10) -> list:
        """Wait until `count` messages (to `to`, if given) have arrived; return them."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [d.message for d in self.deliveries if _addressed_to(d, to)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} email(s){f' to {to}' if to else ''} within "
                        f"{timeout}s, got {len(found)}: {[m['Subject'] for m in found]}"
                    )
                self._arrived.wait(left)

    def latest(self, to: str | None = None, timeout: float = 10) -> EmailMessage:
        """Return the newest message (to `to`, if given), waiting for one if none came yet."""
        return self.wait_for(1, to=to, timeout=timeout)[-1]


def _addressed_to(delivery: Delivery, to: str | None) -> bool:
    if to is None:
        return True
    to = to.lower()
    return (
        to in (r.lower() for r in delivery.recipients)
        or to in str(delivery.message.get("To", "")).lower()
    )


def start_mailbox() -> tuple[Mailbox, Controller]:
    """Start an SMTP server on a free loopback port; stop it with `controller.stop()`."""
    mailbox = Mailbox()
    # aiosmtpd cannot listen on port 0 (it connects to its own port to check it is up).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        mailbox.port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    controller.start()
    return mailbox, controller


def text_body(message: EmailMessage) -> str:
    """Return the plain-text part of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"email {message['Subject']!r} has no text/plain part"
    return part.get_content()


def mail_link(
    mailbox: Mailbox, lang: str | None = None, to: str | None = None, timeout: float = 10
) -> str:
    """Return the first http(s) link in the newest text email (to `to`), waiting for it.

    With `lang`, return the first link to a page in that language (path `/<lang>/...`) and
    fail if the email declares another language in Content-Language.
    """
    message = mailbox.latest(to=to, timeout=timeout)
    declared = message.get("Content-Language")
    if lang and declared:
        assert declared.split("-")[0].lower() == lang, (
            f"email {message['Subject']!r} is in {declared}, expected {lang}"
        )
    links = [link.rstrip(".,;:") for link in URL.findall(text_body(message))]
    for link in links:
        if lang is None or urlsplit(link).path.startswith(f"/{lang}/"):
            return link
    raise AssertionError(
        f"no {'/' + lang + '/ ' if lang else ''}link in email {message['Subject']!r}: {links}"
    )

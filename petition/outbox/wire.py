"""What goes over the wire: a message composed for SMTP, the connection that sends it, and
what an SMTP error means (try again later, or never)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import force_locale
from flask_mail import Connection

from ..i18n import HTML_LANG, LANGUAGES, site_name

if TYPE_CHECKING:
    from .relay import Claimed

# Bodies as quoted-printable UTF-8: 7-bit safe for any server, still readable French.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


@dataclass(frozen=True)
class Failure:
    """An SMTP or network error, as the outbox records it."""

    reason: str  # short and free of addresses: what the logs show
    detail: str  # the server's own words: what last_error keeps for the admin view
    permanent: bool


class SMTPConnection(Connection):
    """Flask-Mail's connection, with MAIL_TIMEOUT and verified TLS, and no test suppression.

    Flask-Mail suppresses sending whenever TESTING is on, which would let the relay mark
    undelivered messages sent: here MAIL_SERVER alone decides (empty means console mode).
    """

    def open(self) -> None:
        """Connect (and log in) to the SMTP server, or raise."""
        self.host = self.configure_host()
        self.num_emails = 0

    def configure_host(self) -> smtplib.SMTP:
        mail = self.mail
        timeout = current_app.config["MAIL_TIMEOUT"]
        # smtplib's default TLS context checks no certificate: ask for the verifying one
        # (only when TLS is on: loading the CA store costs tens of milliseconds).
        context = ssl.create_default_context() if mail.use_ssl or mail.use_tls else None
        host: smtplib.SMTP
        if mail.use_ssl:
            host = smtplib.SMTP_SSL(mail.server, mail.port, timeout=timeout, context=context)
        else:
            host = smtplib.SMTP(mail.server, mail.port, timeout=timeout)
        try:
            if mail.use_tls:
                host.starttls(context=context)
            if mail.username and mail.password:
                host.login(mail.username, mail.password)
        except BaseException:
            host.close()
            raise
        return host

    def send_message(self, sender: str, recipient: str, message: Message) -> None:
        """Hand one message to the SMTP server (raises what smtplib raises)."""
        self.host.sendmail(sender, [recipient], message.as_bytes(policy=_WIRE))

    @property
    def dropped(self) -> bool:
        # smtplib closes its socket whenever the server hangs up, times out or says 421.
        return self.host is None or self.host.sock is None

    def close_quietly(self) -> None:
        if self.host is None:
            return
        try:
            self.host.quit()
        except (OSError, smtplib.SMTPException):
            self.host.close()
        self.host = None


# SMTP wants CRLF line ends (smtplib adds none to bytes).
_WIRE = compat32.clone(linesep="\r\n")


def _header(value: str) -> str | Header:
    """Return a header's value as it may travel: ASCII as is, other text RFC 2047-encoded."""
    if "\n" in value or "\r" in value:
        raise ValueError("a line break in a header")
    return value if value.isascii() else Header(value, "utf-8")


def _address(value: str) -> str:
    """Return an address header: a non-ASCII display name encoded, the address as it is."""
    _header(value)  # refuses line breaks
    return formataddr(parseaddr(value), charset="utf-8")


def from_headers(sender: str) -> dict[str, str]:
    """Return the From header for each language: the site's name in it, then our address.

    A display name written in MAIL_DEFAULT_SENDER ("Coalition <sign-on@...>") is the
    operator's choice and stays; a bare address gets SITE_NAME (English) or SITE_NAME_FR
    (French), or the site's default name in that language.
    """
    name, address = parseaddr(sender)
    if name or not address:
        return {lang: sender for lang in LANGUAGES}
    headers = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            headers[lang] = formataddr((site_name(), address))
    return headers


def compose(item: Claimed, sender: str) -> Message:
    """Build the message to send: plain text with an HTML alternative when there is one.

    The standard library's classic (compat32) classes: Flask-Mail's messages, and the
    email package's newer ones, spent more time parsing and folding headers than sending.
    Raises ValueError when a header would hold a line break.
    """
    text = MIMEText(item.body_text, "plain", _UTF8)
    if item.body_html:
        message: Message = MIMEMultipart("alternative")
        message.attach(text)
        message.attach(MIMEText(item.body_html, "html", _UTF8))
    else:
        message = text
    message["Subject"] = _header(item.subject)
    message["From"] = _address(sender)
    message["To"] = _address(item.recipient)
    message["Date"] = formatdate(localtime=True)
    # The stored Message-ID, so a retry is recognizably the same message.
    message["Message-ID"] = _header(item.message_id)
    # RFC 3834: an automatic message, so autoresponders stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = HTML_LANG.get(item.locale, item.locale)
    return message


def classify(exc: BaseException) -> Failure:
    code: int | None = None
    text = ""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, raw = next(iter(exc.recipients.values()))
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        raw = exc.smtp_error
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if code is not None and code > 0:
        detail = f"{code} {' '.join(text.split())}".strip()
        return Failure(f"SMTP {code}", detail, 500 <= code < 600)
    # Refused, timed out or hung up: the network's fault, worth another try.
    reason = type(exc).__name__
    return Failure(reason, f"{reason}: {exc}".strip().rstrip(":"), False)

"""Keep email addresses, secret-link tokens, full IP addresses and the values of rows the
database refused out of every log line.

Redaction happens when a log record is created (a record factory), so it covers every logger
and every handler, including werkzeug's request lines, gunicorn's and the test's caplog, and
handlers added after the app started. `RedactingFilter` does the same for a handler that
bypasses the factory (a gunicorn logconfig can name it).
"""

from __future__ import annotations

import ipaddress
import logging
import re

EMAIL_MASK = "[email]"
TOKEN_MASK = "[token]"  # noqa: S105 (what replaces a token, not a secret)

# A secret link's path segment: /confirm/<token>, /manage/<token> (and sub-pages).
_LINK = re.compile(r"(/(?:confirm|manage)/)[^/\s?#\"']+")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Our Message-IDs (<32 hex digits@domain>) look like addresses but name no one.
_MESSAGE_ID = re.compile(r"^[0-9a-f]{32}@")
# tokens.issue: secrets.token_urlsafe(16), 22 URL-safe characters.
_TOKEN = re.compile(r"(?<![\w-])[A-Za-z0-9_-]{22}(?![\w-])")
_IPV4 = re.compile(r"(?<![\w.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\w.])")
# PostgreSQL quotes the values of a row it refused in the error's DETAIL ("Failing row
# contains (...)", "Key (email)=(...) already exists"): names, addresses, anything, on as many
# lines as the values have. They are masked up to what follows a DETAIL (SQLAlchemy's "[SQL:"
# line, a HINT, the next exception of a traceback); which constraint, which columns stay.
# (SQLAlchemy's own copy of the statement's parameters is left out by the engine's
# hide_parameters.)
ROW_MASK = "[row values]"
_ROW_VALUES = re.compile(
    r"(DETAIL:\s+(?:Failing row contains |Key \([^)\n]*\)=))(.*?)"
    r"(?=\n\[SQL: |\n\(Background on this error|\nHINT: |\nCONTEXT: |\n\n|\Z)",
    re.DOTALL,
)
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")


def _looks_like_token(text: str) -> bool:
    # A random token mixes digits, lower case and upper case (or - and _); the words and
    # identifiers of 22 characters that logs also hold do not.
    return (
        any(c.isdigit() for c in text)
        and any(c.islower() for c in text)
        and any(c.isupper() or c in "-_" for c in text)
    )


def _ipv4(match: re.Match) -> str:
    if any(int(part) > 255 for part in match.groups()):
        return match.group(0)
    return ".".join(match.groups()[:3]) + ".x"


def _ipv6(match: re.Match) -> str:
    text = match.group(0)
    if "::" not in text and text.count(":") < 7:
        return text  # times such as 10:05:11 have colons too
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return text
    # Keep the /48 prefix (the network), drop what identifies a device.
    return ":".join(address.exploded.split(":")[:3]) + ":x"


def redact(text: str) -> str:
    """Return `text` with email addresses, link tokens, refused rows' values and the end of IP
    addresses masked."""
    if not text:
        return text
    text = _ROW_VALUES.sub(lambda m: m.group(1) + ROW_MASK, text)
    text = _LINK.sub(lambda m: m.group(1) + TOKEN_MASK, text)
    text = _EMAIL.sub(lambda m: m.group(0) if _MESSAGE_ID.match(m.group(0)) else EMAIL_MASK, text)
    text = _TOKEN.sub(lambda m: TOKEN_MASK if _looks_like_token(m.group(0)) else m.group(0), text)
    text = _IPV4.sub(_ipv4, text)
    return _IPV6.sub(_ipv6, text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Replace a record's message (and traceback) with its redacted text."""
    if getattr(record, "_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # A broken format string: let the handler report it as usual.
        return record
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        # Exceptions quote SQL parameters and URLs: format the traceback now, redacted.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._redacted = True
    return record


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record it sees and lets it through."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install() -> None:
    """Redact every log record from now on, whoever logs it (installed once per process)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "_petition_redacting", False):
        return

    def redacting_factory(*args, **kwargs):
        return redact_record(factory(*args, **kwargs))

    redacting_factory._petition_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


def init_app(app) -> None:
    """Install the redaction for the whole process."""
    install()

"""Logs operators can use: one JSON object per line (LOG_FORMAT=json), a request id on every
line a request writes, and the same redaction in every format (and in Sentry, if used).

Request ids: a request carries one in `X-Request-ID`, sent back in the response, shown on error
pages ("Reference: ...") and stored with each email the request queued, so the relay's line
for that email names it too. An incoming `X-Request-ID` is believed only from a trusted proxy
(TRUSTED_PROXIES > 0; nginx's `$request_id` in deploy/nginx/), otherwise a new one is made: a
client cannot put words of its own into the logs.

Redaction (emails, link tokens, IP addresses, the values a database error quotes) happens when
a record is created (petition/privacy/logs.py), so every handler and format gets redacted text;
the JSON formatter also redacts the traceback it formats and any extra field it adds.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from ..privacy.logs import redact

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
# Outside a request (the relay sending one message), whose request this work continues.
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
_HANDLER_MARK = "_petition_handler"


def request_id() -> str | None:
    """Return the id of the request (or of the work) being handled now, if any."""
    if has_request_context():
        return g.get("request_id")
    return current_request_id.get()


class RequestIdFilter(logging.Filter):
    """Give every record a `request_id` attribute (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class RedactingJsonFormatter(JsonFormatter):
    """JSON lines whose traceback and extra fields are redacted like the message."""

    def formatException(self, ei) -> str:
        return redact(super().formatException(ei))

    def add_fields(self, log_record, record, message_dict) -> None:
        super().add_fields(log_record, record, message_dict)
        for key, value in list(log_record.items()):
            if isinstance(value, str):
                log_record[key] = redact(value)


def _handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(
            RedactingJsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                json_ensure_ascii=False,
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    handler.addFilter(RequestIdFilter())
    setattr(handler, _HANDLER_MARK, True)
    return handler


def configure(log_format: str, level: str = "INFO") -> None:
    """Send the root logger's records to standard error in `log_format` (text or json).

    Configured once per process (a second app in the same process changes nothing).
    """
    root = logging.getLogger()
    if any(getattr(h, _HANDLER_MARK, False) for h in root.handlers):
        return
    root.addHandler(_handler(log_format))
    root.setLevel(level)
    # Alembic announces each of its plugins at INFO on every `flask db ...`: noise, not news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _incoming_id(trusted_proxies: int) -> str | None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if trusted_proxies > 0 and _VALID_ID.fullmatch(given):
        return given
    return None


def init_app(app: Flask) -> None:
    """Give each request an id, and configure logging when LOG_FORMAT asks for it."""
    if app.config.get("LOG_FORMAT"):
        configure(app.config["LOG_FORMAT"], app.config.get("LOG_LEVEL", "INFO"))
    trusted = app.config.get("TRUSTED_PROXIES", 0)

    @app.before_request
    def _request_id():
        g.request_id = _incoming_id(trusted) or uuid.uuid4().hex

    @app.after_request
    def _send_request_id(response):
        if g.get("request_id"):
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response

    @app.context_processor
    def _request_id_in_templates():
        return {"request_id": g.get("request_id")}

    if app.config.get("SENTRY_DSN"):
        init_sentry(app)


def _scrub(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Redact an error report before it leaves for Sentry (and drop what names a person)."""
    request_data = event.get("request")
    if isinstance(request_data, dict):
        # Form bodies and cookies hold names, addresses and sessions: never sent.
        for key in ("data", "cookies", "env"):
            request_data.pop(key, None)
        headers = request_data.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in {"cookie", "authorization", "x-forwarded-for", "referer"}:
                    headers.pop(name)
    event.pop("user", None)
    return _scrub(event)


def init_sentry(app: Flask, **options) -> None:
    """Send errors to Sentry (SENTRY_DSN), scrubbed like the logs; no personal data."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.flask import FlaskIntegration
    except ImportError as exc:
        raise RuntimeError(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install '.[sentry]'"
        ) from exc
    sentry_sdk.init(
        dsn=app.config["SENTRY_DSN"],
        integrations=[FlaskIntegration()],
        include_local_variables=False,
        include_source_context=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        environment=app.config.get("PETITION_ENV"),
        **options,
    )

"""Per-IP rate limits (sign-ons, admin logins), counted in one store that every process shares.

Both limits go through `hit`: the key is the limit, the site's key prefix, the client's keyed
IP hash (never the address itself) and a scope. The store is RATELIMIT_STORAGE_URI:
`database://` (the default: the app's own database), `redis://...`, or `memory://` (each
process counts on its own; only when asked for). Whatever the store, Flask-Limiter is handed a
`FailoverStorage`: while the store cannot be reached, limits are counted in the process's
memory, so a sign-on is never lost to an outage, and the admin dashboard says so.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from limits import parse
from sqlalchemy.engine import make_url

from ..config import ConfigError
from ..extensions import limiter
from . import models  # noqa: F401 (the counters' table belongs to the schema)
from .storage import FailoverStorage, delete_expired, describe

__all__ = ["allow_login", "allow_signon", "client_key", "delete_expired", "hit", "init_app"]

KEY_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# RETURNING, which counting in one statement needs, came with SQLite 3.35.
SQLITE_MINIMUM = (3, 35, 0)


def default_key_prefix(base_url: str) -> str:
    """Return the site's key prefix when none is set: a digest of BASE_URL.

    A digest, not the host name, so no key ever holds anything that looks like an address
    (BASE_URL may be one); BASE_URL is public, so the digest hides nothing worth hiding.
    """
    return "petition-" + hashlib.sha256(base_url.encode()).hexdigest()[:16]


def check_key_prefix(prefix: str) -> str:
    """Return `prefix` if it can start a rate-limit key, else raise ConfigError."""
    if not KEY_PREFIX_PATTERN.fullmatch(prefix):
        raise ConfigError(
            "RATELIMIT_KEY_PREFIX must be 1 to 64 letters, digits or . _ : - characters"
        )
    return prefix


def init_app(app: Flask) -> None:
    """Choose the store and the key prefix, warn of what they cannot promise, bind Flask-Limiter."""
    config = app.config
    if not config.get("RATELIMIT_KEY_PREFIX"):
        config["RATELIMIT_KEY_PREFIX"] = default_key_prefix(config["BASE_URL"])
    check_key_prefix(config["RATELIMIT_KEY_PREFIX"])
    store = config["RATELIMIT_STORAGE_URI"]
    scheme = urlsplit(store).scheme
    if scheme == "database":
        _check_database(config["SQLALCHEMY_DATABASE_URI"])
    elif scheme == "memory" and config["PETITION_ENV"] == "production":
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: every app process (gunicorn worker) counts "
            "sign-ons and logins on its own, so the limits are multiplied by the number of "
            "processes. Use database:// (the default) or redis://."
        )
    # Flask-Limiter builds its storage from these (see extensions.limiter): the failover
    # store, around the configured one.
    config["RATELIMIT_STORAGE_OPTIONS"] = {"store": store}
    limiter.init_app(app)


def _check_database(database_url: str) -> None:
    backend = make_url(database_url).get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(
            "RATELIMIT_STORAGE_URI=database:// works on SQLite and PostgreSQL only; "
            "use redis://... with this database"
        )
    if backend == "sqlite" and sqlite3.sqlite_version_info < SQLITE_MINIMUM:
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI=database:// needs SQLite 3.35 or later, not "
            f"{sqlite3.sqlite_version}; use redis://... or a newer SQLite"
        )


def client_key(ip: str | None = None) -> str:
    """Return the rate-limit key of a client: the keyed hash of its IP (default: this request's)."""
    from ..security import ip_hash

    return ip_hash(request.remote_addr if ip is None else ip)


def hit(setting: str, scope: str, ip: str | None = None) -> bool:
    """Count one request against the limit in setting `setting`; say whether it is within it."""
    config = current_app.config
    item = parse(config[setting])
    return limiter.limiter.hit(item, config["RATELIMIT_KEY_PREFIX"], client_key(ip), scope)


def allow_signon(ip: str | None = None) -> bool:
    """Count one sign-on from `ip`; say whether it is within SIGNON_RATE_LIMIT."""
    return hit("SIGNON_RATE_LIMIT", "signon", ip)


def allow_login() -> bool:
    """Count one login attempt from this client; say whether it is within LOGIN_RATE_LIMIT."""
    return hit("LOGIN_RATE_LIMIT", "login")


def store_outage() -> datetime | None:
    """Return since when this process finds the rate-limit store unreachable, or None."""
    storage = limiter.storage
    return storage.outage() if isinstance(storage, FailoverStorage) else None


def store_description() -> str:
    """Return the configured store's URI without its password."""
    return describe(current_app.config["RATELIMIT_STORAGE_URI"])

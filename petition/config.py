"""Settings, read only from the environment (and an optional `.env`), with safe defaults.

Every variable read here is listed in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or unusable; the message says which and how to fix it."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _names(value: str | None) -> list[str]:
    """Return the names in a comma-separated list, lowercased, without blanks."""
    return [name.strip().lower() for name in (value or "").split(",") if name.strip()]


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = env.get(name, "") or default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def _dev_secret_key(instance_path: Path) -> str:
    """Return the development secret key kept in the instance folder, creating it once."""
    key_file = instance_path / "dev-secret-key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def from_environment(instance_path: str, env: dict[str, str] | None = None) -> dict:
    """Build the app's settings from environment variables."""
    if env is None:
        from dotenv import dotenv_values

        # A `.env` file fills in what the real environment leaves unset.
        env = {**dotenv_values(".env"), **os.environ}
    env = {k: v for k, v in env.items() if v is not None}
    instance = Path(instance_path)
    environment = env.get("PETITION_ENV", "production")
    if environment not in {"production", "development"}:
        raise ConfigError("PETITION_ENV must be 'production' or 'development'")

    secret_key = env.get("SECRET_KEY", "")
    if not secret_key:
        if environment != "development":
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value, for example: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        secret_key = _dev_secret_key(instance)

    base_url = env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'petition.sqlite3'}"
    mail_server = env.get("MAIL_SERVER", "")

    pool = {
        name: _int(env, name, default)
        for name, default in (
            ("DATABASE_POOL_SIZE", 5),
            ("DATABASE_MAX_OVERFLOW", 10),
            ("DATABASE_POOL_TIMEOUT", 30),
            ("DATABASE_POOL_RECYCLE", 1800),
            ("DATABASE_CONNECT_TIMEOUT", 5),
        )
    }
    from .db_connections import engine_options

    return {
        "PETITION_ENV": environment,
        "SECRET_KEY": secret_key,
        "BASE_URL": base_url,
        # `petition dev` puts its own address in BASE_URL unless it was set.
        "BASE_URL_SET": bool(env.get("BASE_URL")),
        "ALLOWED_HOSTS": _names(env.get("ALLOWED_HOSTS")),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url, pool),
        **pool,
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": _int(env, "MAIL_PORT", 587 if mail_server else 25),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), default=bool(mail_server)),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "sign-on@localhost"),
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 30),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "database://",
        # Empty: derived from BASE_URL (petition.ratelimit.default_key_prefix).
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", ""),
        "SIGNON_RATE_LIMIT": env.get("SIGNON_RATE_LIMIT", "20 per hour"),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        "TIMEZONE": env.get("TIMEZONE", "America/Toronto"),
        "SITE_NAME": env.get("SITE_NAME", ""),
        "SITE_NAME_FR": env.get("SITE_NAME_FR", ""),
        "PRIVACY_CONTACT": env.get("PRIVACY_CONTACT", "privacy@example.org"),
        "CONFIRM_TOKEN_HOURS": _int(env, "CONFIRM_TOKEN_HOURS", 72),
        "EMAILS_PER_ADDRESS_PER_DAY": _int(env, "EMAILS_PER_ADDRESS_PER_DAY", 5),
        "MIN_FILL_SECONDS": _int(env, "MIN_FILL_SECONDS", 3),
        "INVALIDATE_WEB_LIMIT": _int(env, "INVALIDATE_WEB_LIMIT", 2000),
        "TRENDING_BASELINE_DAYS": _int(env, "TRENDING_BASELINE_DAYS", 28),
        "UNVERIFIED_RETENTION_DAYS": _int(env, "UNVERIFIED_RETENTION_DAYS", 7),
        "ANONYMIZE_AFTER_DAYS": _int(env, "ANONYMIZE_AFTER_DAYS", 90),
        "ADMIN_IDLE_MINUTES": _int(env, "ADMIN_IDLE_MINUTES", 60),
        "ADMIN_SESSION_HOURS": min(_int(env, "ADMIN_SESSION_HOURS", 12), 12),
        "PUBLIC_CACHE_SECONDS": _int(env, "PUBLIC_CACHE_SECONDS", 1),
        "REDIS_URL": env.get("REDIS_URL", ""),
        "PUBLIC_PAGE_CACHE_SECONDS": _int(env, "PUBLIC_PAGE_CACHE_SECONDS", 2),
        "OUTBOX_MAX_ATTEMPTS": _int(env, "OUTBOX_MAX_ATTEMPTS", 8),
        "OUTBOX_POLL_SECONDS": _int(env, "OUTBOX_POLL_SECONDS", 5),
        "OUTBOX_CLAIM_SECONDS": _int(env, "OUTBOX_CLAIM_SECONDS", 10),
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "RELAY_METRICS_PORT": _int(env, "RELAY_METRICS_PORT", 0),
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", ("text", "json"), "text"),
        "LOG_LEVEL": _choice(env, "LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
        "SENTRY_DSN": env.get("SENTRY_DSN", ""),
        "READY_OUTBOX_MAX_AGE_SECONDS": _int(env, "READY_OUTBOX_MAX_AGE_SECONDS", 900),
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        # Uploaded logos (petition.logos.storage): outside the code, shared by every process.
        "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(instance / "media"),
    }


class BaseConfig:
    """Defaults shared by every environment; `from_environment` overrides them."""

    LANGUAGES = ("en", "fr")
    BASE_URL_SET = True
    ALLOWED_HOSTS: list[str] = []
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")
    # A database error's message would quote the statement's values (a signer's name, say),
    # and it reaches the error log with the traceback: SQLAlchemy leaves them out.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "petition_session"
    WTF_CSRF_TIME_LIMIT = None  # The token lives as long as the session.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    RATELIMIT_HEADERS_ENABLED = False
    # The one strategy every store here implements (database://, redis://, memory://).
    RATELIMIT_STRATEGY = "sliding-window-counter"
    MAIL_CONSOLE = False
    OUTBOX_MAX_ATTEMPTS = 8
    OUTBOX_POLL_SECONDS = 5
    PUBLIC_PAGE_CACHE_SECONDS = 2
    READY_OUTBOX_MAX_AGE_SECONDS = 900


def settings_for_tests(database_url: str = "sqlite://", **overrides) -> dict:
    """Return settings for tests: no files, no network, nothing read from the environment."""
    config = {
        "TESTING": True,
        "PETITION_ENV": "development",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "BASE_URL": "https://petition.test",
        # The test client's own Host (werkzeug's default), beside BASE_URL's petition.test.
        "ALLOWED_HOSTS": ["localhost"],
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "sign-on@petition.test",
        "MAIL_TIMEOUT": 10,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SIGNON_RATE_LIMIT": "1000 per hour",
        "LOGIN_RATE_LIMIT": "1000 per hour",
        "TRUSTED_PROXIES": 0,
        "TIMEZONE": "America/Toronto",
        "SITE_NAME": "",
        "SITE_NAME_FR": "",
        "PRIVACY_CONTACT": "privacy@petition.test",
        "CONFIRM_TOKEN_HOURS": 72,
        "EMAILS_PER_ADDRESS_PER_DAY": 5,
        "MIN_FILL_SECONDS": 0,
        "UNVERIFIED_RETENTION_DAYS": 7,
        "ANONYMIZE_AFTER_DAYS": 90,
        "ADMIN_IDLE_MINUTES": 60,
        "ADMIN_SESSION_HOURS": 12,
        "PUBLIC_CACHE_SECONDS": 1,
        "SESSION_COOKIE_SECURE": False,
    }
    config.update(overrides)
    return config

"""Times entered and shown on the site's clock (TIMEZONE), stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def site_zone() -> ZoneInfo:
    """Return the site's time zone (config TIMEZONE)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


class NoSuchLocalTime(ValueError):
    """The clock skips this local time (the spring change to daylight saving time)."""


def local_to_utc(value: datetime) -> datetime:
    """Read a naive wall-clock time in the site's time zone and return it in UTC."""
    zone = site_zone()
    aware = value.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    # A time inside the spring-forward gap comes back as a different wall-clock time.
    if utc.astimezone(zone).replace(tzinfo=None) != value:
        raise NoSuchLocalTime(value.isoformat())
    return utc


def utc_to_local(value: datetime | None) -> datetime | None:
    """Return a stored UTC time as a naive wall-clock time in the site's time zone."""
    if value is None:
        return None
    return value.astimezone(site_zone()).replace(tzinfo=None)


def local_midnight(day: date) -> datetime:
    """Return the start of `day` in the site's time zone, in UTC."""
    return datetime.combine(day, time.min, tzinfo=site_zone()).astimezone(UTC)

"""The admin export's fast local times agree with an exact conversion, DST changes included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from petition.directory.exports import _LocalTimes


def exact(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("zone", "around"),
    [
        ("America/Toronto", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),  # clocks go forward
        ("America/Toronto", datetime(2026, 11, 1, 6, 0, tzinfo=UTC)),  # and back
        ("America/St_Johns", datetime(2026, 3, 8, 5, 30, tzinfo=UTC)),  # half an hour off UTC
        ("America/St_Johns", datetime(2026, 11, 1, 4, 30, tzinfo=UTC)),
        ("America/Regina", datetime(2026, 7, 1, 0, 0, tzinfo=UTC)),  # no DST at all
    ],
)
def test_every_minute_around_a_change_matches(zone, around):
    timezone = ZoneInfo(zone)
    times = _LocalTimes(timezone)
    for minute in range(-150, 150):
        moment = around + timedelta(minutes=minute, seconds=17, microseconds=250)
        expected = exact(moment, timezone)
        # As SQLite gives it (text, UTC), and as PostgreSQL does (aware, any offset).
        assert times(moment.strftime("%Y-%m-%d %H:%M:%S.%f")) == expected
        assert times(moment) == expected
        assert times(moment.astimezone(ZoneInfo("Europe/Paris"))) == expected
    assert times(None) == ""

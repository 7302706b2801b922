"""Geometry for the dashboard's charts, drawn as SVG by templates (no JavaScript, no styles).

The template only places what this module measured: bars, grid lines and labels in the
coordinates of the SVG's viewBox. Colours come from classes in admin.css.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from .dashboard import DayCount

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 24, 12, 30
LABEL_EVERY = 7


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass(frozen=True)
class Column:
    day: date
    signed: Bar
    confirmed: Bar
    # Where the day's label goes, and whether it has one (one label a week keeps them legible).
    label_x: float
    labelled: bool


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class DailyChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    columns: list[Column]
    ticks: list[Tick]


def nice_step(largest: int, most_ticks: int = 5) -> int:
    """Return a grid step of 1, 2 or 5 times a power of ten giving at most `most_ticks` lines."""
    if largest <= most_ticks:
        return 1
    raw = largest / most_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def daily_chart(days: list[DayCount]) -> DailyChart:
    """Measure a grouped bar chart of sign-ons and confirmations per day."""
    largest = max((max(d.signed, d.confirmed) for d in days), default=0)
    step = nice_step(max(largest, 1))
    ceiling = step * max(1, math.ceil(largest / step))
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    plot_height = bottom - TOP
    slot = (right - LEFT) / max(len(days), 1)
    bar_width = slot * 0.4

    def bar(x: float, value: int) -> Bar:
        height = plot_height * value / ceiling
        return Bar(
            round(x, 2), round(bottom - height, 2), round(bar_width, 2), round(height, 2), value
        )

    columns = []
    last = len(days) - 1
    for index, day in enumerate(days):
        start = LEFT + index * slot
        gap = slot * 0.1
        columns.append(
            Column(
                day=day.day,
                signed=bar(start + gap, day.signed),
                confirmed=bar(start + gap + bar_width, day.confirmed),
                label_x=round(start + slot / 2, 2),
                labelled=(last - index) % LABEL_EVERY == 0,
            )
        )
    ticks = [
        Tick(round(bottom - plot_height * value / ceiling, 2), value)
        for value in range(0, ceiling + 1, step)
    ]
    return DailyChart(WIDTH, HEIGHT, LEFT, right, TOP, bottom, columns, ticks)


def bar_percent(value: int, largest: int) -> float:
    """Return `value` as a percentage of `largest`, for a simple horizontal bar."""
    return round(100 * value / largest, 1) if largest else 0.0

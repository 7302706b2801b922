"""What an import did with each row, for the page and the command line."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from flask_babel import LazyString

from ..models import (
    EndorsementStatus,
)


class Outcome(enum.StrEnum):
    IMPORTED = "imported"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Problem:
    code: str
    message: LazyString

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class RowResult:
    """What became of one row; `row` is its line number as a spreadsheet shows it."""

    row: int
    outcome: Outcome
    org_name: str
    problems: list[Problem] = field(default_factory=list)
    # MERGED: the earlier row it merged into, and why (same email, or same name and website).
    merged_into: int | None = None
    match: str = ""
    # UNCHANGED: the endorsement already on the platform.
    existing_id: int | None = None
    # IMPORTED: the status it arrives with, and the flags moderators see.
    status: EndorsementStatus | None = None
    flags: set[str] = field(default_factory=set)
    notes: list[LazyString] = field(default_factory=list)


@dataclass
class ImportReport:
    platform_slug: str
    dry_run: bool
    results: list[RowResult] = field(default_factory=list)
    encoding: str = "utf-8"

    def of(self, outcome: Outcome) -> list[RowResult]:
        return [r for r in self.results if r.outcome == outcome]

    def counts(self) -> dict[Outcome, int]:
        counts = dict.fromkeys(Outcome, 0)
        for result in self.results:
            counts[result.outcome] += 1
        return counts

    @property
    def rows(self) -> int:
        return len(self.results)

"""Which column holds which field: the default headings, or a JSON mapping file."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..models import (
    OrgType,
    Province,
)
from .fields import DEFAULT_HEADERS, FIELDS, compact
from .values import default_org_types, default_provinces


class MappingError(ValueError):
    """A column mapping file that cannot be used; the message says why."""


@dataclass(frozen=True)
class ColumnMapping:
    """Which heading holds each field, and extra spellings of provinces and types."""

    headers: dict[str, tuple[str, ...]]
    provinces: dict[str, Province]
    org_types: dict[str, OrgType]
    # "MDY" or "DMY" for dates like 12/3/2021; None guesses from the file (month first
    # unless a day above 12 says otherwise, as Google Forms exports in English).
    date_order: str | None = None

    @classmethod
    def default(cls) -> ColumnMapping:
        return cls(dict(DEFAULT_HEADERS), default_provinces(), default_org_types())


def load_mapping(text: str) -> ColumnMapping:
    """Read a JSON column mapping over the default; raise MappingError saying what is wrong.

    Either `{"email": "Courriel", ...}` (our field name to a heading, or a list of headings),
    or `{"columns": {...}, "provinces": {"Île-du-P.-É.": "PE"}, "org_types": {"Coalition":
    "community"}, "date_order": "DMY"}`.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MappingError(f"the mapping is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError("the mapping must be a JSON object")
    sections = {"columns", "provinces", "org_types", "date_order"}
    if not set(data) & sections:
        data = {"columns": data}
    unknown = set(data) - sections
    if unknown:
        raise MappingError(f"unknown mapping sections: {', '.join(sorted(unknown))}")
    mapping = ColumnMapping.default()
    headers = dict(mapping.headers)
    for name, value in (data.get("columns") or {}).items():
        if name not in FIELDS:
            raise MappingError(f"unknown field {name!r}; the fields are: {', '.join(FIELDS)}")
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise MappingError(f"the heading for {name!r} must be a text or a list of texts")
        headers[name] = tuple(values)
    provinces = dict(mapping.provinces)
    for text_value, code in (data.get("provinces") or {}).items():
        try:
            provinces[compact(text_value)] = Province(code)
        except ValueError as exc:
            codes = ", ".join(p.value for p in Province)
            raise MappingError(f"unknown province code {code!r}; use one of: {codes}") from exc
    org_types = dict(mapping.org_types)
    for text_value, code in (data.get("org_types") or {}).items():
        try:
            org_types[compact(text_value)] = OrgType(code)
        except ValueError as exc:
            codes = ", ".join(t.value for t in OrgType)
            raise MappingError(f"unknown organization type {code!r}; use one of: {codes}") from exc
    date_order = data.get("date_order")
    if date_order not in (None, "MDY", "DMY"):
        raise MappingError('date_order must be "MDY" or "DMY"')
    return ColumnMapping(headers, provinces, org_types, date_order)

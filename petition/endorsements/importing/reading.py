"""Reading the file: its encoding, its delimiter, its headings and its rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import LazyString

from ...i18n import _l
from .fields import FIELD_LABELS, FIELDS, REQUIRED_FIELDS, compact
from .mapping import ColumnMapping


class ImportFileError(ValueError):
    """A file that cannot be imported at all; `message` explains it (translated lazily)."""

    def __init__(self, message: LazyString | str):
        super().__init__(str(message))
        self.message = message


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Return the text of an uploaded file and the encoding it was read with.

    UTF-8 (with or without a byte-order mark) first, UTF-16 when marked, then Windows-1252
    only when every byte means something in it; otherwise refuse.
    """
    if not data.strip():
        raise ImportFileError(_l("The file is empty."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _l(
                "This is a spreadsheet workbook, not a CSV file. Save it as “CSV UTF-8” from "
                "the spreadsheet and import that file."
            )
        )
    candidates = [encoding] if encoding else []
    if not encoding:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8-sig", "cp1252"]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" in text:
            break
        return text, "utf-8" if candidate == "utf-8-sig" else candidate
    raise ImportFileError(
        _l(
            "The file's characters cannot be read: it is not UTF-8 text. Save it as “CSV "
            "UTF-8” from the spreadsheet, or name its encoding with --encoding."
        )
    )


@dataclass
class ParsedFile:
    headers: list[str]
    columns: dict[str, int]
    # (row number as a spreadsheet shows it, cells); blank rows are left out.
    rows: list[tuple[int, list[str]]]


def _header_matches(header: str, names: Iterable[str]) -> bool:
    wanted = {compact(n) for n in names}
    parts = [header, *header.split(" / ")] if " / " in header else [header]
    return any(compact(part) in wanted for part in parts if part.strip())


def _resolve_columns(headers: list[str], mapping: ColumnMapping) -> dict[str, int]:
    columns: dict[str, int] = {}
    for name in FIELDS:
        found = [i for i, h in enumerate(headers) if _header_matches(h, mapping.headers[name])]
        if len(found) > 1:
            raise ImportFileError(
                _l(
                    "Several columns could hold the %(field)s: %(columns)s. Name the right "
                    "one in a mapping file (--mapping).",
                    field=FIELD_LABELS[name],
                    columns=", ".join(f"“{headers[i]}”" for i in found),
                )
            )
        if found:
            columns[name] = found[0]
    if not columns:
        raise ImportFileError(
            _l(
                "The first line does not look like column headings: none of the expected "
                "columns was found. Is this a CSV export of the sign-on form?"
            )
        )
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ImportFileError(
            _l(
                "Required columns are missing: %(fields)s. Add them to the file, or name the "
                "columns that hold them in a mapping file (--mapping).",
                fields=", ".join(str(FIELD_LABELS[name]) for name in missing),
            )
        )
    return columns


def _delimiter(first_line: str) -> str:
    """Guess the delimiter from the heading line (French spreadsheets often use ";")."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_formula_aware(line: str, delimiter: str) -> list[str]:
    """Split one CSV record, reading an unquoted `=FORMULA(...)` cell as a whole.

    Some tools export a formula cell without quoting it, so the commas between its arguments
    split it across columns. A spreadsheet formula keeps its commas inside parentheses and
    "..." strings; this reads to the comma after the closing parenthesis instead.
    """
    cells: list[str] = []
    i, n = 0, len(line)
    while True:
        chars: list[str] = []
        if i < n and line[i] == '"':
            i += 1
            while i < n:
                if line[i] == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        chars.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                chars.append(line[i])
                i += 1
        formula = i < n and line[i] == "=" and not chars
        depth, in_string = 0, False
        while i < n:
            char = line[i]
            if formula and in_string:
                in_string = char != '"'
            elif formula and char == '"':
                in_string = True
            elif formula and char in "()":
                depth += 1 if char == "(" else -1
            elif char == delimiter and depth <= 0:
                break
            chars.append(char)
            i += 1
        cells.append("".join(chars))
        if i >= n:
            return cells
        i += 1


def parse(text: str, mapping: ColumnMapping) -> ParsedFile:
    """Split CSV text into headings and numbered rows and find the mapped columns."""
    delimiter = _delimiter(text.partition("\n")[0])
    raw_lines: list[str] = []

    def lines():
        for line in io.StringIO(text, newline=""):
            raw_lines.append(line)
            yield line

    records: list[tuple[int, list[str]]] = []
    try:
        reader = csv.reader(lines(), delimiter=delimiter, strict=False)
        for number, cells in enumerate(reader, start=1):
            raw = "".join(raw_lines)
            raw_lines.clear()
            records.append((number, cells))
            if records[0][0] != number and len(cells) > len(records[0][1]):
                # More cells than headings: an unquoted formula may have been split.
                repaired = split_formula_aware(raw.rstrip("\r\n"), delimiter)
                if len(repaired) <= len(records[0][1]):
                    records[-1] = (number, repaired)
    except csv.Error as exc:
        raise ImportFileError(
            _l("The file is not readable as CSV: %(problem)s.", problem=str(exc))
        ) from exc
    records = [(n, r) for n, r in records if any(cell.strip() for cell in r)]
    if not records:
        raise ImportFileError(_l("The file is empty."))
    headers = [h.strip() for h in records[0][1]]
    columns = _resolve_columns(headers, mapping)
    if len(records) == 1:
        raise ImportFileError(_l("The file has column headings but no rows to import."))
    return ParsedFile(headers, columns, records[1:])

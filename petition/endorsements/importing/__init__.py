"""Import an existing sign-on list (a form tool's CSV export) as organization endorsements.

The rules, in the order they apply to each row:

- Columns are found by their heading (ColumnMapping: a default that reads English, French and
  bilingual "English / Français" headings, overridable by a JSON file).
- Values are read tolerantly (accents, case and punctuation ignored): provinces by code or by
  English or French name, organization types in either language, yes/no in either language.
  A value that cannot be read with certainty rejects the row, with the reason: nothing is
  guessed into something else.
- A row without a valid email address is rejected: its endorser could never confirm, change
  or withdraw the endorsement.
- Duplicates (same canonical email, or same folded organization name and website domain)
  merge into the first row of the file: blank fields are filled from later rows, and the latest
  answer about public listing wins (it is the person's most recent choice). A row that matches
  an endorsement already on the platform leaves that endorsement unchanged, so importing the
  same file twice changes nothing.
- Rows that consented to public listing arrive as pending review (approved with `approve`,
  for lists the coalition already vetted). Rows that did not consent are kept for the count
  the coalition holds, with no public-listing consent and the `no_listing_consent` flag:
  `services.can_approve` refuses them, so they can never be shown.
- Cells are stored as given. A cell that a spreadsheet would run as a formula is kept as text
  and flagged `formula_cell` for moderators (exports neutralize such cells on the way out).

`import_endorsements` holds the rules and writes with bulk inserts in the caller's
transaction (the caller commits once: an interrupted import writes nothing).

The package, in the order a file goes through it: reading.py (encoding, delimiter, rows),
mapping.py (which column is which field), fields.py and values.py (what a cell may hold),
rows.py (a row into values or problems), apply.py (duplicates, flags, bulk insert), and
report.py (what became of each row).
"""

from .apply import import_endorsements, import_upload
from .fields import FLAG_LABELS, NO_LISTING_CONSENT, SOURCE
from .mapping import ColumnMapping, MappingError, load_mapping
from .reading import ImportFileError, decode, parse
from .report import ImportReport, Outcome, Problem, RowResult

__all__ = [
    "FLAG_LABELS",
    "NO_LISTING_CONSENT",
    "SOURCE",
    "ColumnMapping",
    "ImportFileError",
    "ImportReport",
    "MappingError",
    "Outcome",
    "Problem",
    "RowResult",
    "decode",
    "import_endorsements",
    "import_upload",
    "load_mapping",
    "parse",
]

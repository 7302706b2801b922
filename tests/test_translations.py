"""The French catalogue is complete: every UI string translated, nothing fuzzy, .mo up to date."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "petition/translations/fr/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [
    ("petition/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="fr")


def _source_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=METHODS,
        keywords=KEYWORDS,
        # Babel skips folders starting with "_" by default; templates/_macros holds UI text.
        directory_filter=lambda path: (
            not Path(path).name.startswith(".")
            and Path(path).name not in {"node_modules", "instance", "tests", "bench"}
        ),
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_french_entry_is_translated_and_not_fuzzy():
    catalog = _catalog()
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_every_ui_string_in_the_code_is_in_the_catalogue():
    catalog = _catalog()
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(_source_messages() - known)
    assert not missing, (
        f"{len(missing)} strings missing from messages.po (run `flask translate update`): "
        f"{missing[:10]}"
    )


def test_placeholders_survive_translation():
    import re

    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(re.findall(r"%\((\w+)\)s", " ".join(ids)))
        for string in strings:
            assert set(re.findall(r"%\((\w+)\)s", string)) <= expected | {"num"}, message.id
            assert expected - {"num"} <= set(re.findall(r"%\((\w+)\)s", string)), message.id


def _hashable(value):
    # Plural entries come back from read_mo as lists.
    return tuple(value) if isinstance(value, list) else value


def test_compiled_catalogue_matches_the_po_file():
    compiled = BytesIO()
    write_mo(compiled, _catalog())

    # Plural entries come back from read_mo as lists: make them hashable to compare.
    def entries(mo):
        return {_hashable(m.id): _hashable(m.string) for m in read_mo(mo) if m.id}

    with MO.open("rb") as f:
        shipped = entries(f)
    compiled.seek(0)
    fresh = entries(compiled)
    assert shipped == fresh, "messages.mo is stale: run `flask translate compile`"


# French typography (Office québécois de la langue française, and the team's rule): a no-break
# space (U+00A0, or the narrow U+202F) before : ; ! ? », after «; French quotes, never "“”.
ORDINARY_SPACE_BEFORE = re.compile(r"[ \t]([:;!?»])")
# Glued to the word: "publique?" ("https://..." and "9:30" are not words followed by a space).
NO_SPACE_BEFORE = re.compile(r"[^\s\u00a0\u202f:/\d]([;!?:])(?=\s|$)")
ORDINARY_SPACE_AFTER = re.compile(r"«[ \t]")
GLUED_GUILLEMETS = re.compile(r"«[^\u00a0\u202f]|[^\u00a0\u202f]»")
ENGLISH_QUOTES = re.compile(r"[\"“”]")


def french_typography_problems(text: str) -> list[str]:
    """Return what a Quebec editor would correct in `text` (empty when it reads right)."""
    problems = []
    for pattern, what in (
        (ORDINARY_SPACE_BEFORE, "ordinary space before high punctuation"),
        (NO_SPACE_BEFORE, "no space before high punctuation"),
        (ORDINARY_SPACE_AFTER, "ordinary space after «"),
        (GLUED_GUILLEMETS, "« » without a no-break space inside"),
        (ENGLISH_QUOTES, "English quotation marks"),
    ):
        for match in pattern.finditer(text):
            start = max(match.start() - 20, 0)
            problems.append(f"{what}: …{text[start : match.end() + 10]}…")
    return problems


def test_french_catalogue_follows_french_typography():
    problems = []
    for message in _catalog():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            problems.extend(french_typography_problems(string))
    assert not problems, f"{len(problems)} French strings to correct: {problems[:8]}"

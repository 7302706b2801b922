"""A platform's texts in both languages, and whether it may be published."""

from __future__ import annotations

from typing import Any

from ... import audit
from ...audit import Actor
from ...extensions import db
from ...i18n import _l
from ..models import Platform, PlatformText
from .rules import LOCALES, PUBLIC_STATUSES, TEXT_FIELDS, TEXT_NAMES, EditRefused


def text_value(platform: Platform, locale: str, field: str) -> str:
    """Return one stored text field (empty when the locale has no text yet)."""
    text = platform.texts.get(locale)
    return getattr(text, field) if text is not None else ""


def missing_texts(platform: Platform, texts: dict[str, dict[str, str]] | None = None) -> list:
    """List the texts still missing for publishing (names in the admin's language).

    `texts` (locale -> field -> value) replaces the stored texts where given, so a form can
    check what it is about to save.
    """
    missing = []
    for locale in LOCALES:
        for field in TEXT_FIELDS:
            given = (texts or {}).get(locale, {})
            value = given[field] if field in given else text_value(platform, locale, field)
            if not (value or "").strip():
                missing.append(TEXT_NAMES[(locale, field)])
    return missing


def publish_problem(platform: Platform, texts: dict[str, dict[str, str]] | None = None):
    """Return why `platform` may not be public yet, or None when both languages are complete."""
    missing = missing_texts(platform, texts)
    if not missing:
        return None
    return _l(
        "A platform can only be public once both languages have a title, a summary and a "
        "text. Missing: %(missing)s.",
        missing=", ".join(str(name) for name in missing),
    )


def texts_problems(platform: Platform, texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Check new texts; a public platform may not lose a required text."""
    problems: dict[str, Any] = {}
    if platform.status in PUBLIC_STATUSES:
        for locale in LOCALES:
            for field in TEXT_FIELDS:
                value = texts.get(locale, {}).get(field)
                if value is not None and not value.strip():
                    problems[f"{field}_{locale}"] = _l(
                        "A public platform needs this text. To remove it, set the platform "
                        "back to draft first."
                    )
    return problems


def update_texts(platform: Platform, texts: dict[str, dict[str, str]], actor: Actor) -> bool:
    """Save the platform's texts (locale -> title/summary/body); return whether any changed."""
    problems = texts_problems(platform, texts)
    if problems:
        raise EditRefused(problems)
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for locale in LOCALES:
        given = texts.get(locale)
        if not given:
            continue
        text = platform.texts.get(locale)
        for field in TEXT_FIELDS:
            if field not in given:
                continue
            old = getattr(text, field) if text is not None else ""
            if old != given[field]:
                before[f"{field}_{locale}"] = old
                after[f"{field}_{locale}"] = given[field]
                if text is None:
                    text = PlatformText(locale=locale, title="", summary="", body="")
                    platform.texts[locale] = text
                setattr(text, field, given[field])
    if not after:
        return False
    audit.record(
        "platform.texts",
        actor=actor,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
        details={"before": before, "after": after},
    )
    db.session.flush()
    return True

"""Dates, times, numbers and quoted titles as a Quebec editor writes them (and English too)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from flask_babel import force_locale

from petition.i18n import format_date, format_time, format_when, ngettext, quoted

NBSP = "\u00a0"


@pytest.fixture
def speak(app):
    def within(lang, function, *args, **kwargs):
        with app.test_request_context(), force_locale(lang):
            return function(*args, **kwargs)

    return within


def test_the_first_of_the_month_is_1er_in_french_only(speak):
    assert speak("fr", format_date, date(2027, 3, 1), "long") == "1er mars 2027"
    assert speak("fr", format_date, date(2027, 3, 2), "long") == "2 mars 2027"
    assert speak("fr", format_date, date(2026, 12, 1), "full") == "mardi 1er décembre 2026"
    assert speak("en", format_date, date(2027, 3, 1), "long") == "March 1, 2027"


def test_times_are_9_h_30_in_french_with_no_break_spaces(speak):
    assert speak("fr", format_time, time(9, 30)) == f"9{NBSP}h{NBSP}30"
    assert speak("fr", format_time, time(14, 0)) == f"14{NBSP}h"
    assert speak("en", format_time, time(9, 30)).replace("\u202f", " ") == "9:30 AM"


def test_a_moment_is_a_day_and_time_on_the_sites_clock(speak):
    # 2027-03-01 14:30 UTC is 9 h 30 in Toronto (the default TIMEZONE), still the 1st.
    moment = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)
    assert speak("fr", format_when, moment) == f"1er mars 2027 à 9{NBSP}h{NBSP}30"
    # 03:30 UTC on the 2nd is still the evening of the 1st in Toronto.
    assert speak("fr", format_date, datetime(2027, 3, 2, 3, 30, tzinfo=UTC), "long") == (
        "1er mars 2027"
    )


def test_counts_are_grouped_as_each_language_groups_them(speak):
    french = speak("fr", ngettext, "%(num)d endorsement", "%(num)d endorsements", 1556)
    assert french.replace("\u202f", NBSP) == f"1{NBSP}556 appuis"
    assert speak("en", ngettext, "%(num)d endorsement", "%(num)d endorsements", 1556) == (
        "1,556 endorsements"
    )


def test_titles_inserted_into_text_are_quoted_in_each_languages_way(speak):
    assert speak("fr", quoted, "Décriminaliser") == f"«{NBSP}Décriminaliser{NBSP}»"
    assert speak("en", quoted, "Decriminalize") == "“Decriminalize”"


def test_wtforms_own_messages_are_french_and_read_once_a_process(app, client, monkeypatch):
    from babel import support

    from petition.extensions import db
    from tests.factories import make_platform

    with app.app_context():
        make_platform("formats")
        db.session.commit()
    loads = []
    load = support.Translations.load

    def counted(*args, **kwargs):
        loads.append(kwargs.get("domain"))
        return load(*args, **kwargs)

    monkeypatch.setattr(support.Translations, "load", counted)
    for _ in range(3):
        page = client.get("/fr/p/formats/sign/individual").get_data(as_text=True)
        csrf = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        answer = client.post(
            "/fr/p/formats/sign/individual",
            data={"csrf_token": csrf, "province": "XX", "email": "a@b.example", "name": "R"},
        )
        # WTForms' own message for a value no option offers, in French.
        assert "N&#39;est pas un choix valide." in answer.get_data(as_text=True)
    assert loads.count("wtforms") <= 1

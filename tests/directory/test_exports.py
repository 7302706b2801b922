"""Downloads: spreadsheet-safe CSV with a BOM, JSON, the admin export, the printable list."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask_babel import force_locale

from petition.directory import exports
from petition.endorsements.models import (
    DisplayMode,
    EndorsementStatus,
    OrgType,
    Province,
)
from petition.extensions import db
from tests.directory.endorsers import add_endorsement, add_individual
from tests.factories import make_platform
from tests.pages import text

SLUG = "drug-policy"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Réseau = pairs", "Réseau = pairs"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_neutralize(value, expected):
    assert exports.neutralize(value) == expected


def test_csv_stream_has_bom_and_comes_in_chunks():
    rows = ([f"Groupe {n}", "=1+1"] for n in range(1200))
    chunks = list(exports.csv_stream(["Nom", "@note"], rows, rows_per_chunk=500))
    assert len(chunks) == 3
    body = "".join(chunks)
    assert body.startswith("\ufeffNom,'@note\r\n")
    parsed = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert len(parsed) == 1201
    assert parsed[1] == ["Groupe 0", "'=1+1"]


@pytest.fixture
def endorsers(app):
    with app.app_context():
        platform = make_platform(SLUG)
        add_endorsement(
            platform,
            '=HYPERLINK("http://evil.example")',
            province=Province.AB,
            about_en="-Harm reduction first",
        )
        add_endorsement(
            platform,
            "Coopérative Santé Rive-Sud",
            org_name_fr="Coopérative Santé Rive-Sud",
            province=Province.QC,
            city="Lévis",
            org_type=OrgType.HEALTH,
            about_fr="Soins de proximité à Lévis.",
            website="https://rive-sud.example",
            contact_public=True,
            name="Hélène Côté",
            title="Directrice",
        )
        add_individual(platform, "Noah Firstinitial", display_mode=DisplayMode.FIRST_INITIAL)
        add_individual(platform, "Mute Counted", display_mode=DisplayMode.COUNTED_ONLY)
        add_endorsement(
            platform, "Rejected Spam Inc", status=EndorsementStatus.REJECTED, flags="honeypot"
        )
        db.session.commit()


def read_csv(response, delimiter: str = ",") -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_public_csv_is_what_the_list_shows(client, endorsers):
    response = client.get(f"/fr/p/{SLUG}/endorsers.csv")
    assert response.mimetype == "text/csv"
    # Named in French, split at ";" as French-Canadian spreadsheets expect.
    assert 'filename="appuis-drug-policy-fr.csv"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).splitlines()[0].count(";") > 3
    rows = read_csv(response, delimiter=";")
    # In list order: the formula-looking name sorts under H, as its letters say.
    assert [row["Nom"] for row in rows] == [
        "Coopérative Santé Rive-Sud",
        '\'=HYPERLINK("http://evil.example")',
        "Noah F.",
    ]
    coop = rows[0]
    assert coop["Type d'organisme"] == "Organisme de santé ou médical"
    assert coop["Province ou territoire"] == "Québec"
    assert coop["Ville"] == "Lévis"
    assert coop["Description"] == "Soins de proximité à Lévis."
    assert coop["Personne-ressource"] == "Hélène Côté"
    # A description only in English is given, marked as English.
    assert rows[1]["Description"] == "'-Harm reduction first"
    assert rows[1]["Langue de la description"] == "en"
    assert "Mute" not in response.get_data(as_text=True)
    assert "Rejected" not in response.get_data(as_text=True)


def test_public_json_is_what_the_list_shows(client, endorsers):
    response = client.get(f"/en/p/{SLUG}/endorsers.json?province=QC")
    body = json.loads(response.get_data(as_text=True))
    assert body["published"] is True and body["lang"] == "en"
    assert body["filters"] == {"province": "QC"}
    [coop] = body["endorsers"]
    assert coop["name"] == "Coopérative Santé Rive-Sud"
    assert coop["province_label"] == "Quebec"
    assert coop["about"] == "Soins de proximité à Lévis." and coop["about_lang"] == "fr"
    assert coop["contact"] == {"name": "Hélène Côté", "title": "Directrice"}
    assert "email" not in json.dumps(body)


def test_admin_csv_has_every_endorsement_with_contact_details(app, endorsers):
    with app.test_request_context("/admin/"):
        from sqlalchemy import select

        from petition.platforms.models import Platform

        platform = db.session.scalar(select(Platform).where(Platform.slug == SLUG))
        header = exports.admin_csv_header()
        rows = list(exports.admin_csv_rows(platform))
        body = "".join(exports.admin_csv(platform))
    assert len(rows) == 5
    assert body.startswith("\ufeff")
    records = [dict(zip(header, row, strict=True)) for row in rows]
    by_name = {r["Name of signer or contact person"]: r for r in records}
    rejected = next(r for r in records if r["Organization name"] == "Rejected Spam Inc")
    assert rejected["Status"] == "Not accepted"
    assert rejected["Flags"] == "Filled in the hidden field that only automated forms complete"
    assert rejected["flag_codes"] == "honeypot" and rejected["status_code"] == "rejected"
    assert rejected["Email"].endswith("@example.org")
    quiet = by_name["Mute Counted"]
    assert quiet["How they appear"] == "Do not list me: only count my endorsement"
    assert "public_listing" not in quiet["Consents"]
    coop = by_name["Hélène Côté"]
    assert "Authorized to endorse for the organization (org-authority-1) given" in coop["Consents"]
    assert "Public listing (org-listing-1) given" in coop["Consents"]
    assert coop["Language"] == "English" and coop["locale_code"] == "en"
    assert coop["Source"] == "Sign-on form" and coop["source_code"] == "form"
    assert coop["province_code"] == "QC"
    # Formula-looking cells stay text in the admin file too.
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body
    assert "IP" not in "".join(header)


def test_admin_csv_in_french_has_french_words_and_stable_codes(app, endorsers):
    with app.test_request_context("/admin/"), force_locale("fr"):
        from sqlalchemy import select

        from petition.platforms.models import Platform

        platform = db.session.scalar(select(Platform).where(Platform.slug == SLUG))
        body = "".join(exports.admin_csv(platform))
    records = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    rejected = next(r for r in records if r["Nom de l'organisme"] == "Rejected Spam Inc")
    assert rejected["Statut"] == "Non accepté"
    assert rejected["status_code"] == "rejected" and rejected["flag_codes"] == "honeypot"
    assert "honeypot" not in rejected["Signalements"]
    coop = next(r for r in records if r["Nom de l'organisme"] == "Coopérative Santé Rive-Sud")
    assert coop["Langue"] == "Anglais" and coop["Province ou territoire"] == "Québec"
    assert coop["Source"] == "Formulaire d'appui"
    assert coop["Consentements"].startswith("Autorisé·e à appuyer au nom de l'organisme (")
    assert "authority (" not in coop["Consentements"]
    assert "public_listing" not in coop["Consentements"]


def test_printable_list_groups_organizations_by_province(client, endorsers):
    page = text(client.get(f"/fr/p/{SLUG}/endorsers/print"))
    assert "print.css" in page
    assert page.index("<h2>Alberta") < page.index("<h2>Québec")
    assert "Coopérative Santé Rive-Sud" in page
    assert "Noah" not in page  # organizations only
    english = text(client.get(f"/en/p/{SLUG}/endorsers/print"))
    assert "Organizations endorsing" in english and "2 organizations, as of" in english

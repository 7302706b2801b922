"""Importing a form tool's CSV export: the report, merges, consent, bad files, and the email
that asks imported endorsers to confirm their listing."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from petition.endorsements import importing
from petition.endorsements.models import (
    Consent,
    ConsentPurpose,
    EmailToken,
    Endorsement,
    EndorsementStatus,
)
from petition.endorsements.services import approval_problem, can_approve
from petition.extensions import db
from petition.outbox.models import OutboxMessage
from petition.platforms.models import Platform
from tests.pages import csrf_token, text
from tests.signon import link_to, sign

SAMPLE = Path(__file__).parent / "data" / "form-export-endorsements.csv"
FORMULA = '=HYPERLINK("http://attacker.example","Ottawa Valley Health Alliance")'

# What the sample's 16 importable rows become: province, type, language, by-and-for, listed.
EXPECTED = {
    "coordination@northshore-peers.example": ("BC", "drug_user_group", "en", True, True),
    "info@reseau-entraide-lanaudiere.example": ("QC", "harm_reduction", "fr", False, True),
    "legal@prairie-rights-clinic.example": ("SK", "legal_human_rights", "en", False, True),
    "hello@harbourlight.example": ("NS", "harm_reduction", "en", True, True),
    "contact@collectif-montreal-usagers.example": ("QC", "drug_user_group", "fr", True, True),
    "director@ottawa-valley-health.example": ("ON", "health_medical", "en", False, True),
    "board@nunavut-voices.example": ("NU", "community", "en", False, True),
    "admin@pei-harm-reduction.example": ("PE", "harm_reduction", "en", False, False),
    "equipe@groupe-recherche-sherbrooke.example": ("QC", "research_academic", "fr", False, True),
    "union@health-workers-local-42.example": ("MB", "union", "en", False, True),
    "info@nwt-peer-support.example": ("NT", "drug_user_group", "en", True, True),
    "contact@nb-sante-communautaire.example": ("NB", "health_medical", "fr", False, True),
    "office@calgary-faith-outreach.example": ("AB", "faith", "en", False, True),
    "info@nl-recovery-rights.example": ("NL", "drug_user_group", "en", True, True),
    "info@toronto-overdose-response.example": ("ON", "harm_reduction", "en", False, True),
    "info@ile-aux-usagers.example": ("QC", "drug_user_group", "fr", True, True),
}
PEI = "admin@pei-harm-reduction.example"


def run_import(runner, slug, *args, path=SAMPLE):
    return runner.invoke(
        args=["petition", "import-endorsements", "--platform", slug, str(path), *args]
    )


def snapshot(app) -> list[tuple]:
    """Every endorsement, consent and token as plain values, to compare before and after."""
    with app.app_context():
        rows = []
        for model in (Endorsement, Consent, EmailToken, OutboxMessage):
            table = model.__table__
            rows += [
                (table.name, *r) for r in db.session.execute(select(table).order_by(table.c.id))
            ]
        return rows


def imported(app) -> dict[str, Endorsement]:
    with app.app_context():
        rows = db.session.scalars(select(Endorsement)).all()
        for row in rows:
            _ = row.consents
        db.session.expunge_all()
        return {row.email_canonical: row for row in rows}


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_dry_run_reports_every_row_and_writes_nothing(app, runner, platform):
    result = run_import(runner, platform, "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "20 rows read from the file (utf-8) for platform drug-policy." in out
    assert "  16 to import\n" in out
    assert "  2 to merge into an earlier row of the file" in out
    assert "0 already on the platform: unchanged" in out
    assert "  2 to reject\n" in out
    assert "(1 of the imported did not agree to be listed: they are kept, never shown)" in out
    assert (
        "row 8: Yukon Community Wellness Circle: No email address: the endorser could never "
        "confirm, change or withdraw it." in out
    )
    assert (
        "row 12: Fake Org: “not-an-email” is not a valid email address. Unknown province or "
        "territory “Mars”." in out
    )
    assert "row 4: Reseau d'entraide de Lanaudiere: merged into row 3 (same email address)" in out
    assert "row 19: North Shore Peer Network: merged into row 2 (same email address)" in out
    assert "row 11: PEI Harm Reduction Alliance: pending review; flagged: Did not agree" in out
    assert "row 9: =HYPERLINK(" in out and "flagged: A cell began like a spreadsheet formula" in out
    assert "Dry run: nothing was written." in out
    assert snapshot(app) == []


def test_import_of_the_sample_file(app, runner, platform):
    result = run_import(runner, platform)
    assert result.exit_code == 0, result.output
    assert "  16 imported\n" in result.stdout
    assert "  2 rejected\n" in result.stdout
    assert "The import is saved." in result.stdout

    rows = imported(app)
    assert set(rows) == set(EXPECTED)
    for email, (province, org_type, locale, by_and_for, listed) in EXPECTED.items():
        row = rows[email]
        assert (row.province, row.org_type, row.locale) == (province, org_type, locale), email
        assert row.by_and_for is by_and_for, email
        assert row.has_consent(ConsentPurpose.PUBLIC_LISTING) is listed, email
        assert row.status == EndorsementStatus.PENDING_REVIEW
        assert row.source == "import" and row.confirmed_at is None and row.kind == "organization"
        assert row.ip_hash == "" and row.platform_version == "1.0"
        assert ("no_listing_consent" in row.flag_set) is not listed

    # The first row of a duplicate pair wins (accents kept); blanks are filled from the later.
    lanaudiere = rows["info@reseau-entraide-lanaudiere.example"]
    assert lanaudiere.org_name == "Réseau d'entraide de Lanaudière"
    assert lanaudiere.name == "Mélanie Côté"
    assert lanaudiere.website == "https://reseau-entraide-lanaudiere.example"
    assert lanaudiere.about_fr.startswith("Services de réduction des méfaits")
    assert lanaudiere.about_en == ""
    assert lanaudiere.search_key == "reseau d entraide de lanaudiere"
    [consent] = lanaudiere.consents
    assert consent.purpose == ConsentPurpose.PUBLIC_LISTING
    assert consent.wording_version == "import-1"
    assert (
        consent.wording
        == "Consentement donné au moyen du formulaire d'appui antérieur de la coalition"
    )
    assert consent.locale == "fr"
    # 12/3/2021 10:02:45 in the form's time zone (Toronto, UTC-5 in December).
    assert consent.given_at == datetime(2021, 12, 3, 15, 2, 45, tzinfo=UTC)
    english = rows["coordination@northshore-peers.example"].consents[0]
    assert english.wording == "Consented through the coalition's earlier sign-on form"

    toronto = rows["info@toronto-overdose-response.example"]
    assert toronto.org_name == "Toronto Overdose Response Team, Inc."
    assert toronto.about_en == 'Overdose response, "spotting" line and training.'
    assert rows["hello@harbourlight.example"].website == ""
    assert rows[PEI].consents == []


def test_formula_cell_is_stored_exactly_as_text_and_flagged(app, runner, platform):
    run_import(runner, platform)
    row = imported(app)["director@ottawa-valley-health.example"]
    assert row.org_name == FORMULA
    assert row.flag_set == {"formula_cell"}
    assert row.name == "Priya Raman" and row.city == "Pembroke"


def test_second_run_changes_nothing(app, runner, platform):
    run_import(runner, platform)
    before = snapshot(app)
    result = run_import(runner, platform)
    assert result.exit_code == 0, result.output
    assert "  0 imported\n" in result.stdout
    assert "16 already on the platform: unchanged" in result.stdout
    assert "  2 merged into" in result.stdout and "  2 rejected\n" in result.stdout
    assert snapshot(app) == before


def test_row_without_listing_consent_can_never_be_approved(app, runner, platform):
    result = run_import(runner, platform, "--approve")
    assert result.exit_code == 0, result.output
    rows = imported(app)
    assert rows[PEI].status == EndorsementStatus.PENDING_REVIEW
    assert rows[PEI].approved_at is None
    assert sum(r.status == EndorsementStatus.APPROVED for r in rows.values()) == 15
    with app.app_context():
        pei = db.session.scalar(select(Endorsement).where(Endorsement.email_canonical == PEI))
        assert not can_approve(pei)
        with force_locale("fr"):
            assert str(approval_problem(pei)) == (
                "La personne qui l'a donné n'a pas accepté qu'il soit affiché publiquement."
            )
        listed = db.session.scalar(
            select(Endorsement).where(Endorsement.email_canonical == "hello@harbourlight.example")
        )
        assert can_approve(listed)


def test_existing_endorsement_is_left_as_its_signer_made_it(app, client, runner, platform):
    sign(
        client,
        platform,
        email="Hello@HarbourLight.example",
        org_name="Harbour Light",
        about="Our own words.",
    )
    result = run_import(runner, platform)
    assert "  15 imported\n" in result.stdout
    assert "1 already on the platform: unchanged" in result.stdout
    assert "row 6: Harbour Light Collective: already on the platform" in result.stdout
    row = imported(app)["hello@harbourlight.example"]
    assert row.source == "form" and row.org_name == "Harbour Light"
    assert row.about_en == "Our own words." and row.status == EndorsementStatus.UNVERIFIED


def test_same_name_and_website_merge_even_with_another_email(app, platform):
    csv_text = (
        "Email,Organization name,Province,Website,May we list your organization publicly?\n"
        "a@example.org,Réseau  Entraide,Québec,www.entraide.example,Oui\n"
        "b@example.org,reseau entraide,qc,http://entraide.example/,Non\n"
    )
    with app.app_context():
        platform_row = db.session.scalar(select(Platform))
        report = importing.import_endorsements(platform_row, io.StringIO(csv_text))
        db.session.commit()
    [first, second] = report.results
    assert first.outcome == importing.Outcome.IMPORTED
    assert (second.outcome, second.merged_into, second.match) == ("merged", 2, "name")
    # The later answer about listing is the person's latest choice: it wins.
    [row] = imported(app).values()
    assert row.email_canonical == "a@example.org" and row.website == "https://www.entraide.example"
    assert not row.has_consent(ConsentPurpose.PUBLIC_LISTING)


def test_mapping_file_names_other_headings(app, runner, platform, tmp_path):
    data = tmp_path / "export.csv"
    data.write_text(
        "Adresse du contact;Nom officiel;Prov.;Type;Affichage OK?;Langue\n"
        "contact@groupe.example;Groupe Pivot;Î.-P.-É.;Coalition;Oui;Français\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {
                    "email": "Adresse du contact",
                    "org_name": "Nom officiel",
                    "province": "Prov.",
                    "org_type": "Type",
                    "consent_public": "Affichage OK?",
                },
                "org_types": {"Coalition": "community"},
            }
        ),
        encoding="utf-8",
    )
    result = run_import(runner, platform, "--mapping", str(mapping), path=data)
    assert result.exit_code == 0, result.output
    assert "  1 imported\n" in result.stdout
    row = imported(app)["contact@groupe.example"]
    assert (row.province, row.org_type, row.locale) == ("PE", "community", "fr")


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("{not json", "the mapping is not valid JSON"),
        ('{"emial": "Courriel"}', "unknown field 'emial'"),
        ('{"provinces": {"Nowhere": "ZZ"}}', "unknown province code 'ZZ'"),
    ],
)
def test_bad_mapping_file_is_explained(app, runner, platform, tmp_path, mapping, message):
    path = tmp_path / "mapping.json"
    path.write_text(mapping, encoding="utf-8")
    result = run_import(runner, platform, "--mapping", str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert snapshot(app) == []


HEADER = (
    "Timestamp,Email Address,Organization name / Nom de l'organisme,"
    "Province or territory / Province ou territoire,"
    "May we list your organization publicly? / Pouvons-nous afficher votre organisme "
    "publiquement?\n"
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (HEADER.encode(), "The file has column headings but no rows to import."),
        (
            b"Timestamp,Organization name,Province\n1/2/2021,Groupe,QC\n",
            "Required columns are missing: email address, consent to public listing.",
        ),
        (
            b"just some notes\nnothing like a form export\n",
            "The first line does not look like column headings",
        ),
        (b"PK\x03\x04\x14\x00\x06\x00binary workbook", "This is a spreadsheet workbook"),
        (
            HEADER.encode() + b"1/2/2021,a@b.example,Caf\x81,QC,Yes\n",
            "The file's characters cannot be read: it is not UTF-8 text.",
        ),
        (
            "Email\x00,Org\n".encode("utf-16-le"),
            "The file's characters cannot be read",
        ),
    ],
)
def test_bad_files_are_refused_clearly_and_write_nothing(
    app, runner, platform, tmp_path, content, message
):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    result = run_import(runner, platform, path=path)
    assert result.exit_code == 1
    assert message in result.output
    assert "Nothing was imported." in result.output
    assert snapshot(app) == []


def test_windows_1252_file_is_read_when_every_byte_fits(app, runner, platform, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        (HEADER + "12/3/2021 9:14:02,info@mauricie.example,Réseau Mauricie,Québec,Oui\n").encode(
            "cp1252"
        )
    )
    result = run_import(runner, platform, path=path)
    assert result.exit_code == 0, result.output
    assert "(cp1252)" in result.stdout
    assert imported(app)["info@mauricie.example"].org_name == "Réseau Mauricie"


def test_utf8_with_byte_order_mark_and_semicolons(app, runner, platform, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        (
            "\ufeff" + HEADER.replace(",", ";") + "3/12/2021;info@x.example;Groupe X;NS;yes\n"
        ).encode()
    )
    result = run_import(runner, platform, path=path)
    assert result.exit_code == 0, result.output
    row = imported(app)["info@x.example"]
    assert row.province == "NS" and row.has_consent(ConsentPurpose.PUBLIC_LISTING)


def test_unknown_platform_is_refused(runner, platform):
    result = run_import(runner, "no-such-platform")
    assert result.exit_code == 2
    assert "no platform with the slug 'no-such-platform'" in result.output


# --- Asking imported endorsers to confirm their listing ------------------------------------------


def send(runner, slug):
    return runner.invoke(args=["petition", "send-listing-confirmations", "--platform", slug])


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def test_import_emails_nobody(app, runner, platform):
    run_import(runner, platform)
    assert outbox(app) == []


def test_listing_confirmations_go_once_in_each_language(app, runner, platform, deliver):
    run_import(runner, platform)
    result = send(runner, platform)
    assert result.exit_code == 0, result.output
    assert "16 listing confirmations queued" in result.stdout
    mails = {m["To"]: m for m in deliver()}
    assert set(mails) == set(EXPECTED)

    french = mails["info@reseau-entraide-lanaudiere.example"]
    assert french["Subject"] == "Veuillez confirmer votre appui à «\u00a0Plateforme test\u00a0»"
    body = french.get_body(("plain",)).get_content()
    assert "formulaire d'appui antérieur de la coalition" in body
    assert link_to(french, "/manage/").startswith("/fr/manage/")

    english = mails["coordination@northshore-peers.example"]
    assert english["Subject"] == "Please confirm your endorsement of “Test platform”"
    assert "You agreed then that the organization could be listed publicly" in (
        english.get_body(("plain",)).get_content()
    )
    unlisted = mails[PEI].get_body(("plain",)).get_content()
    assert "it is never listed publicly" in unlisted

    again = send(runner, platform)
    assert "0 listing confirmations queued" in again.stdout
    assert deliver() == []
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(Endorsement.listing_email_sent_at.is_not(None))
            )
            == 16
        )


def test_listing_confirmations_respect_the_daily_cap(make_app, smtp_server, platform):
    app = make_app(EMAILS_PER_ADDRESS_PER_DAY=1, **smtp_server.config)
    runner = app.test_cli_runner()
    with app.app_context():
        slug = db.session.scalar(select(Platform.slug))
    run_import(runner, slug)
    with app.app_context():
        from petition.outbox.services import queue_email

        queue_email(to=PEI, locale="en", template="outbox/settings_check")
        db.session.commit()
    result = send(runner, slug)
    assert "15 listing confirmations queued" in result.stdout
    assert "1 addresses already had their emails for today" in result.stdout
    assert [m.recipient for m in outbox(app)].count(PEI) == 1
    with app.app_context():
        pei = db.session.scalar(select(Endorsement).where(Endorsement.email_canonical == PEI))
        assert pei.listing_email_sent_at is None


def manage_link(app, runner, platform, deliver, email):
    run_import(runner, platform)
    send(runner, platform)
    return link_to({m["To"]: m for m in deliver()}[email], "/manage/")


def test_unlisted_endorser_can_ask_to_be_listed(app, client, runner, platform, deliver):
    path = manage_link(app, runner, platform, deliver, PEI)
    page = client.get(path)
    assert "You have not agreed to a public listing" in text(page)
    assert "Confirm your endorsement" in text(page)
    response = client.post(
        path + "/confirm-listing", data={"csrf_token": csrf_token(page), "consent_public": "y"}
    )
    assert response.status_code == 303
    assert "Thank you: your endorsement is confirmed." in text(client.get(path))
    with app.app_context():
        pei = db.session.scalar(select(Endorsement).where(Endorsement.email_canonical == PEI))
        assert pei.confirmed_at is not None
        assert pei.consent(ConsentPurpose.PUBLIC_LISTING).wording_version == "org-listing-1"
        assert "no_listing_consent" not in pei.flag_set
        assert can_approve(pei)
    assert "Confirm your endorsement" not in text(client.get(path))


def test_confirming_without_the_box_keeps_the_endorsement_unlisted(
    app, client, runner, platform, deliver
):
    path = manage_link(app, runner, platform, deliver, PEI).replace("/en/", "/fr/")
    page = client.get(path)
    assert "Confirmez votre appui" in text(page)
    client.post(path + "/confirm-listing", data={"csrf_token": csrf_token(page)})
    with app.app_context():
        pei = db.session.scalar(select(Endorsement).where(Endorsement.email_canonical == PEI))
        assert pei.confirmed_at is not None
        assert not can_approve(pei)


def test_confirm_listing_needs_the_form_token(app, client, runner, platform, deliver):
    path = manage_link(app, runner, platform, deliver, PEI)
    response = client.post(path + "/confirm-listing", data={"consent_public": "y"})
    assert response.status_code == 400
    with app.app_context():
        pei = db.session.scalar(select(Endorsement).where(Endorsement.email_canonical == PEI))
        assert pei.confirmed_at is None and not can_approve(pei)


def test_day_first_dates_are_recognised_from_the_file(app, platform):
    csv_text = (
        HEADER
        + "3/12/2021 9:00:00,a@jour.example,Groupe A,QC,Oui\n"
        + "25/12/2021 18:30:00,b@jour.example,Groupe B,QC,Oui\n"
    )
    with app.app_context():
        report = importing.import_endorsements(db.session.scalar(select(Platform)), csv_text)
        db.session.commit()
    assert [r.notes for r in report.results] == [[], []]
    rows = imported(app)
    given = {email: row.consents[0].given_at for email, row in rows.items()}
    assert given["a@jour.example"] == datetime(2021, 12, 3, 14, 0, tzinfo=UTC)
    assert given["b@jour.example"] == datetime(2021, 12, 25, 23, 30, tzinfo=UTC)
    assert rows["a@jour.example"].locale == "fr"  # no language column: "Oui" says French

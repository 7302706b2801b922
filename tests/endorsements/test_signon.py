"""Signing on, confirming by email and the repeat/abuse rules, through the real forms."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from petition.db_types import utcnow
from petition.endorsements.models import (
    ConsentPurpose,
    EmailToken,
    Endorsement,
    EndorsementStatus,
)
from petition.extensions import db
from petition.outbox.models import OutboxMessage, OutboxStatus
from petition.platforms.models import Platform, PlatformStatus
from tests.factories import make_platform
from tests.pages import csrf_token, text
from tests.signon import link_to, sign


def endorsements(app) -> list[Endorsement]:
    with app.app_context():
        rows = db.session.scalars(select(Endorsement).order_by(Endorsement.id)).all()
        for row in rows:
            _ = row.consents  # load before the session closes
        db.session.expunge_all()
        return rows


def outbox_count(app) -> int:
    """Count the emails the outbox will send (withheld ones never are)."""
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status != OutboxStatus.WITHHELD)
        )


def test_organization_signs_confirms_and_awaits_review(app, client, platform, deliver):
    response = sign(client, platform)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/en/p/{platform}/sign/check-your-inbox"
    assert "Check your email" in text(client.get(response.headers["Location"]))

    [endorsement] = endorsements(app)
    assert endorsement.status == EndorsementStatus.UNVERIFIED
    assert endorsement.email_canonical == "coordination@harbourside-peers.example"
    assert endorsement.website == "https://harbourside-peers.example"
    assert endorsement.about_en.startswith("Peer-run") and endorsement.about_fr == ""
    assert endorsement.locale == "en" and endorsement.platform_version == "1.0"
    assert len(endorsement.ip_hash) == 64 and "127.0.0.1" not in endorsement.ip_hash
    purposes = {c.purpose for c in endorsement.consents}
    assert purposes == {ConsentPurpose.AUTHORITY, ConsentPurpose.PUBLIC_LISTING}
    listing = endorsement.consent(ConsentPurpose.PUBLIC_LISTING)
    assert listing.wording_version == "org-listing-1" and "listed publicly" in listing.wording

    [mail] = deliver()
    assert mail["To"] == "coordination@harbourside-peers.example"
    assert mail["Subject"] == "Confirm your endorsement of “Test platform”"
    assert mail["Message-ID"]
    confirm_path = link_to(mail, "/en/confirm/")

    # Opening the link (as a mail scanner would) shows a button and changes nothing.
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "Confirm my endorsement" in text(page)
    assert "Harbourside Peer Collective" in text(page)
    assert endorsements(app)[0].status == EndorsementStatus.UNVERIFIED

    done = client.post(confirm_path, data={"csrf_token": csrf_token(page)})
    assert done.status_code == 303
    assert "your endorsement is confirmed" in text(client.get(done.headers["Location"]))
    confirmed = endorsements(app)[0]
    assert confirmed.status == EndorsementStatus.PENDING_REVIEW
    assert confirmed.confirmed_at is not None

    [receipt] = deliver()
    assert receipt["Subject"] == "Your endorsement of “Test platform” is confirmed"
    manage = client.get(link_to(receipt, "/en/manage/"))
    assert manage.status_code == 200
    assert "Waiting for review" in text(manage)


def test_french_signer_gets_french_email(app, client, platform, deliver):
    response = sign(client, platform, lang="fr", about="Groupe de pairs à Halifax.")
    assert response.headers["Location"] == f"/fr/p/{platform}/sign/check-your-inbox"
    assert "Vérifiez vos courriels" in text(client.get(response.headers["Location"]))
    [endorsement] = endorsements(app)
    assert endorsement.locale == "fr" and endorsement.about_fr == "Groupe de pairs à Halifax."
    assert "affichés publiquement" in endorsement.consent(ConsentPurpose.PUBLIC_LISTING).wording

    [mail] = deliver()
    assert mail["Subject"] == "Confirmez votre appui à «\u00a0Plateforme test\u00a0»"
    body = mail.get_body(("plain",)).get_content()
    assert "Bonjour Robin Tremblay," in body
    html = mail.get_body(("html",)).get_content()
    assert 'lang="fr-CA"' in html
    assert "/fr/confirm/" in link_to(mail, "/fr/confirm/")


def test_individual_first_name_and_initial(app, client, platform, deliver):
    assert sign(client, platform, kind="individual").status_code == 303
    [mail] = deliver()
    page = client.get(link_to(mail, "/confirm/"))
    assert "Marie-Ève T." in text(page)
    assert "Tremblay-Côté" not in text(page).split("<main", 1)[1]
    client.post(link_to(mail, "/confirm/"), data={"csrf_token": csrf_token(page)})
    [endorsement] = endorsements(app)
    assert endorsement.status == EndorsementStatus.PENDING_REVIEW
    # Search never holds a name the signer chose not to show.
    assert "tremblay" not in endorsement.search_key
    assert endorsement.search_key == "marie eve t"


def test_individuals_auto_approved_when_platform_says_so(app, client, platform, deliver):
    with app.app_context():
        row = db.session.scalar(select(Platform).where(Platform.slug == platform))
        row.individuals_need_review = False
        db.session.commit()
    sign(client, platform, kind="individual")
    [mail] = deliver()
    page = client.get(link_to(mail, "/confirm/"))
    client.post(link_to(mail, "/confirm/"), data={"csrf_token": csrf_token(page)})
    assert endorsements(app)[0].status == EndorsementStatus.APPROVED
    [receipt] = deliver()
    assert "It is now on the public list." in receipt.get_body(("plain",)).get_content()


def test_same_email_in_other_case_and_spaces_signs_once(app, client, platform, deliver):
    first = sign(client, platform)
    again = sign(client, platform, email="  Coordination@Harbourside-Peers.EXAMPLE ")
    assert first.headers["Location"] == again.headers["Location"]
    assert len(endorsements(app)) == 1
    # Unconfirmed: each sign-on sends a fresh confirmation link.
    mails = deliver()
    assert [m["Subject"] for m in mails] == ["Confirm your endorsement of “Test platform”"] * 2


def test_repeat_after_confirming_gets_already_endorsed_email(app, client, platform, deliver):
    sign(client, platform)
    [mail] = deliver()
    page = client.get(link_to(mail, "/confirm/"))
    client.post(link_to(mail, "/confirm/"), data={"csrf_token": csrf_token(page)})
    deliver()

    repeat = sign(client, platform, lang="fr", org_name="Another name entirely")
    assert repeat.status_code == 303
    assert repeat.headers["Location"] == f"/fr/p/{platform}/sign/check-your-inbox"
    [notice] = deliver()
    assert notice["Subject"] == "Vous avez déjà appuyé «\u00a0Plateforme test\u00a0»"
    assert "/fr/manage/" in link_to(notice, "/fr/manage/")
    [endorsement] = endorsements(app)
    assert endorsement.org_name == "Harbourside Peer Collective"
    assert endorsement.status == EndorsementStatus.PENDING_REVIEW


def test_emails_per_address_are_capped(make_app, smtp_server, platform):
    app = make_app(**smtp_server.config, EMAILS_PER_ADDRESS_PER_DAY=3)
    client = app.test_client()
    for _ in range(6):
        assert sign(client, platform).status_code == 303
    assert outbox_count(app) == 3
    assert len(endorsements(app)) == 1


def test_concurrent_sign_ons_with_one_email_leave_one_record(app, platform):
    barrier = threading.Barrier(4)
    statuses = []

    def worker():
        client = app.test_client()
        barrier.wait()
        statuses.append(sign(client, platform).status_code)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * 4
    assert len(endorsements(app)) == 1


@pytest.mark.parametrize(
    "mangle",
    [
        lambda path: path[:-1] + ("A" if path[-1] != "A" else "B"),  # tampered
        lambda path: path[:-5],  # truncated
        lambda path: path + "x" * 500,  # padded
    ],
    ids=["tampered", "truncated", "padded"],
)
def test_bad_confirmation_links_change_nothing(app, client, platform, deliver, mangle):
    sign(client, platform)
    [mail] = deliver()
    bad = mangle(link_to(mail, "/confirm/"))
    page = client.get(bad)
    assert page.status_code == 404
    assert "We do not recognize this link" in text(page)
    good_page = client.get(link_to(mail, "/confirm/"))
    posted = client.post(bad, data={"csrf_token": csrf_token(good_page)})
    assert posted.status_code == 404
    assert endorsements(app)[0].status == EndorsementStatus.UNVERIFIED


def test_expired_and_reused_links(app, client, platform, deliver):
    sign(client, platform, lang="fr")
    [mail] = deliver()
    path = link_to(mail, "/confirm/")
    page = client.get(path)
    token = csrf_token(page)
    with app.app_context():
        row = db.session.scalar(select(EmailToken))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    expired = client.post(path, data={"csrf_token": token})
    assert expired.status_code == 410
    assert "Ce lien de confirmation a expiré" in text(expired)
    assert endorsements(app)[0].status == EndorsementStatus.UNVERIFIED

    with app.app_context():
        row = db.session.scalar(select(EmailToken))
        row.expires_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    reused = client.post(path, data={"csrf_token": token})
    assert reused.status_code == 410
    assert "Ce lien a déjà été utilisé" in text(reused)
    assert client.get(path).status_code == 410


def test_confirm_post_without_csrf_is_refused(app, client, platform, deliver):
    sign(client, platform)
    [mail] = deliver()
    assert client.post(link_to(mail, "/confirm/")).status_code == 400
    assert endorsements(app)[0].status == EndorsementStatus.UNVERIFIED


def test_honeypot_submission_looks_accepted_but_is_never_emailed(app, client, platform, deliver):
    response = sign(client, platform, homepage="http://spam.example")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/sign/check-your-inbox")
    [endorsement] = endorsements(app)
    assert "honeypot" in endorsement.flags
    assert deliver() == []
    assert outbox_count(app) == 0
    with app.app_context():
        # Its link was written (as much work as a real sign-on) but can never be used.
        usable = select(func.count()).select_from(EmailToken).where(EmailToken.used_at.is_(None))
        assert db.session.scalar(usable) == 0


def test_too_fast_submission_is_flagged(make_app, smtp_server, platform):
    app = make_app(**smtp_server.config, MIN_FILL_SECONDS=60)
    assert sign(app.test_client(), platform).status_code == 303
    assert endorsements(app)[0].flags == "too_fast"
    assert outbox_count(app) == 0


def test_forged_start_stamp_counts_as_too_fast(app, client, platform):
    assert sign(client, platform, started="1700000000").status_code == 303
    assert "too_fast" in endorsements(app)[0].flags


def test_over_rate_limit_is_flagged(make_app, smtp_server, platform):
    app = make_app(**smtp_server.config, SIGNON_RATE_LIMIT="2 per hour")
    client = app.test_client()
    for number in range(3):
        assert sign(client, platform, email=f"person{number}@example.org").status_code == 303
    rows = endorsements(app)
    assert [r.flags for r in rows] == ["", "", "rate_limited"]
    assert outbox_count(app) == 2


def test_forged_forwarded_for_does_not_change_rate_limit_key(make_app, smtp_server, platform):
    app = make_app(**smtp_server.config, SIGNON_RATE_LIMIT="1 per hour")
    client = app.test_client()
    sign(client, platform, email="a@example.org")
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    sign(client, platform, email="b@example.org")
    assert [r.flags for r in endorsements(app)] == ["", "rate_limited"]


def test_legitimate_sign_on_takes_over_a_flagged_one(app, client, platform, deliver):
    sign(client, platform, homepage="spam")
    sign(client, platform)
    [endorsement] = endorsements(app)
    # The earlier mark stays visible to moderators; the person still gets their link.
    assert endorsement.flags == "honeypot"
    assert len(deliver()) == 1


def test_forged_host_header_never_reaches_an_email(app, client, platform, deliver):
    client.environ_base["HTTP_HOST"] = "evil.example"
    sign(client, platform)
    [mail] = deliver()
    body = mail.get_body(("plain",)).get_content() + mail.get_body(("html",)).get_content()
    assert "evil.example" not in body
    assert "https://petition.test/en/confirm/" in body


def test_smtp_outage_loses_nothing(app, client, platform, smtp_server, deliver):
    smtp_server.refuse_connections()
    for number in range(3):
        assert sign(client, platform, email=f"p{number}@example.org").status_code == 303
    assert deliver() == []
    assert len(endorsements(app)) == 3
    smtp_server.reset()
    with app.app_context():
        # Backoff postponed them; the server is back, so let them go now.
        for message in db.session.scalars(select(OutboxMessage)):
            message.next_attempt_at = utcnow()
        db.session.commit()
    mails = deliver()
    assert sorted(m["To"] for m in mails) == [f"p{n}@example.org" for n in range(3)]
    assert len({m["Message-ID"] for m in smtp_server.messages}) == len(smtp_server.messages)


def test_closed_platform_accepts_nothing(app, client):
    with app.app_context():
        make_platform("ended", status=PlatformStatus.CLOSED)
        make_platform("later", signon_opens_at=utcnow() + timedelta(days=2))
        db.session.commit()
    page = client.get("/fr/p/ended/sign/organization")
    assert "n'accepte plus d'appuis" in text(page)
    assert "<form" not in text(page)
    assert client.post("/en/p/ended/sign/organization", data={}).status_code in (400, 409)
    assert "will accept endorsements from" in text(client.get("/en/p/later/sign/individual"))
    assert endorsements(app) == []


def test_draft_platform_form_is_404(app, client):
    with app.app_context():
        make_platform("draft", status=PlatformStatus.DRAFT)
        db.session.commit()
    assert client.get("/en/p/draft/sign/organization").status_code == 404


def test_individual_form_refused_when_platform_takes_organizations_only(app, client):
    with app.app_context():
        make_platform("orgs-only", allow_individuals=False)
        db.session.commit()
    page = client.get("/en/p/orgs-only/sign/individual")
    assert page.status_code == 404
    assert "organizations only" in text(page)
    assert "Endorse as an individual" not in text(client.get("/en/p/orgs-only/"))


def test_platform_page_links_to_both_forms(client, platform):
    page = text(client.get(f"/fr/p/{platform}/"))
    assert f'href="/fr/p/{platform}/sign/organization"' in page
    assert f'href="/fr/p/{platform}/sign/individual"' in page


def test_sign_on_form_fields_are_labelled_and_autocompleted(client, platform):
    page = text(client.get(f"/en/p/{platform}/sign/organization"))
    assert 'autocomplete="organization"' in page
    assert 'autocomplete="email"' in page
    assert '<label for="org_name">Organization name</label>' in page
    assert "Set-Cookie" not in client.get(f"/en/p/{platform}/").headers


OPTIONAL_FIELDS = [
    ("organization", "title"),
    ("organization", "org_name_fr"),
    ("organization", "about"),
    ("organization", "website"),
    ("individual", "title"),
    ("individual", "descriptor"),
]


@pytest.mark.parametrize(("kind", "field"), OPTIONAL_FIELDS, ids=lambda v: v)
def test_a_repeat_sign_on_may_leave_out_an_optional_field(app, client, platform, kind, field):
    # A browser may omit a field (a form saved from an older page, a script): it was left blank.
    filled = {"org_name_fr": "Collectif", "title": "Coordinator", "descriptor": "peer worker"}
    extra = {field: filled[field]} if field in filled else {}
    assert sign(client, platform, kind=kind, **extra).status_code == 303
    again = sign(client, platform, kind=kind, **{field: None})
    assert again.status_code == 303
    assert again.headers["Location"] == f"/en/p/{platform}/sign/check-your-inbox"
    [endorsement] = endorsements(app)
    # Unconfirmed, so the newest details replaced the old: the field is now empty.
    column = "about_en" if field == "about" else field
    assert getattr(endorsement, column) == ""
    assert outbox_count(app) == 2


def test_flagged_and_capped_sign_ons_queue_only_withheld_email(make_app, smtp_server, platform):
    app = make_app(**smtp_server.config, EMAILS_PER_ADDRESS_PER_DAY=1)
    client = app.test_client()
    assert sign(client, platform, email="bot@example.org", homepage="spam").status_code == 303
    assert sign(client, platform).status_code == 303  # a person: emailed
    assert sign(client, platform).status_code == 303  # again: capped
    assert sign(client, platform, homepage="spam").status_code == 303  # flagged repeat
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        statuses = [(m.recipient, m.status) for m in rows]
        # Withheld messages keep none of the values (links) the email would have shown.
        assert [m.context for m in rows if m.status == OutboxStatus.WITHHELD] == [{}, {}, {}]
        usable = db.session.scalars(select(EmailToken).where(EmailToken.used_at.is_(None))).all()
    person = "coordination@harbourside-peers.example"
    assert statuses == [
        ("bot@example.org", OutboxStatus.WITHHELD),
        (person, OutboxStatus.QUEUED),
        (person, OutboxStatus.WITHHELD),
        (person, OutboxStatus.WITHHELD),
    ]
    # One link can be used: the one in the one email that goes out.
    assert len(usable) == 1
    from petition.outbox.relay import drain

    with app.app_context():
        assert drain().sent == 1
        assert drain().claimed == 0
    assert [m["To"] for m in smtp_server.messages] == [person]
    with app.app_context():
        withheld = select(func.count()).where(OutboxMessage.status == OutboxStatus.WITHHELD)
        assert db.session.scalar(withheld.select_from(OutboxMessage)) == 3

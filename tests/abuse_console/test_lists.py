"""Block and allow lists: what a blocked sign-on looks like (nothing different), what it
leaves (a blocked record, no email, nothing to review), who may edit the lists, the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from petition.audit.models import AuditEvent
from petition.endorsements.models import Endorsement, EndorsementStatus
from petition.extensions import db
from petition.outbox.models import OutboxMessage
from petition.screening import ScreeningEntry, ScreeningHit, fingerprint
from petition.security import ip_hash
from tests.logins import log_in
from tests.pages import csrf_token, text
from tests.signon import sign

ABUSER_IP = "203.0.113.77"
OTHER_IP = "198.51.100.4"


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def admin_client(app, email="admin@coalition.example"):
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    return client


def add_entry(client, list_="block", kind="domain", value="", note=""):
    page = client.get("/admin/abuse")
    return client.post(
        "/admin/abuse/entries",
        data={
            "csrf_token": csrf_token(page),
            "list": list_,
            "kind": kind,
            "value": value,
            "note": note,
        },
    )


def signer(app, ip=OTHER_IP):
    """A visitor's browser on the network `ip`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def answer(response) -> tuple:
    """What a script sees of a sign-on's answer (the session cookie's value aside)."""
    headers = sorted(
        (name, value if name != "Set-Cookie" else value.split("=", 1)[0])
        for name, value in response.headers.items()
        if name.lower() != "x-request-id"  # a fresh one per request, for the logs
    )
    return response.status_code, headers, response.get_data()


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip"),
    [
        ("domain", "spam-collective.example", "a@spam-collective.example", OTHER_IP),
        ("domain", "spam-collective.example", "b@mail.spam-collective.example", OTHER_IP),
        ("ip", ABUSER_IP, "c@harbourside-peers.example", ABUSER_IP),
        ("address", "Burst@Example.NET", "burst@example.net", OTHER_IP),
    ],
    ids=["domain", "subdomain", "ip", "address"],
)
def test_blocked_signon_is_answered_alike_recorded_and_never_emailed(
    app, platform, kind, value, email, ip
):
    admin = admin_client(app)
    assert add_entry(admin, kind=kind, value=value, note="burst").status_code == 303

    # An unblocked sign-on first, then the blocked one: their answers are byte for byte alike.
    free = sign(signer(app), platform, email="someone@prairie-rights.example")
    outbox_before = count(app, OutboxMessage)
    blocked_client = signer(app, ip)
    blocked = sign(blocked_client, platform, email=email, org_name="Burst Collective")
    assert answer(blocked) == answer(free)
    landing = blocked_client.get(blocked.headers["Location"])
    assert landing.status_code == 200 and "Check your email" in text(landing)

    # No email at all (not even a withheld one), a record of the block, nothing to review.
    assert count(app, OutboxMessage) == outbox_before
    assert count(app, ScreeningHit) == 1
    with app.app_context():
        row = db.session.scalar(
            select(Endorsement).where(Endorsement.org_name == "Burst Collective")
        )
        assert row.status == EndorsementStatus.UNVERIFIED and "blocked" in row.flag_set
    queue = admin.get("/admin/p/drug-policy/queue")
    assert "Burst Collective" not in text(queue)


def test_unblocked_lookalikes_are_not_blocked(app, platform):
    admin = admin_client(app)
    add_entry(admin, kind="domain", value="spam-collective.example")
    add_entry(admin, kind="ip", value=ABUSER_IP)
    # A domain that merely ends with the same letters, another IP: emailed as usual.
    sign(signer(app), platform, email="x@notspam-collective.example")
    assert count(app, ScreeningHit) == 0
    assert count(app, OutboxMessage) == 1


def test_ip_fingerprint_entry_blocks_that_network(app, platform):
    with app.app_context():
        shown = fingerprint(ip_hash(ABUSER_IP))
    admin = admin_client(app)
    assert add_entry(admin, kind="ip", value=shown).status_code == 303
    page = text(admin.get("/admin/abuse"))
    assert shown in page and ABUSER_IP not in page
    sign(signer(app, ABUSER_IP), platform)
    assert count(app, ScreeningHit) == 1 and count(app, OutboxMessage) == 0
    with app.app_context():
        [entry] = db.session.scalars(select(ScreeningEntry)).all()
        # The address itself is stored nowhere, the audit log included.
        assert ABUSER_IP not in entry.value
        events = db.session.scalars(select(AuditEvent)).all()
        assert all(ABUSER_IP not in str(e.details) for e in events)


def test_raw_ip_entry_is_kept_only_as_its_hash(app, platform):
    admin = admin_client(app)
    add_entry(admin, kind="ip", value=ABUSER_IP)
    with app.app_context():
        [entry] = db.session.scalars(select(ScreeningEntry)).all()
        assert entry.value == ip_hash(ABUSER_IP)
    assert ABUSER_IP not in text(admin.get("/admin/abuse"))


def test_every_list_change_is_audited(app, platform):
    admin = admin_client(app)
    add_entry(admin, kind="address", value="someone@burst.example", note="script")
    with app.app_context():
        entry = db.session.scalar(select(ScreeningEntry))
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "screening.add"))
        assert event.actor_label == "admin@coalition.example"
        assert event.details["kind"] == "address" and event.details["list"] == "block"
        # The log names no address: a letter and the domain.
        assert "someone@" not in str(event.details) and "burst.example" in str(event.details)
        entry_id = entry.id
    page = admin.get("/admin/abuse")
    done = admin.post(
        f"/admin/abuse/entries/{entry_id}/remove", data={"csrf_token": csrf_token(page)}
    )
    assert done.status_code == 303
    assert count(app, ScreeningEntry) == 0
    assert count(app, AuditEvent, AuditEvent.action == "screening.remove") == 1
    log = text(admin.get("/admin/audit"))
    assert "Added to a block or allow list" in log and "Removed from a block or allow list" in log


def test_moderator_sees_lists_but_cannot_change_them(app, platform):
    admin = admin_client(app)
    add_entry(admin, kind="domain", value="spam-collective.example")
    moderator = admin_client(app, "moderator@coalition.example")
    page = moderator.get("/admin/abuse")
    assert page.status_code == 200
    assert "spam-collective.example" in text(page) and "Only admins can change" in text(page)
    token = csrf_token(page)
    refused = moderator.post(
        "/admin/abuse/entries",
        data={"csrf_token": token, "list": "block", "kind": "domain", "value": "other.example"},
    )
    assert refused.status_code == 403
    with app.app_context():
        entry_id = db.session.scalar(select(ScreeningEntry.id))
    assert (
        moderator.post(
            f"/admin/abuse/entries/{entry_id}/remove", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert count(app, ScreeningEntry) == 1
    assert count(app, AuditEvent, AuditEvent.action.like("screening.%")) == 1


def test_bad_entries_are_refused_with_a_message(app, platform):
    admin = admin_client(app)
    bad = add_entry(admin, kind="domain", value="not a domain")
    assert bad.status_code == 422 and "Enter a domain such as example.org." in text(bad)
    bad_ip = add_entry(admin, kind="ip", value="12345")
    assert bad_ip.status_code == 422 and "fingerprint of 12 characters" in text(bad_ip)
    add_entry(admin, kind="domain", value="spam-collective.example")
    again = add_entry(admin, kind="domain", value="SPAM-collective.example.")
    assert again.status_code == 422 and "already on the list" in text(again)
    assert count(app, ScreeningEntry) == 1


def test_allow_entry_exempts_a_partner_from_the_rate_limit(make_app, smtp_server):
    app = make_app(**smtp_server.config, SIGNON_RATE_LIMIT="2 per hour")
    from tests.factories import make_admin_user, make_platform

    with app.app_context():
        make_platform("drug-policy")
        make_admin_user("admin@coalition.example")
        db.session.commit()
    admin = admin_client(app)
    add_entry(admin, list_="allow", kind="domain", value="partner-network.example")
    office = signer(app, "192.0.2.10")
    for n in range(4):
        sign(office, "drug-policy", email=f"member{n}@partner-network.example")
    # The partner's sign-ons were not counted: others from that network still are.
    for n in range(3):
        sign(office, "drug-policy", email=f"stranger{n}@elsewhere.example")
    with app.app_context():
        rows = db.session.scalars(select(Endorsement).order_by(Endorsement.id)).all()
        assert [r.flags for r in rows] == ["", "", "", "", "", "", "rate_limited"]


def test_cli_blocks_lists_and_unlists(app, platform):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["petition", "block", "ip", ABUSER_IP, "--note", "3 a.m. burst"])
    assert done.exit_code == 0, done.output
    assert ABUSER_IP not in done.output
    listed = runner.invoke(args=["petition", "lists"])
    assert "3 a.m. burst" in listed.output and ABUSER_IP not in listed.output
    sign(signer(app, ABUSER_IP), platform)
    assert count(app, ScreeningHit) == 1
    bad = runner.invoke(args=["petition", "block", "domain", "nope"])
    assert bad.exit_code != 0 and "Enter a domain" in bad.output
    gone = runner.invoke(args=["petition", "unlist", "block", "ip", ABUSER_IP])
    assert gone.exit_code == 0, gone.output
    assert count(app, ScreeningEntry) == 0
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert (
            actions[-2:] == ["screening.add", "screening.remove"] or "screening.remove" in actions
        )


def test_console_and_its_refusals_in_french(app, platform):
    admin = admin_client(app)
    page = admin.get("/admin/abuse")
    admin.post(
        "/admin/language",
        data={"csrf_token": csrf_token(page), "lang": "fr", "next": "/admin/abuse"},
    )
    console = text(admin.get("/admin/abuse"))
    assert "Console des abus" in console and "Listes de blocage et d'exemption" in console
    bad = add_entry(admin, kind="domain", value="pas un domaine")
    assert bad.status_code == 422 and "Entrez un domaine comme exemple.org." in text(bad)
    done = add_entry(admin, kind="domain", value="spam-collective.example")
    flashed = text(admin.get(done.headers["Location"]))
    assert "Ajouté à la liste «\u00a0Bloqués\u00a0»\u00a0: spam-collective.example." in flashed
    dry = text(
        admin.get("/admin/abuse/invalidate?platform=drug-policy&domain=spam-collective.example")
    )
    assert "0 appui correspond." in dry

"""The demo's "done when", through the admin pages as a person clicks them: a burst of 200
sign-ons from one network and a throwaway domain trends, an admin blocks and invalidates it in
three clicks, and the public count is back to what it was."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from petition.db_types import utcnow
from petition.extensions import db
from petition.outbox.models import OutboxMessage
from petition.platforms.models import Platform
from petition.screening import ScreeningHit, fingerprint
from petition.security import ip_hash
from tests.abuse_console.forms_in_pages import form_with, forms, links
from tests.abuse_console.test_lists import admin_client, signer
from tests.factories import make_endorsement
from tests.pages import text
from tests.signon import sign

BURST_IP = "203.0.113.200"


def public_total(client) -> int:
    body = json.loads(client.get("/api/v1/platforms/drug-policy").get_data())
    return body["endorsers"]["total"]


def outbox_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_burst_trends_then_three_clicks_block_and_invalidate_it(app, platform):
    now = utcnow()
    with app.app_context():
        row = db.session.query(Platform).one()
        row.individuals_need_review = False
        # What the coalition had: a dozen endorsers over the past weeks.
        for n in range(12):
            make_endorsement(
                row,
                status="approved",
                email=f"group{n}@harbour-peers.example",
                created_at=now - timedelta(days=n + 2),
                ip_hash=f"{n:02d}" * 32,
                org_name=f"Harbour Group {n}",
            )
        # Then a script: 200 individuals from one network, with throwaway mailboxes it
        # controls, confirmed and so (on this platform) listed at once.
        burst_hash = ip_hash(BURST_IP)
        for n in range(200):
            make_endorsement(
                row,
                status="approved",
                kind="individual",
                email=f"voter{n}@quick-throwaway.example",
                name=f"Voter {n}",
                created_at=now - timedelta(seconds=10 * n),
                ip_hash=burst_hash,
            )
        db.session.commit()  # fmt: skip
        shown = fingerprint(burst_hash)
    public = app.test_client()
    assert public_total(public) == 212

    # The admin opens the dashboard: both sources trend, the fingerprint never as an address.
    admin = admin_client(app)
    dashboard = admin.get("/admin/")
    page = text(dashboard)
    assert "quick-throwaway.example" in page and shown in page and BURST_IP not in page

    # Click 1: "Block" on the fingerprint's row.
    block = form_with(dashboard, kind="ip", value=shown)
    blocked = admin.post(block["action"], data=block["fields"])
    assert blocked.status_code == 303
    console = admin.get(blocked.headers["Location"])
    assert f"Added to the list “Blocked”: {shown}." in text(console)

    # Click 2: "Invalidate…" on the same row: the dry run counts the burst.
    invalidate_link = next(
        href for href, label in links(console) if label == "Invalidate…" and shown in href
    )
    dry = admin.get(invalidate_link)
    assert 'data-dry-run="200"' in dry.get_data(as_text=True)
    assert "200 of them are on the public list." in text(dry)

    # Click 3: confirm (the reason comes filled in).
    [confirm] = [f for f in forms(dry) if f["method"] == "post" and "expected" in f["fields"]]
    assert confirm["fields"]["reason"].strip() == f"Automated sign-ons from {shown}."
    done = admin.post(confirm["action"], data=confirm["fields"])
    assert done.status_code == 303
    assert "200 endorsements invalidated." in text(admin.get(done.headers["Location"]))

    # The public count is back to what it was, on the list and the widget too.
    assert public_total(public) == 12
    assert "Voter 1" not in text(public.get("/en/p/drug-policy/endorsers?kind=individual"))
    assert "<strong>12</strong>" in public.get("/en/p/drug-policy/embed").get_data(as_text=True)

    # And the script's next sign-on is answered as usual, recorded as blocked, never emailed.
    before = outbox_rows(app)
    again = sign(
        signer(app, BURST_IP),
        "drug-policy",
        kind="individual",
        email="voter900@quick-throwaway.example",
    )
    assert again.status_code == 303
    assert outbox_rows(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScreeningHit)) == 1

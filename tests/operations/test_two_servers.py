"""Two app servers and two relays on one PostgreSQL, as the README's scaled-out deployment.

Sign-ons alternate between the servers; each email goes out exactly once though two relays
claim from the same outbox; a signer confirms through the other server; an admin's session
started on one server works on the other.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy.engine import make_url

from petition.extensions import db
from tests.factories import make_admin_user, make_platform
from tests.faults.live import Browser, environment, hidden_value, relay_process, sign_on
from tests.signon import ORGANIZATION, link_to

pytestmark = pytest.mark.slow

SIGNERS = 12


def _wait_for(smtp_server, count: int, seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while len(smtp_server.messages) < count and time.monotonic() < deadline:
        time.sleep(0.2)


def test_two_servers_and_two_relays_share_one_database(
    make_app, serve, database_url, smtp_server, tmp_path
):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only: the scaled-out deployment shares one PostgreSQL")
    app = make_app()
    with app.app_context():
        slug = make_platform("two-servers").slug
        make_admin_user("admin@coalition.example")
        db.session.commit()
    servers = [serve(smtp=smtp_server, workers=2, threads=2) for _ in range(2)]
    relays = []
    for n in range(2):
        folder = tmp_path / f"relay{n}"
        folder.mkdir()
        env = environment(database_url, f"http://127.0.0.1:{servers[0].port}", smtp_server)
        relay = relay_process(env, folder, "--interval", "0.2")
        relay.start()
        relays.append(relay)
    try:
        for n in range(SIGNERS):
            server = servers[n % 2]
            reply = sign_on(
                Browser(server.port), slug, {**ORGANIZATION, "email": f"s{n}@two-servers.example"}
            )
            assert reply.status == 303, reply.status
        _wait_for(smtp_server, SIGNERS)
        time.sleep(1)  # Any duplicate would arrive now.
        recipients = Counter(m["To"] for m in smtp_server.messages)
        assert len(recipients) == SIGNERS and set(recipients.values()) == {1}, recipients

        # Each signer confirms through the server they did not sign on with.
        for message in list(smtp_server.messages):
            n = int(message["To"].split("@")[0].lstrip("s"))
            other = Browser(servers[(n + 1) % 2].port)
            path = link_to(message, "/confirm/")
            page = other.get(path)
            assert page.status == 200
            done = other.post(path, {"csrf_token": hidden_value(page.body, "csrf_token")})
            assert done.status == 303, done.status
        _wait_for(smtp_server, 2 * SIGNERS)
        time.sleep(1)
        assert len(smtp_server.messages) == 2 * SIGNERS

        # An admin logged in on one server is logged in on the other.
        admin = Browser(servers[0].port)
        login = admin.get("/admin/login")
        answer = admin.post(
            "/admin/login",
            {
                "email": "admin@coalition.example",
                "password": "correct horse battery staple",
                "csrf_token": hidden_value(login.body, "csrf_token"),
            },
        )
        assert answer.status in (302, 303), answer.status
        elsewhere = Browser(servers[1].port, cookies=dict(admin.cookies))
        queue = elsewhere.get(f"/admin/queue?platform={slug}")
        assert queue.status == 200
        assert f"{SIGNERS} endorsements waiting" in queue.body
    finally:
        for relay in relays:
            relay.stop()

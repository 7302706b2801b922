"""Fixtures for the fault, abuse and security suite (tests/faults/).

Hypothesis profiles: `quick` (the default, so the README's test command stays fast) and `ci`
(at least 1,000 examples per form), chosen with HYPOTHESIS_PROFILE. Both are derandomized and
keep no example database, so every run tries the same inputs.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.faults.live import Gunicorn, environment
from tests.faults.world import build_world

_COMMON = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "print_blob": True,
    # One app and client serve every example of a test on purpose (a fresh app per example
    # would cost more than the example); the tests reset what matters themselves.
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("quick", max_examples=40, **_COMMON)
settings.register_profile("ci", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.fixture
def serve(database_url, tmp_path, _schema):
    """Start gunicorn on the test database with settings from the environment, as in production.

    `serve(smtp=..., **settings)` returns a running `Gunicorn`; every one started is stopped
    (or was killed) when the test ends.
    """
    started: list[Gunicorn] = []

    def start(smtp=None, workers: int = 2, threads: int = 4, **settings) -> Gunicorn:
        # The tests talk to it at 127.0.0.1, whatever BASE_URL they give it.
        settings.setdefault("ALLOWED_HOSTS", "127.0.0.1")
        env = environment(database_url, "http://127.0.0.1", smtp, **settings)
        server = Gunicorn(env, tmp_path, workers=workers, threads=threads)
        # Links in emails point at this server, like BASE_URL points at the real site.
        server.env["BASE_URL"] = settings.get("BASE_URL", f"http://127.0.0.1:{server.port}")
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()

"""Fixtures shared by every test: `app`, `client`, `runner`, and the database they use.

Tests run on SQLite by default. Set TEST_DATABASE_URL (for example
postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the same tests on PostgreSQL;
if that server is unreachable the tests fail rather than skip. Tests of the Redis rate-limit
store use TEST_REDIS_URL (for example redis://127.0.0.1:6379/5) when set, else a redis-server
of their own (skipped if none is installed).
"""

from __future__ import annotations

import os

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import text
from werkzeug.routing import Rule

from petition import create_app
from petition.config import settings_for_tests
from petition.extensions import db
from petition.security import App

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept for the whole run, shared by every app a test builds.

    Nearly every test builds an app of its own, and each app's Jinja environment would
    otherwise parse and compile every template it renders again (a tenth of the suite's
    time). Jinja keys each entry by template name and source checksum, so an edited template
    is compiled afresh.
    """

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.entries:
            bucket.bytecode_from_string(self.entries[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.entries[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()
_create_jinja_environment = App.create_jinja_environment


def _with_shared_bytecode(self):
    environment = _create_jinja_environment(self)
    environment.bytecode_cache = _BYTECODE
    return environment


App.create_jinja_environment = _with_shared_bytecode


# Werkzeug compiles two URL builders (Python source, through `ast` and `compile`) for every
# route of every app: a quarter of the suite's CPU when each test builds an app. The builder
# depends only on the rule and its defaults (the converters are reached through `.self`), so
# the run compiles each once.
_builders: dict[tuple, object] = {}
_compile_builder = Rule._compile_builder


def _shared_builder(self, append_unknown: bool = True):
    defaults = tuple(sorted((self.defaults or {}).items(), key=repr))
    key = (self.rule, self.host, self.subdomain, tuple(self._trace), repr(defaults), append_unknown)
    if key not in _builders:
        _builders[key] = _compile_builder(self, append_unknown)
    return _builders[key]


Rule._compile_builder = _shared_builder


def _worker_database(server_url: str, worker: str) -> str:
    """Return a database of its own for one pytest-xdist worker, next to the given one."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"{url.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        # Under pytest-xdist (`-n 2`) each worker has a database of its own.
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(TEST_DATABASE_URL, worker) if worker else TEST_DATABASE_URL
    # A file, not :memory:, so tests that run a real server in a thread share it.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    """Create the schema once per run (migrations are tested separately, in test_migrations)."""
    app = create_app(settings_for_tests(database_url))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        # The models match the migrations (tests/test_migrations.py): record the schema as
        # migrated to head, as `flask db upgrade` would, so /readyz sees a ready database.
        from petition.operations.health import migration_heads

        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            for head in migration_heads():
                conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
        db.engine.dispose()


def _empty_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        # DELETE beats TRUNCATE on tables this small, on PostgreSQL as on SQLite.
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture(scope="session")
def media_root(tmp_path_factory) -> str:
    """Where the test apps keep uploaded logos (MEDIA_ROOT)."""
    return str(tmp_path_factory.mktemp("media"))


@pytest.fixture
def make_app(database_url, _schema, media_root):
    """Build apps on the test database with settings overridden; tables are emptied after."""
    apps = []

    def factory(**overrides):
        overrides.setdefault("MEDIA_ROOT", media_root)
        app = create_app(settings_for_tests(database_url, **overrides))
        apps.append(app)
        return app

    yield factory
    if apps:
        # Whatever a test wrote is removed even when it failed halfway.
        _empty_tables(apps[0])
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A Redis for tests of the Redis rate-limit store: TEST_REDIS_URL, or one of our own."""
    if TEST_REDIS_URL:
        yield TEST_REDIS_URL
        return
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class SMTPServer:
    """A real SMTP server (aiosmtpd) on a loopback port, for tests where email is the point.

    `messages` holds what it accepted, parsed (`email.message.EmailMessage`); `config` is the
    app settings that point at it: `make_app(**smtp_server.config)`. It can misbehave on
    demand: `refuse_connections()`, `answer("451 4.3.0 Try later")` (at DATA, or at RCPT for
    some or all recipients), `drop_connection_after(n)`; `reset()` makes it well again.
    """

    host = "127.0.0.1"

    def __init__(self) -> None:
        import socket

        # A free port: bind to 0, note what the kernel chose, then let the server have it.
        with socket.socket() as probe:
            probe.bind((self.host, 0))
            self.port: int = probe.getsockname()[1]
        self.messages: list = []
        self.connections = 0
        self._controller = None
        self._data_reply: str | None = None
        self._rcpt_reply: str | None = None
        self._rcpt_only: set[str] | None = None
        self._drop_after: int | None = None

    @property
    def config(self) -> dict:
        return {
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_TIMEOUT": 5,
        }

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self._controller is None:
            self._controller = Controller(self, hostname=self.host, port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse_connections(self) -> None:
        """Stop listening: connecting fails with "connection refused"."""
        self.stop()

    def answer(self, reply: str, *, at: str = "DATA", recipients: set[str] | None = None):
        """Reply `reply` (e.g. "451 4.3.0 Try later") at DATA, or at RCPT (for `recipients`)."""
        self.start()
        if at == "RCPT":
            self._rcpt_reply, self._rcpt_only = reply, recipients
        else:
            self._data_reply = reply

    def drop_connection_after(self, count: int) -> None:
        """Accept `count` more messages, then hang up in the middle of the next one."""
        self.start()
        self._drop_after = count

    def reset(self) -> None:
        """Listen again and accept everything (messages received so far are kept)."""
        self._data_reply = self._rcpt_reply = self._rcpt_only = self._drop_after = None
        self.start()

    # aiosmtpd handler hooks (they run in the server's own thread).
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._rcpt_reply and (self._rcpt_only is None or address in self._rcpt_only):
            return self._rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        if self._drop_after is not None:
            if self._drop_after == 0:
                server.transport.close()
                return "421 4.3.0 Closing"  # never reaches the client: the line is gone
            self._drop_after -= 1
        if self._data_reply:
            return self._data_reply
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 Accepted"


@pytest.fixture
def smtp_server():
    """Run a real SMTP server on a free loopback port for one test."""
    server = SMTPServer()
    server.start()
    server.connections = 0  # the controller's own readiness probe is not a client
    yield server
    server.stop()


# The longest tests first: pytest-xdist (`--dist=worksteal`) then spreads them over the
# workers and ends the run on short ones, instead of one worker finishing a minute-long fuzz
# test while the other has nothing left to do.
_LONGEST = ("tests/faults/test_fuzz_forms.py::", "tests/test_bench_smoke.py::")


def pytest_collection_modifyitems(items):
    items.sort(
        key=lambda item: (
            not item.nodeid.startswith(_LONGEST),
            item.get_closest_marker("slow") is None,
        )
    )

"""The benchmark database: the demo platform with N approved endorsements, made once, reused.

`prepare(url, rows)` builds it with the app's own commands, as an operator would:
`flask db upgrade`, `flask petition demo`, `flask petition generate-endorsers` (a realistic
mix: organizations and individuals, both languages, every province and territory, accents,
plus about 3% unverified, pending, rejected, hidden and withdrawn). A second run with the same
row count reuses the data and only removes what earlier benchmark runs added (their sign-ons,
queued emails and the baseline's tables). A different row count starts again from empty.

It refuses a database whose name does not say it is for benchmarks or tests: the data in it is
replaced.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

ROOT = Path(__file__).resolve().parent.parent
SLUG = "decriminalization-with-dignity"
# Every address the load generators sign with ends here: the clean-up finds them by it.
LOAD_DOMAIN = "load.bench.example"
SECRET_KEY = "benchmark-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
# The account that downloads the admin export (fictional, benchmark databases only).
ADMIN_EMAIL = "export-check@bench.example"
ADMIN_PASSWORD = "Fictional-Load-Test-Passphrase-42"  # noqa: S105


@dataclass(frozen=True)
class Facts:
    """What the prepared database holds, as the benchmark needs it."""

    url: str
    approved: int
    other: int
    listed: int  # on the public list: organizations and individuals who chose to be listed
    platform_id: int

    @property
    def engine_name(self) -> str:
        return "PostgreSQL" if self.url.startswith("postgresql") else "SQLite"

    @property
    def last_page(self) -> int:
        return max(1, -(-self.listed // 50))


def app_environment(url: str, **extra: str) -> dict[str, str]:
    """Return the environment for the app's commands and server: production settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PETITION_", "DATABASE_", "MAIL_", "SIGNON_", "PUBLIC_"))
    }
    env.update(
        # This checkout's app, whichever one the virtualenv has installed.
        PYTHONPATH=str(ROOT),
        PETITION_ENV="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=url,
        BASE_URL="http://127.0.0.1:8000",
        MAIL_SERVER="",
    )
    env.update(extra)
    return env


def flask(url: str, *args: str, stdin: str | None = None, check: bool = True) -> str:
    """Run `flask --app wsgi ARGS` on the benchmark database; return what it printed."""
    flask_bin = Path(sys.executable).with_name("flask")
    done = subprocess.run(
        [str(flask_bin), "--app", "wsgi", *args],
        cwd=ROOT,
        env=app_environment(url),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 and check:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def check_disposable(url: str) -> None:
    """Refuse a database that is not obviously a benchmark or test one."""
    parsed = make_url(url)
    name = Path(parsed.database or "").name.lower()
    if not any(word in name for word in ("bench", "test")):
        raise SystemExit(
            f"Refusing to use {parsed.render_as_string(hide_password=True)}: the benchmark "
            "replaces its data, so its database name must contain 'bench' or 'test'."
        )


def _count_facts(url: str) -> Facts | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            platform_id = conn.scalar(text("SELECT id FROM platform WHERE slug = :s"), {"s": SLUG})
            if platform_id is None:
                return None
            rows = dict(
                conn.execute(
                    text(
                        "SELECT status = 'approved', count(*) FROM endorsement "
                        "WHERE platform_id = :p AND email_canonical NOT LIKE :load "
                        "GROUP BY status = 'approved'"
                    ),
                    {"p": platform_id, "load": f"%@{LOAD_DOMAIN}"},
                ).all()
            )
            listed = conn.scalar(
                text(
                    "SELECT count(*) FROM endorsement WHERE platform_id = :p "
                    "AND status = 'approved' AND (kind = 'organization' OR display_mode IN "
                    "('full_name', 'first_initial', 'descriptor'))"
                ),
                {"p": platform_id},
            )
    finally:
        engine.dispose()
    return Facts(
        url=url,
        approved=rows.get(True, 0) or rows.get(1, 0),
        other=rows.get(False, 0) or rows.get(0, 0),
        listed=listed or 0,
        platform_id=platform_id,
    )


def _wipe(url: str) -> None:
    engine = create_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            path = Path(make_url(url).database or "")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def clean_up(url: str) -> None:
    """Remove what earlier runs added: load-test sign-ons, queued emails, baseline tables."""
    engine = create_engine(url)
    load = {"load": f"%@{LOAD_DOMAIN}"}
    try:
        with engine.begin() as conn:
            for table in ("consent", "email_token"):
                conn.execute(
                    text(
                        f"DELETE FROM {table} WHERE endorsement_id IN "  # noqa: S608 - fixed names
                        "(SELECT id FROM endorsement WHERE email_canonical LIKE :load)"
                    ),
                    load,
                )
            conn.execute(text("DELETE FROM endorsement WHERE email_canonical LIKE :load"), load)
            conn.execute(text("DELETE FROM outbox_message"))
            conn.execute(text("DROP TABLE IF EXISTS baseline_token"))
            conn.execute(text("DROP TABLE IF EXISTS baseline_signer"))
        _analyze(engine)
    finally:
        engine.dispose()


def _analyze(engine) -> None:
    # Planner statistics (and, on PostgreSQL, the visibility map that index-only scans need):
    # autovacuum provides them in production some time after a bulk load.
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        # Folding the write-ahead log into the file only tidies up: when SQLite will not now
        # ("database table is locked", seen since the FTS5 index), it does so later by itself.
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with connection as conn, contextlib.suppress(OperationalError):
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def prepare(url: str, rows: int, log: Callable[[str], None] = print) -> Facts:
    """Make the database hold the demo platform with `rows` approved endorsements; describe it."""
    check_disposable(url)
    if url.startswith("sqlite"):
        Path(make_url(url).database or "").parent.mkdir(parents=True, exist_ok=True)
    facts = None
    try:
        facts = _count_facts(url)
    except Exception:  # no schema yet, or an older one: start again
        facts = None
    if facts is None or facts.approved != rows:
        log(f"  building the database ({rows:,} approved endorsements; once per row count)...")
        started = time.perf_counter()
        _wipe(url)
        flask(url, "db", "upgrade")
        flask(url, "petition", "demo")
        # The demo's own organizations (its logo wall) count towards the rows asked for.
        demo = _count_facts(url)
        generate = rows - (demo.approved if demo is not None else 0)
        log(
            "    "
            + flask(
                url, "petition", "generate-endorsers", "--platform", SLUG, "--count", str(generate)
            ).strip()
        )
        log(f"    built in {time.perf_counter() - started:.0f} s")
    else:
        # The schema may have moved on since the data was made.
        flask(url, "db", "upgrade")
    clean_up(url)
    reset = flask(
        url,
        "petition",
        "set-password",
        ADMIN_EMAIL,
        "--password-stdin",
        stdin=ADMIN_PASSWORD,
        check=False,
    )
    if "No account" in reset:
        flask(
            url, "petition", "create-admin", ADMIN_EMAIL, "--password-stdin", stdin=ADMIN_PASSWORD
        )
    facts = _count_facts(url)
    assert facts is not None and facts.approved == rows, facts
    return facts

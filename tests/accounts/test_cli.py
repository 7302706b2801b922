"""`flask petition create-admin`, `set-password`, and the development admin of `petition dev`."""

from __future__ import annotations

import re
from datetime import timedelta

import werkzeug.serving
from sqlalchemy import select

from petition.accounts.models import AdminRole, AdminUser
from petition.accounts.passwords import verify_password
from petition.db_types import utcnow
from petition.extensions import db
from tests.factories import make_admin_user
from tests.logins import log_in


def _user(app, email):
    with app.app_context():
        user = db.session.scalar(select(AdminUser).where(AdminUser.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def test_create_admin_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["petition", "create-admin", "Lee.Chair@Example.org", "--name", "Lee Chair"],
        input="a long and private passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin account lee.chair@example.org" in result.output
    assert "private passphrase" not in result.output
    user = _user(app, "lee.chair@example.org")
    assert user.role == AdminRole.ADMIN and user.display_name == "Lee Chair"
    assert verify_password(user.password_hash, "a long and private passphrase")
    assert log_in(app.test_client(), "lee.chair@example.org", "a long and private passphrase")


def test_create_moderator_with_password_stdin_flag(app, runner):
    result = runner.invoke(
        args=[
            "petition",
            "create-admin",
            "mo@example.org",
            "--role",
            "moderator",
            "--password-stdin",
        ],
        input="another long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert _user(app, "mo@example.org").role == AdminRole.MODERATOR


def test_create_admin_refuses_weak_passwords_and_duplicates(app, runner):
    weak = runner.invoke(args=["petition", "create-admin", "x@example.org"], input="password123\n")
    assert weak.exit_code != 0
    assert "at least 12 characters" in weak.output
    assert _user(app, "x@example.org") is None

    common = runner.invoke(
        args=["petition", "create-admin", "x@example.org"], input="password1234\n"
    )
    assert common.exit_code != 0 and "too common" in common.output

    ok = runner.invoke(
        args=["petition", "create-admin", "x@example.org"], input="fine pass phrase\n"
    )
    assert ok.exit_code == 0
    again = runner.invoke(
        args=["petition", "create-admin", "X@EXAMPLE.ORG"], input="fine pass phrase\n"
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_admin_has_no_password_argument(runner):
    result = runner.invoke(
        args=["petition", "create-admin", "y@example.org", "--password", "in shell history"]
    )
    assert result.exit_code != 0
    assert "No such option" in result.output


def test_set_password_unlocks_and_ends_sessions(app, runner):
    with app.app_context():
        make_admin_user("pat@example.org", locked_until=utcnow() + timedelta(minutes=5))
        db.session.commit()
    before = _user(app, "pat@example.org")
    result = runner.invoke(
        args=["petition", "set-password", "PAT@example.org"], input="a fresh key for the account\n"
    )
    assert result.exit_code == 0, result.output
    after = _user(app, "pat@example.org")
    assert after.locked_until is None
    assert after.session_version == before.session_version + 1
    assert verify_password(after.password_hash, "a fresh key for the account")

    missing = runner.invoke(
        args=["petition", "set-password", "nobody@example.org"], input="whatever it is ok\n"
    )
    assert missing.exit_code != 0 and "No account" in missing.output


def test_dev_command_creates_a_development_admin_once(make_app, tmp_path, monkeypatch):
    served = []
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *a, **k: served.append(a))
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    runner = app.test_cli_runner()

    first = runner.invoke(args=["petition", "dev"])
    assert first.exit_code == 0, first.output
    match = re.search(r"Log in as admin@example\.org with password (\S+)", first.output)
    assert match, first.output
    assert served
    client = app.test_client()
    assert log_in(client, "admin@example.org", match.group(1)).status_code == 302

    second = runner.invoke(args=["petition", "dev"])
    assert second.exit_code == 0, second.output
    assert "admin already exists; reset with `flask petition set-password`" in second.output
    assert match.group(1) not in second.output
    with app.app_context():
        db.engine.dispose()

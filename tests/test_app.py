"""The app factory, configuration, locale routing, error pages and response headers."""

from __future__ import annotations

import pytest
from flask import abort

from petition import create_app
from petition.config import ConfigError, from_environment, settings_for_tests


def test_factory_honours_test_config():
    app = create_app(settings_for_tests("sqlite:////nonexistent-folder/never-opened.sqlite3"))
    # Nothing was opened or created: the database file's folder does not even exist.
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("never-opened.sqlite3")
    assert app.config["BASE_URL"] == "https://petition.test"


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment(str(tmp_path), env={"PETITION_ENV": "production"})


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    first = from_environment(str(tmp_path), env={"PETITION_ENV": "development"})
    second = from_environment(str(tmp_path), env={"PETITION_ENV": "development"})
    assert len(first["SECRET_KEY"]) >= 40
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o777 == 0o600


def test_default_database_is_sqlite_in_instance_folder(tmp_path):
    settings = from_environment(str(tmp_path), env={"SECRET_KEY": "x" * 40})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'petition.sqlite3'}"
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_https_base_url_makes_cookies_secure(tmp_path):
    env = {"SECRET_KEY": "x" * 40, "BASE_URL": "https://sign.example.org/"}
    settings = from_environment(str(tmp_path), env=env)
    assert settings["BASE_URL"] == "https://sign.example.org"
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_bad_number_in_environment_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        from_environment(str(tmp_path), env={"SECRET_KEY": "x" * 40, "MAIL_PORT": "twenty"})


def test_sqlite_uses_wal_and_foreign_keys(app):
    from sqlalchemy import text

    from petition.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "/fr/"),
        ("fr", "/fr/"),
        ("en-CA,en;q=0.9", "/en/"),
        ("de", "/en/"),
        ("", "/en/"),
    ],
)
def test_root_redirects_by_accept_language(client, accept, target):
    response = client.get("/", headers={"Accept-Language": accept})
    assert response.status_code == 302
    assert response.headers["Location"] == target
    assert "Accept-Language" in response.headers["Vary"]


def test_404_in_the_page_language(client):
    response = client.get("/fr/p/no-such-platform/")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="fr-CA"' in page
    assert "Page introuvable" in page
    assert "Page not found" not in page


def test_errors_show_no_stack_trace(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/<lang:lang>/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/<lang:lang>/forbidden")
    def forbidden():
        abort(403)

    @app.get("/<lang:lang>/slow-down")
    def slow_down():
        abort(429)

    client = app.test_client()
    response = client.get("/fr/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Une erreur inattendue" in page
    assert "secret internals" not in page
    assert "Traceback" not in page
    assert client.get("/en/forbidden").status_code == 403
    assert "Access denied" in client.get("/en/forbidden").get_data(as_text=True)
    assert "Trop de demandes" in client.get("/fr/slow-down").get_data(as_text=True)
    assert "Server" not in response.headers


def test_security_headers(client):
    response = client.get("/en/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_over_https(client):
    response = client.get("/en/", base_url="https://petition.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_ci_runs_the_readme_test_command():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    ci = (root / ".ci/run").read_text()
    command = next(
        line
        for line in readme.splitlines()
        if line.startswith("python3 -m venv") and "[test]" in line
    )
    assert (
        command.replace(".venv/bin/python -m pytest", "run_pytest .venv/bin/python -m pytest") in ci
    )

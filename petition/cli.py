"""`flask petition ...` and `flask translate ...` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from werkzeug.serving import WSGIRequestHandler

from .extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
POT_FILE = ROOT / "messages.pot"
LOCAL_NAMES = ("127.0.0.1", "localhost")

petition_cli = AppGroup("petition", help="Run and look after the sign-on platform.")
translate_cli = AppGroup("translate", help="Extract, update and compile UI translations.")


@petition_cli.command("demo")
def demo_command():
    """Load the demo platform (English and French). Running it twice changes nothing."""
    from .directory.demo_wall import load_demo_wall
    from .platforms.demo import load_demo_platform

    platform, created = load_demo_platform()
    added = load_demo_wall(platform)
    db.session.commit()
    if added:
        click.echo(f"Demo logo wall: {added} fictional organizations, by-and-for groups first")
    if created:
        click.echo(f"Demo platform loaded: /en/p/{platform.slug}/ and /fr/p/{platform.slug}/")
    else:
        click.echo(f"Demo platform already present: /en/p/{platform.slug}/")


@petition_cli.command("prune-media")
def prune_media_command():
    """Delete logo files no organization uses any more, and share cards over 30 days old."""
    from .logos.services import prune_files

    logos_gone, cards_gone = prune_files()
    click.echo(f"Deleted {logos_gone} unused logo files and {cards_gone} old share cards.")


class NoBannerRequestHandler(WSGIRequestHandler):
    """The development server's request handler, without its `Server: Werkzeug/...` header."""

    def send_header(self, keyword: str, value: str) -> None:
        # http.server adds it to every response (errors too), after the app has answered.
        if keyword.lower() != "server":
            super().send_header(keyword, value)


def _serve_here(app: Flask, host: str, port: int) -> None:
    """Point the app at the address `petition dev` serves (unless BASE_URL was set)."""
    from .security import trusted_hosts

    if not app.config["BASE_URL_SET"]:
        # Links in emails must reach this server: its own port, a name a browser can open.
        name = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104 (not binding)
        name = "[::1]" if name == "::" else (f"[{name}]" if ":" in name else name)
        app.config["BASE_URL"] = f"http://{name}:{port}"
        app.config["SESSION_COOKIE_SECURE"] = False
    # The local server answers at 127.0.0.1 and at localhost, whichever the browser uses.
    names = trusted_hosts(app.config)
    app.config["TRUSTED_HOSTS"] = names + [n for n in LOCAL_NAMES if n not in names]


@petition_cli.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def dev_command(host: str, port: int):
    """Create or upgrade the database, load the demo and run the site for local use.

    Links (printed here and in emails) use --host and --port, unless BASE_URL is set.
    """
    from flask import current_app
    from flask_migrate import upgrade
    from werkzeug.serving import run_simple

    from .platforms.demo import load_demo_platform

    app = current_app._get_current_object()
    if app.config["PETITION_ENV"] != "development":
        raise click.UsageError("`petition dev` is for development: set PETITION_ENV=development")
    _serve_here(app, host, port)
    upgrade()
    from .directory.demo_wall import load_demo_wall

    demo_platform = load_demo_platform()[0]
    load_demo_wall(demo_platform)
    slug = demo_platform.slug
    db.session.commit()
    from .accounts.services import ensure_dev_admin

    dev_admin, dev_password = ensure_dev_admin()
    dev_email = dev_admin.email if dev_admin else None
    db.session.commit()
    # Leave no transaction open in this process while the server runs.
    db.session.close()
    base = app.config["BASE_URL"]
    click.echo()
    click.secho("The sign-on platform is running.", bold=True)
    click.echo(f"  English:  {base}/en/p/{slug}/")
    click.echo(f"  Français: {base}/fr/p/{slug}/")
    click.echo(f"  Admin:    {base}/admin/")
    if dev_password:
        click.echo(f"  Log in as {dev_email} with password {dev_password} (shown once)")
    else:
        click.echo("  admin already exists; reset with `flask petition set-password`")
    if not app.config["MAIL_SERVER"]:
        click.echo("Emails the site sends are printed here, with their links.")
    click.echo("Press Ctrl+C to stop.")
    click.echo()
    from .outbox.commands import relay_beside

    # The email relay runs beside the server, as it would in production, and stops with it.
    with relay_beside():
        # `app.run` refuses to start inside a `flask` command, so serve the app directly.
        run_simple(
            host,
            port,
            app,
            threaded=True,
            use_reloader=False,
            use_debugger=False,
            request_handler=NoBannerRequestHandler,
        )


@petition_cli.command("notify-moderators")
def notify_moderators_command():
    """Email moderators who are due a digest of endorsements awaiting review."""
    from .moderation.digest import send_digests

    sent = send_digests()
    db.session.commit()
    click.echo(f"Digests queued: {sent}")


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


@translate_cli.command("extract")
def translate_extract():
    """Collect UI strings from code and templates into messages.pot."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "--no-location",
        # Babel skips folders starting with "_" unless told otherwise: templates/_macros counts.
        "--ignore-dirs",
        ".* node_modules instance bench tests migrations",
        "-o",
        str(POT_FILE),
        str(ROOT),
    )


@translate_cli.command("update")
def translate_update():
    """Extract strings and merge them into the French catalogue (messages.po)."""
    translate_extract.callback()
    # Lines wrapped at 100 characters, as the catalogue has always been.
    _pybabel(
        "update",
        "-i",
        str(POT_FILE),
        "-d",
        str(TRANSLATIONS),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
        "-w",
        "100",
    )
    POT_FILE.unlink()


@translate_cli.command("compile")
def translate_compile():
    """Compile messages.po into the messages.mo the app loads."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


def register_commands(app: Flask) -> None:
    from .abuse_console.commands import COMMANDS as abuse_commands
    from .accounts.commands import create_admin_command, set_password_command
    from .directory.commands import generate_endorsers_command
    from .endorsements import commands as endorsement_commands
    from .outbox.commands import outbox_cli
    from .privacy import commands as privacy_commands

    for command in (
        create_admin_command,
        set_password_command,
        generate_endorsers_command,
        endorsement_commands.import_endorsements_command,
        endorsement_commands.send_listing_confirmations_command,
        privacy_commands.purge_command,
        privacy_commands.erase_command,
        *abuse_commands,
    ):
        petition_cli.add_command(command)
    app.cli.add_command(petition_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(outbox_cli)

"""`flask petition create-admin` and `flask petition set-password`.

Passwords are never command-line arguments (they would land in shell history and `ps`): they
are typed at a hidden prompt, twice, or read from standard input when it is not a terminal
(or with `--password-stdin`), for example from a password manager's command-line tool.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..extensions import db
from . import services
from .models import AdminRole
from .passwords import WeakPassword


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.UsageError("no password on standard input")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-admin")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in AdminRole]),
    default=AdminRole.ADMIN.value,
    show_default=True,
)
@click.option("--name", default="", help="Display name shown to other admins.")
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Language of the account's admin pages and digests.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_admin_command(email: str, role: str, name: str, lang: str, password_stdin: bool):
    """Create an admin or moderator account."""
    password = _read_password(password_stdin)
    try:
        user = services.create_user(
            email, password, role=AdminRole(role), display_name=name, lang=lang
        )
    except (services.AccountError, WeakPassword) as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email}.")


@click.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def set_password_command(email: str, password_stdin: bool):
    """Set a new password for an account, unlock it and end its sessions."""
    user = services.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the address {email.strip().lower()}.")
    password = _read_password(password_stdin)
    try:
        services.reset_password(user, password, actor=None)
    except WeakPassword as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Password changed for {user.email}; its sessions have ended.")

"""Rules about admin accounts: logging in, lockout, roles, passwords. Flush, never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import case, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..db_types import UTCDateTime, utcnow
from ..extensions import db
from ..i18n import _l
from . import passwords
from .models import AdminLanguage, AdminRole, AdminUser, DigestFrequency
from .passwords import WeakPassword

# After this many wrong passwords in a row an account refuses logins for LOCKOUT_MINUTES.
LOCKOUT_ATTEMPTS = 5
LOCKOUT_MINUTES = 15
DEV_ADMIN_EMAIL = "admin@example.org"

__all__ = [
    "LOCKOUT_ATTEMPTS",
    "LOCKOUT_MINUTES",
    "AccountError",
    "EmailTaken",
    "InvalidEmail",
    "LastAdmin",
    "LoginFailed",
    "WeakPassword",
    "WrongPassword",
]


class AccountError(Exception):
    """A change to an account breaks a rule; `message` says which, in the current language."""

    message = _l("This change is not possible.")

    def __str__(self) -> str:
        return str(self.message)


class InvalidEmail(AccountError):
    message = _l("Enter a valid email address.")


class EmailTaken(AccountError):
    message = _l("An account with this email address already exists.")


class LastAdmin(AccountError):
    message = _l("This is the last active admin: make another account an admin first.")


class WrongPassword(AccountError):
    message = _l("Your current password is not right.")


class LoginFailed(Exception):
    """The email and password do not open an account (deliberately not saying why)."""


def normalize_email(email: str) -> str:
    """Return the address lowercased and checked for shape, or raise InvalidEmail."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail() from exc
    return checked.normalized.lower()


def find_by_email(email: str) -> AdminUser | None:
    """Return the account with this address (any case), or None."""
    return db.session.scalar(select(AdminUser).where(AdminUser.email == email.strip().lower()))


def list_users() -> list[AdminUser]:
    """Return every account: active ones first, then by name."""
    return list(
        db.session.scalars(
            select(AdminUser).order_by(
                AdminUser.active.desc(), func.lower(AdminUser.display_name), AdminUser.email
            )
        )
    )


def admin_exists() -> bool:
    """Say whether at least one active admin account exists."""
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(AdminUser)
            .where(AdminUser.role == AdminRole.ADMIN, AdminUser.active.is_(True))
        )
    )


def _other_active_admins(user: AdminUser) -> int:
    # Lock the admin rows (PostgreSQL), so two admins demoting each other at the same moment
    # cannot both succeed and leave nobody in charge. SQLite serializes writers anyway.
    ids = db.session.scalars(
        select(AdminUser.id)
        .where(AdminUser.role == AdminRole.ADMIN, AdminUser.active.is_(True))
        .with_for_update()
    ).all()
    return len([i for i in ids if i != user.id])


def _audit_target(user: AdminUser) -> dict:
    return {"target_type": "admin_user", "target_id": user.id}


def create_user(
    email: str,
    password: str,
    *,
    role: AdminRole = AdminRole.MODERATOR,
    display_name: str = "",
    lang: str = "en",
    actor: AdminUser | None = None,
) -> AdminUser:
    """Create an account speaking `lang`; raise InvalidEmail, EmailTaken or WeakPassword."""
    email = normalize_email(email)
    passwords.check_password(password, email)
    if find_by_email(email) is not None:
        raise EmailTaken()
    user = AdminUser(
        email=email,
        display_name=display_name.strip(),
        role=AdminRole(role),
        password_hash=passwords.hash_password(password),
        # Its digests and pages start in the language the account was created in.
        preferred_locale=AdminLanguage(lang),
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:
        # Someone created the same address between the check above and this insert.
        raise EmailTaken() from exc
    audit.record(
        "account.create",
        actor=actor,
        details={"after": {"email": user.email, "role": str(user.role), "name": user.name}},
        **_audit_target(user),
    )
    return user


def change_role(user: AdminUser, role: AdminRole, *, actor: AdminUser | None) -> None:
    """Give `user` another role; refuse to demote the last active admin."""
    role = AdminRole(role)
    if role == user.role:
        return
    if user.role == AdminRole.ADMIN and user.active and _other_active_admins(user) == 0:
        raise LastAdmin()
    before = user.role
    user.role = role
    db.session.flush()
    audit.record(
        "account.role_change",
        actor=actor,
        details={"before": {"role": str(before)}, "after": {"role": str(role)}},
        **_audit_target(user),
    )


def set_active(user: AdminUser, active: bool, *, actor: AdminUser | None) -> None:
    """Deactivate (ending every session) or reactivate `user`; keep one active admin."""
    if active == user.active:
        return
    if not active and user.role == AdminRole.ADMIN and _other_active_admins(user) == 0:
        raise LastAdmin()
    user.active = active
    if not active:
        user.session_version += 1
    db.session.flush()
    audit.record(
        "account.reactivate" if active else "account.deactivate",
        actor=actor,
        details={"before": {"active": not active}, "after": {"active": active}},
        **_audit_target(user),
    )


def reset_password(user: AdminUser, password: str, *, actor: AdminUser | None) -> None:
    """Set a new password for `user` (by an admin or the command line); end their sessions."""
    passwords.check_password(password, user.email)
    _set_password(user, password)
    user.failed_login_count = 0
    user.locked_until = None
    db.session.flush()
    audit.record("account.password_reset", actor=actor, **_audit_target(user))


def change_own_password(user: AdminUser, current: str, new: str) -> None:
    """Change `user`'s password after checking the current one; end their other sessions."""
    if not passwords.verify_password(user.password_hash, current):
        raise WrongPassword()
    passwords.check_password(new, user.email)
    _set_password(user, new)
    db.session.flush()
    audit.record("account.password_change", actor=user, **_audit_target(user))


def _set_password(user: AdminUser, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    user.session_version += 1


def set_language(user: AdminUser, lang: str) -> None:
    """Remember the language `user` wants the admin pages in."""
    user.preferred_locale = AdminLanguage(lang)
    db.session.flush()


def set_digest(user: AdminUser, frequency: DigestFrequency) -> None:
    """Set how often `user` is emailed about endorsements awaiting review; audit it."""
    before = user.digest.value
    user.digest = frequency
    audit.record(
        "account.notifications",
        actor=user,
        target_type="admin_user",
        target_id=user.id,
        details={"before": {"digest": before}, "after": {"digest": frequency.value}},
    )


def authenticate(email: str, password: str, *, now: datetime | None = None) -> AdminUser:
    """Return the account `email` and `password` open, or raise LoginFailed; audit either way."""
    now = now or utcnow()
    user = find_by_email(email)
    usable = user is not None and user.active and not user.is_locked(now)
    # Always exactly one argon2 verification, whatever the reason for refusing.
    matches = passwords.verify_password(user.password_hash if usable else None, password)
    if user is None:
        audit.record(
            "login_failed",
            actor_kind="admin",
            actor_label=audit.UNKNOWN_LABEL,
            details={"reason": "unknown_email"},
        )
        raise LoginFailed()
    if not usable:
        reason = "inactive" if not user.active else "locked"
        _record_failure(user, reason)
        raise LoginFailed()
    if not matches:
        if not _count_wrong_password(user, now):
            # A parallel attempt locked the account while this password was being checked.
            _record_failure(user, "locked")
            raise LoginFailed()
        _record_failure(user, "wrong_password")
        if user.locked_until is not None:  # this attempt reached the limit
            audit.record(
                "lockout",
                actor_kind="system",
                details={"minutes": LOCKOUT_MINUTES, "attempts": LOCKOUT_ATTEMPTS},
                **_audit_target(user),
            )
        db.session.flush()
        raise LoginFailed()
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    if passwords.needs_rehash(user.password_hash):
        # The hashing parameters were raised since this password was set: upgrade it now,
        # while we have the password in hand.
        user.password_hash = passwords.hash_password(password)
    db.session.flush()
    audit.record("login", actor=user, **_audit_target(user))
    return user


def _count_wrong_password(user: AdminUser, now: datetime) -> bool:
    """Count one wrong password for `user` and lock the account at the limit, atomically.

    Return False, counting nothing, if the account is locked by now. One UPDATE reads and
    writes the count: parallel attempts (gunicorn workers, threads) each add their own one,
    where reading the count into Python and writing it back lost all but one of them. The
    count stays at the limit while the account is locked; the first wrong password after the
    lock expires starts a new series at 1, and a successful login sets it back to 0.
    """
    unlocked = or_(AdminUser.locked_until.is_(None), AdminUser.locked_until <= now)
    # SET expressions all read the row as it was: after an expired lock, a new series.
    count = case((AdminUser.locked_until.is_not(None), 1), else_=AdminUser.failed_login_count + 1)
    until = literal(now + timedelta(minutes=LOCKOUT_MINUTES), UTCDateTime())
    row = db.session.execute(
        update(AdminUser)
        .where(AdminUser.id == user.id, unlocked)
        .values(
            failed_login_count=count,
            locked_until=case((count >= LOCKOUT_ATTEMPTS, until), else_=None),
        )
        .returning(AdminUser.failed_login_count, AdminUser.locked_until)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        return False
    # What the database holds now, without marking `user` changed: a later flush must not
    # write these values back over a parallel attempt's.
    set_committed_value(user, "failed_login_count", row.failed_login_count)
    set_committed_value(user, "locked_until", row.locked_until)
    return True


def _record_failure(user: AdminUser, reason: str) -> None:
    audit.record(
        "login_failed",
        actor_kind="admin",
        actor_label=user.email,
        details={"reason": reason},
        **_audit_target(user),
    )


def log_out(user: AdminUser) -> None:
    """End every session of `user` (a copied session cookie stops working too)."""
    user.session_version += 1
    db.session.flush()
    audit.record("logout", actor=user, **_audit_target(user))


def ensure_dev_admin() -> tuple[AdminUser | None, str | None]:
    """Create the development admin unless an admin exists; return it and its new password."""
    if admin_exists():
        return None, None
    password = passwords.generate_password()
    existing = find_by_email(DEV_ADMIN_EMAIL)
    if existing is not None:
        # An earlier development admin was demoted or deactivated: restore it.
        existing.role = AdminRole.ADMIN
        existing.active = True
        reset_password(existing, password, actor=None)
        return existing, password
    user = create_user(
        DEV_ADMIN_EMAIL, password, role=AdminRole.ADMIN, display_name="Development admin"
    )
    return user, password

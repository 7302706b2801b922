"""Rules of the block and allow lists: what an entry may hold, and what a sign-on matches.

Functions flush and never commit (the view or command commits). Adding and removing entries
is audited; an IP entry is named in the log by its fingerprint, an address by its domain.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..db_types import utcnow
from ..extensions import db
from ..i18n import _l
from ..security import ip_hash
from .models import ScreeningEntry, ScreeningHit, ScreeningKind, ScreeningList

# What the admin pages show of an IP hash: enough to tell sources apart, never the address.
FINGERPRINT_LENGTH = 12
_HEX = re.compile(r"[0-9a-f]+")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class InvalidEntry(ValueError):
    """A value that cannot be a list entry; `message` (a lazy text) says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class DuplicateEntry(InvalidEntry):
    """The list already holds that value."""


def fingerprint(hashed_ip: str) -> str:
    """Return the short form of an IP hash that admin pages show."""
    return (hashed_ip or "")[:FINGERPRINT_LENGTH]


def canonical_address(email: str) -> str:
    # The same canonical form as the endorsement's (endorsements.signon.canonical_email).
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def domain_of(email: str) -> str:
    """Return the domain of an email address, lower case."""
    return canonical_address(email).rpartition("@")[2]


def email_domain_sql(column):
    """Return the SQL expression of the domain of an email column (SQLite or PostgreSQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.split_part(column, "@", 2)
    return func.substr(column, func.instr(column, "@") + 1)


def matches_domain(column, domain: str):
    """Return the SQL condition: the email in `column` is at `domain` or a subdomain of it."""
    expression = email_domain_sql(column)
    # A normalized domain holds only letters, digits, dots and hyphens: no LIKE wildcard.
    return or_(expression == domain, expression.like(f"%.{domain}"))


def parent_domains(domain: str) -> list[str]:
    """Return a domain and each domain above it that has a dot: a.b.example.org, b.example.org..."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [domain]


def _domain(raw: str) -> str:
    value = raw.strip().lower().lstrip("@").removeprefix("*.").rstrip(".")
    if "@" in value:
        value = value.rpartition("@")[2]
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidEntry(_l("Enter a domain such as example.org.")) from exc
    labels = value.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidEntry(_l("Enter a domain such as example.org."))
    return value


def _ip(raw: str) -> str:
    value = raw.strip().lower()
    if _HEX.fullmatch(value) and len(value) in (FINGERPRINT_LENGTH, 64):
        return value
    try:
        address = ipaddress.ip_address(value)
    except ValueError as exc:
        raise InvalidEntry(
            _l(
                "Enter an IP address or a fingerprint of %(length)d characters.",
                length=FINGERPRINT_LENGTH,
            )
        ) from exc
    # Hashed at once: the address itself is kept nowhere.
    return ip_hash(str(address))


def _address(raw: str) -> str:
    value = canonical_address(raw)
    local, _at, domain = value.rpartition("@")
    if not local or not domain:
        raise InvalidEntry(_l("Enter an email address such as name@example.org."))
    return f"{local}@{_domain(domain)}"


def normalize(kind: ScreeningKind, raw: str) -> str:
    """Return the stored form of a value typed for an entry of `kind`, or raise InvalidEntry."""
    return {
        ScreeningKind.DOMAIN: _domain,
        ScreeningKind.IP: _ip,
        ScreeningKind.ADDRESS: _address,
    }[kind](raw or "")


def shown_value(entry: ScreeningEntry) -> str:
    """Return what admin pages and the audit log show of an entry's value."""
    if entry.kind == ScreeningKind.IP:
        return fingerprint(entry.value)
    return entry.value


def _audit_value(entry: ScreeningEntry) -> str:
    if entry.kind == ScreeningKind.ADDRESS:
        # The log names no signer's address: the domain, and the first letter before it.
        local, _at, domain = entry.value.rpartition("@")
        return f"{local[:1]}…@{domain}"
    return shown_value(entry)


def add_entry(
    list_: ScreeningList, kind: ScreeningKind, raw: str, *, note: str = "", actor=None
) -> ScreeningEntry:
    """Add an entry to a list and audit it; raise InvalidEntry (or DuplicateEntry)."""
    if list_ == ScreeningList.DISPOSABLE_OK and kind != ScreeningKind.DOMAIN:
        raise InvalidEntry(_l("Only a domain can be exempted from the disposable list."))
    value = normalize(kind, raw)
    existing = db.session.scalar(
        select(ScreeningEntry).where(
            ScreeningEntry.list == list_, ScreeningEntry.kind == kind, ScreeningEntry.value == value
        )
    )
    if existing is not None:
        raise DuplicateEntry(_l("That entry is already on the list."))
    entry = ScreeningEntry(
        list=list_,
        kind=kind,
        value=value,
        note=(note or "").strip()[:200],
        created_by_id=getattr(actor, "id", None),
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError as exc:  # added by someone else at the same moment
        raise DuplicateEntry(_l("That entry is already on the list.")) from exc
    _audit(entry, "screening.add", actor)
    return entry


def remove_entry(entry: ScreeningEntry, *, actor=None) -> None:
    """Remove an entry from its list and audit it."""
    _audit(entry, "screening.remove", actor)
    db.session.delete(entry)
    db.session.flush()


def _audit(entry: ScreeningEntry, action: str, actor) -> None:
    audit.record(
        action,
        actor=actor,
        actor_label=None if actor is not None else "cli",
        target_type="screening_entry",
        target_id=entry.id,
        details={
            "list": entry.list.value,
            "kind": entry.kind.value,
            "value": _audit_value(entry),
            **({"note": entry.note} if entry.note else {}),
        },
    )


def list_entries(list_: ScreeningList) -> list[ScreeningEntry]:
    """Return the entries of a list, newest first."""
    return list(
        db.session.scalars(
            select(ScreeningEntry)
            .where(ScreeningEntry.list == list_)
            .order_by(ScreeningEntry.created_at.desc(), ScreeningEntry.id.desc())
        )
    )


def find_entry(entry_id: int) -> ScreeningEntry | None:
    return db.session.get(ScreeningEntry, entry_id)


@dataclass(frozen=True)
class Verdict:
    """What the lists say of one sign-on."""

    # The block entry it matches, if any (a block wins over an allow).
    block: ScreeningEntry | None = None
    # Exempt from the sign-on rate limit.
    exempt: bool = False
    matched: list[ScreeningEntry] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return self.block is not None


def _matching(email: str, hashed_ip: str, lists: tuple[ScreeningList, ...]):
    address = canonical_address(email)
    domains = parent_domains(domain_of(email)) if "@" in address else []
    conditions = [
        and_(ScreeningEntry.kind == ScreeningKind.ADDRESS, ScreeningEntry.value == address)
    ]
    if domains:
        conditions.append(
            and_(ScreeningEntry.kind == ScreeningKind.DOMAIN, ScreeningEntry.value.in_(domains))
        )
    if hashed_ip:
        conditions.append(
            and_(
                ScreeningEntry.kind == ScreeningKind.IP,
                ScreeningEntry.value.in_([hashed_ip, fingerprint(hashed_ip)]),
            )
        )
    return db.session.scalars(
        select(ScreeningEntry)
        .where(ScreeningEntry.list.in_(lists), or_(*conditions))
        .order_by(ScreeningEntry.id)
    ).all()


def screen(email: str, hashed_ip: str) -> Verdict:
    """Return what the block and allow lists say of a sign-on (one query, whatever the answer)."""
    matched = list(_matching(email, hashed_ip, (ScreeningList.BLOCK, ScreeningList.ALLOW)))
    block = next((e for e in matched if e.list == ScreeningList.BLOCK), None)
    exempt = any(e.list == ScreeningList.ALLOW for e in matched)
    return Verdict(block=block, exempt=exempt and block is None, matched=matched)


def record_hit(entry: ScreeningEntry, platform_id: int | None, now: datetime | None = None) -> None:
    """Note that `entry` stopped a sign-on (in place of the email it would have caused)."""
    db.session.add(ScreeningHit(entry_id=entry.id, platform_id=platform_id, at=now or utcnow()))
    db.session.flush()


def is_disposable(email: str) -> bool:
    """Say whether an address is at a disposable (throwaway) mail service not exempted."""
    if "@" not in (email or ""):
        return False
    domains = parent_domains(domain_of(email))
    if not any(d in DISPOSABLE_DOMAINS for d in domains):
        return False
    exempted = db.session.scalar(
        select(ScreeningEntry.id).where(
            ScreeningEntry.list == ScreeningList.DISPOSABLE_OK,
            ScreeningEntry.kind == ScreeningKind.DOMAIN,
            ScreeningEntry.value.in_(domains),
        )
    )
    return exempted is None

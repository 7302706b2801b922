"""Two `limits` storage backends: the app's own database, and a store that never fails.

`database://` keeps counters in the SQLALCHEMY database (table `rate_limit_counter`), so every
gunicorn worker and every app server counts together without another service. It implements
the sliding-window-counter strategy: one counter per key and window; each hit is one short
transaction of its own, an atomic `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (SQLite
3.35+, PostgreSQL), the previous window's count, and the hit taken back if it went over.

`failover://` is what Flask-Limiter is given: it passes every call to the configured store
(`store=`, from RATELIMIT_STORAGE_URI) and, while that store cannot be reached, counts in this
process's memory instead, logs one warning, and tries the store again every few seconds.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from math import floor
from urllib.parse import urlsplit

from limits.storage import MemoryStorage, SlidingWindowCounterSupport, Storage, storage_from_string
from limits.storage.base import TimestampedSlidingWindow
from sqlalchemy import bindparam, case, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..db_types import utcnow
from ..extensions import db, sqlite_write_intent
from .models import KEY_LENGTH, RateLimitCounter

log = logging.getLogger(__name__)

# How often one process deletes expired counters (rows of windows that are over).
CLEAN_EVERY_SECONDS = 300
# While the store is unreachable, how often one process tries it again.
RETRY_SECONDS = 5
# How often the admin dashboard may ask the store whether it is there.
PROBE_SECONDS = 10
# Redis answers in microseconds; one that hangs must not hold a sign-on for long.
REDIS_TIMEOUT_SECONDS = 2
REDIS_SCHEMES = {"redis", "rediss", "redis+unix", "valkey", "valkeys", "valkey+unix"}

_counters = RateLimitCounter.__table__
# Rate-limit counters may lose their last few hits in a crash: not worth a disk flush each.
_NO_FLUSH_WAIT = text("SET LOCAL synchronous_commit TO OFF")


def _row_key(key: str) -> str:
    """Return `key`, or a digest in its place if it is longer than the column."""
    if len(key) <= KEY_LENGTH:
        return key
    return f"{key[:150]}#{hashlib.sha256(key.encode()).hexdigest()}"


@dataclass(frozen=True)
class _Statements:
    """The store's statements, built once per dialect (SQLAlchemy then caches their SQL)."""

    upsert: object
    decrement: object
    live: object

    @classmethod
    def build(cls, dialect: str) -> _Statements:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        new = insert(_counters).values(
            key=bindparam("key"), hits=bindparam("amount"), expires_at=bindparam("expires_at")
        )
        # An expired counter starts again, as if it had been deleted.
        expired = _counters.c.expires_at <= bindparam("now")
        upsert = new.on_conflict_do_update(
            index_elements=[_counters.c.key],
            set_={
                "hits": case(
                    (expired, new.excluded.hits), else_=_counters.c.hits + new.excluded.hits
                ),
                "expires_at": case(
                    (expired, new.excluded.expires_at), else_=_counters.c.expires_at
                ),
            },
        ).returning(_counters.c.hits)
        live = _counters.c.expires_at > bindparam("now")
        amount = bindparam("amount")
        decrement = (
            update(_counters)
            .where(_counters.c.key == bindparam("row_key"), live)
            .values(hits=case((_counters.c.hits > amount, _counters.c.hits - amount), else_=0))
            .returning(_counters.c.hits)
        )
        read = select(_counters.c.key, _counters.c.hits, _counters.c.expires_at).where(
            _counters.c.key.in_(bindparam("keys", expanding=True)), live
        )
        return cls(upsert, decrement, read)


_statements = functools.cache(_Statements.build)


class DatabaseStorage(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    """Rate-limit counters in the app's database: shared by every process that uses it."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._cleaned_at = time.monotonic()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[tuple[Connection, _Statements]]:
        """Run statements on a connection of their own, committed at once.

        Never in the request's session: its transaction may last the whole request, and a
        counter must be counted whatever the request does next. On SQLite a write begins
        IMMEDIATE (queueing for the lock quickly, see extensions._begin_immediate); callers
        must not hold the write lock in the request's own session at that moment (the
        sign-on and login checks run first, or inside `reading_first`). On PostgreSQL a
        counter does not wait for its commit to reach the disk: a crash may forget a few hits.
        """
        _refuse_if_session_holds_sqlite_lock()
        token = sqlite_write_intent.set(write)
        try:
            with db.engine.begin() as conn:
                dialect = conn.dialect.name
                if write and dialect == "postgresql":
                    conn.execute(_NO_FLUSH_WAIT)
                yield conn, _statements(dialect)
        finally:
            sqlite_write_intent.reset(token)
        if write and time.monotonic() - self._cleaned_at > CLEAN_EVERY_SECONDS:
            self._cleaned_at = time.monotonic()
            delete_expired()

    @staticmethod
    def _add(conn: Connection, sql: _Statements, key: str, expiry: float, amount: int) -> int:
        now = time.time()
        values = {"key": _row_key(key), "amount": amount, "expires_at": now + expiry, "now": now}
        return conn.execute(sql.upsert, values).scalar_one()

    @staticmethod
    def _take_back(conn: Connection, sql: _Statements, key: str, amount: int) -> int:
        values = {"row_key": _row_key(key), "amount": amount, "now": time.time()}
        return conn.execute(sql.decrement, values).scalar() or 0

    @staticmethod
    def _read(conn: Connection, sql: _Statements, *keys: str) -> dict[str, tuple[int, float]]:
        """Return {key: (hits, expires_at)} of the keys whose counters are live."""
        rows = {_row_key(key): key for key in keys}
        result = conn.execute(sql.live, {"keys": list(rows), "now": time.time()})
        return {rows[key]: (hits, expires_at) for key, hits, expires_at in result}

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add `amount` to the counter (a new one lives `expiry` seconds); return its value."""
        with self._transaction(write=True) as (conn, sql):
            return self._add(conn, sql, key, expiry, amount)

    def decr(self, key: str, amount: int = 1) -> int:
        """Take `amount` back from a live counter (never below 0); return its value."""
        with self._transaction(write=True) as (conn, sql):
            return self._take_back(conn, sql, key, amount)

    def _live(self, *keys: str) -> dict[str, tuple[int, float]]:
        with self._transaction(write=False) as (conn, sql):
            return self._read(conn, sql, *keys)

    def get(self, key: str) -> int:
        return self._live(key).get(key, (0, 0.0))[0]

    def get_expiry(self, key: str) -> float:
        return self._live(key).get(key, (0, time.time()))[1]

    def check(self) -> bool:
        """Say whether the table can be read (the database is up and migrated)."""
        try:
            with self._transaction(write=False) as (conn, _sql):
                conn.execute(select(_counters.c.key).limit(1)).all()
        except (SQLAlchemyError, SQLiteLockHeld):
            return False
        return True

    def reset(self) -> int | None:
        with self._transaction(write=True) as (conn, _sql):
            return conn.execute(delete(_counters)).rowcount

    def clear(self, key: str) -> None:
        with self._transaction(write=True) as (conn, _sql):
            conn.execute(delete(_counters).where(_counters.c.key == _row_key(key)))

    # The sliding window counter, as limits' own storages compute it: the previous window's
    # count, weighted by how much of it still overlaps the last `expiry` seconds, plus the
    # current window's, may not exceed the limit.

    @staticmethod
    def _ttls(expiry: int, now: float) -> tuple[float, float]:
        previous_ttl = (1 - (((now - expiry) / expiry) % 1)) * expiry
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous_ttl, current_ttl

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        now = time.time()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        live = self._live(previous_key, current_key)
        previous = live.get(previous_key, (0, 0.0))[0]
        current = live.get(current_key, (0, 0.0))[0]
        previous_ttl, current_ttl = self._ttls(expiry, now)
        return previous, previous_ttl if previous else 0.0, current, current_ttl

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        """Count `amount` hits if the weighted count stays within `limit`; say whether it did.

        One transaction: count the hit, read the previous window, take the hit back if it
        went over. The counted row stays locked until the commit (PostgreSQL's row lock,
        SQLite's write lock), so simultaneous hits on one key are decided one after the
        other, and exactly the limit gets through.
        """
        if amount > limit:
            return False
        now = time.time()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        with self._transaction(write=True) as (conn, sql):
            # A window's counter lives two windows: it is the previous one for the next.
            current = self._add(conn, sql, current_key, 2 * expiry, amount)
            previous = self._read(conn, sql, previous_key).get(previous_key, (0, 0.0))[0]
            weight = previous * self._ttls(expiry, now)[0] / expiry
            if floor(weight + current) <= limit:
                return True
            self._take_back(conn, sql, current_key, amount)
            return False

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        for window_key in self.sliding_window_keys(key, expiry, time.time()):
            self.clear(window_key)


class SQLiteLockHeld(RuntimeError):
    """The request's session holds SQLite's write lock: a counter would wait for it in vain."""


def _refuse_if_session_holds_sqlite_lock() -> None:
    # Waiting would last SQLITE_BUSY_SECONDS and then fail anyway: fail at once, and say why.
    if db.engine.dialect.name != "sqlite":
        return
    session = db.session()
    if session.in_transaction():
        connection = session.connection()
        if connection.info.get("sqlite_write_lock"):
            raise SQLiteLockHeld(
                "this request's session already holds SQLite's write lock; check rate limits "
                "before the request writes (or inside extensions.reading_first)"
            )


def delete_expired() -> int:
    """Delete the counters of windows that are over; return how many."""
    _refuse_if_session_holds_sqlite_lock()
    with db.engine.begin() as conn:
        return conn.execute(delete(_counters).where(_counters.c.expires_at <= time.time())).rowcount


def describe(uri: str) -> str:
    """Return a store's URI without its password, fit for a log line."""
    parts = urlsplit(uri)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _summary(error: Exception) -> str:
    # The first line only: database errors go on with the statement and its parameters.
    first = (str(error).strip().splitlines() or [""])[0]
    return f"{type(error).__name__}: {first[:200]}"


def _store_options(uri: str) -> dict:
    if urlsplit(uri).scheme in REDIS_SCHEMES:
        # Options in the URI (?socket_timeout=...) take precedence over these.
        return {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        }
    return {}


class FailoverStorage(Storage, SlidingWindowCounterSupport):
    """The configured store, or this process's memory while that store is unreachable."""

    STORAGE_SCHEME = ["failover"]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        store: str = "memory://",
        **options,
    ):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.store_uri = store
        self.store = storage_from_string(store, **_store_options(store))
        self._fallback: MemoryStorage | None = None
        # When this process found the store unreachable (None: it is reachable).
        self.unreachable_since: datetime | None = None
        self._retry_at = 0.0
        self._probed_at = 0.0
        self._lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception]:
        return Exception  # never raised: every failure of the store is handled here

    @property
    def fallback(self) -> MemoryStorage:
        with self._lock:
            if self._fallback is None:
                self._fallback = MemoryStorage()
            return self._fallback

    def _call(self, method: str, *args):
        if self.unreachable_since is not None and not self._back():
            return getattr(self.fallback, method)(*args)
        try:
            return getattr(self.store, method)(*args)
        except Exception as error:  # Whatever breaks, no sign-on or login is lost to it.
            self._lost(error)
            return getattr(self.fallback, method)(*args)

    def _lost(self, error: Exception | None) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + RETRY_SECONDS
            if self.unreachable_since is not None:
                return
            self.unreachable_since = utcnow()
        log.warning(
            "Rate-limit store %s unreachable (%s): counting in this process's memory "
            "until it is back, so each process applies the limits on its own",
            describe(self.store_uri),
            _summary(error) if error else "its health check failed",
        )

    def _back(self) -> bool:
        """Try the store again if it is time; say whether it answers (and is used again)."""
        if time.monotonic() < self._retry_at or not self._lock.acquire(blocking=False):
            return False
        try:
            self._retry_at = time.monotonic() + RETRY_SECONDS
            if not self._answers():
                return False
            self.unreachable_since = None
        finally:
            self._lock.release()
        log.warning("Rate-limit store %s reachable again", describe(self.store_uri))
        return True

    def _answers(self) -> bool:
        try:
            return bool(self.store.check())
        except Exception:  # A health check that breaks says "no" too.
            return False

    def outage(self) -> datetime | None:
        """Return since when the store is unreachable (None if it answers), asking it if due."""
        if self.unreachable_since is not None:
            self._back()
        elif time.monotonic() - self._probed_at > PROBE_SECONDS:
            self._probed_at = time.monotonic()
            if not self._answers():
                self._lost(None)
        return self.unreachable_since

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call("incr", key, expiry, amount)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def get_expiry(self, key: str) -> float:
        return self._call("get_expiry", key)

    def check(self) -> bool:
        return self._answers()

    def reset(self) -> int | None:
        return self._call("reset")

    def clear(self, key: str) -> None:
        return self._call("clear", key)

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        return self._call("acquire_sliding_window_entry", key, limit, expiry, amount)

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        return self._call("get_sliding_window", key, expiry)

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        return self._call("clear_sliding_window", key, expiry)

"""The `database://` rate-limit store: exact counts under concurrency, windows, clean-up.

On the test database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL), from many threads
at once, each on a connection of its own, as gunicorn's threads and workers use it.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from limits import parse
from limits.strategies import SlidingWindowCounterRateLimiter
from sqlalchemy import select

from petition.extensions import db
from petition.ratelimit import delete_expired
from petition.ratelimit.models import RateLimitCounter
from petition.ratelimit.storage import DatabaseStorage

THREADS = 8


def _at_once(app, calls_per_thread: int, call):
    """Run `call()` `calls_per_thread` times in each of THREADS threads started together."""
    start = threading.Barrier(THREADS)

    def worker(_n):
        with app.app_context():
            start.wait()
            results = [call() for _ in range(calls_per_thread)]
            db.session.remove()
            return results

    with ThreadPoolExecutor(THREADS) as pool:
        return [result for chunk in pool.map(worker, range(THREADS)) for result in chunk]


def test_simultaneous_increments_are_each_counted_once(app):
    storage = DatabaseStorage()
    values = _at_once(app, 25, lambda: storage.incr("LIMITER/test/incr", 3600))
    # Every increment saw a value of its own: none was lost, none counted twice.
    assert sorted(values) == list(range(1, THREADS * 25 + 1))
    with app.app_context():
        assert storage.get("LIMITER/test/incr") == THREADS * 25


def test_simultaneous_hits_never_let_more_than_the_limit_through(app):
    limiter = SlidingWindowCounterRateLimiter(DatabaseStorage())
    limit = parse("50 per hour")
    accepted = _at_once(app, 20, lambda: limiter.hit(limit, "test", "burst"))
    assert len(accepted) == THREADS * 20
    # Each hit is decided while it holds its counter's row: exactly the limit, never more.
    assert sum(accepted) == 50
    with app.app_context():
        # Every refused hit was taken back: the window holds exactly the accepted ones.
        previous, _, current, _ = limiter.storage.get_sliding_window(
            limit.key_for("test", "burst"), limit.get_expiry()
        )
        # (Both windows, in case the hour turned during the test.)
        assert previous + current == sum(accepted)
        # Another key is counted apart.
        assert limiter.hit(limit, "test", "someone else")


def test_sequential_hits_stop_exactly_at_the_limit(app):
    limiter = SlidingWindowCounterRateLimiter(DatabaseStorage())
    limit = parse("20 per hour")
    with app.app_context():
        assert [limiter.hit(limit, "test", "one") for _ in range(25)] == [True] * 20 + [False] * 5
        # Refused hits are not counted: the window holds exactly the limit.
        previous, _, current, _ = limiter.storage.get_sliding_window(
            limit.key_for("test", "one"), limit.get_expiry()
        )
        assert previous + current == 20


def test_the_previous_window_weighs_in(app):
    storage = DatabaseStorage()
    limiter = SlidingWindowCounterRateLimiter(storage)
    limit = parse("10 per hour")
    key = limit.key_for("test", "weighted")
    with app.app_context():
        now = time.time()
        previous_key, _current_key = storage.sliding_window_keys(key, 3600, now)
        # The whole limit was used in the previous hour-window.
        storage.incr(previous_key, 7200, 10)
        elapsed = (now % 3600) / 3600  # how much of the current window has gone by
        allowed = 10 - int(10 * (1 - elapsed) + 1e-9)
        results = [limiter.hit(limit, "test", "weighted") for _ in range(12)]
        assert sum(results) in {allowed, allowed + 1}  # the window may turn meanwhile
        assert results[: sum(results)] == [True] * sum(results)


def test_expired_counters_start_again_and_are_deleted(app):
    storage = DatabaseStorage()
    with app.app_context():
        db.session.add_all(
            [
                RateLimitCounter(key="LIMITER/test/old", hits=9, expires_at=time.time() - 1),
                RateLimitCounter(key="LIMITER/test/gone", hits=3, expires_at=time.time() - 1),
                RateLimitCounter(key="LIMITER/test/live", hits=4, expires_at=time.time() + 60),
            ]
        )
        db.session.commit()
        assert storage.get("LIMITER/test/old") == 0
        # An expired counter is counted from scratch, with a new expiry.
        assert storage.incr("LIMITER/test/old", 60) == 1
        assert storage.get_expiry("LIMITER/test/old") > time.time() + 50
        assert delete_expired() == 1
        keys = db.session.scalars(select(RateLimitCounter.key)).all()
        assert sorted(keys) == ["LIMITER/test/live", "LIMITER/test/old"]


def test_long_keys_are_stored_as_a_digest(app):
    storage = DatabaseStorage()
    long_key = "LIMITER/" + "x" * 400
    with app.app_context():
        assert storage.incr(long_key, 60) == 1
        assert storage.incr(long_key, 60) == 2
        assert storage.get(long_key) == 2
        assert storage.get("LIMITER/" + "x" * 399 + "y") == 0
        [stored] = db.session.scalars(select(RateLimitCounter.key)).all()
        assert len(stored) <= 255


def test_check_says_whether_the_table_can_be_read(app, make_app, tmp_path):
    with app.app_context():
        assert DatabaseStorage().check()
    # A database without the table (migrations not run): unusable, and said so.
    bare = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'bare.sqlite3'}")
    with bare.app_context():
        assert not DatabaseStorage().check()
        db.engine.dispose()


def test_purge_deletes_expired_counters(app):
    with app.app_context():
        db.session.add_all(
            [
                RateLimitCounter(key="LIMITER/test/old", hits=9, expires_at=time.time() - 1),
                RateLimitCounter(key="LIMITER/test/live", hits=4, expires_at=time.time() + 60),
            ]
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["petition", "purge"])
    assert "  delete 1 expired rate-limit counters" in result.output, result.output
    with app.app_context():
        assert db.session.scalars(select(RateLimitCounter.key)).all() == ["LIMITER/test/live"]

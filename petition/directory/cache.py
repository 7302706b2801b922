"""A small in-process cache whose entries live a few seconds (for counts on busy pages).

Entries also end when the process's public pages are forgotten (`page_cache`: a change to
public data here, or, with REDIS_URL, in any process), so a count never outlives the list
it counts.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

from ..page_cache import current_generation

T = TypeVar("T")


class ShortLivedCache:
    """Keep computed values for a few seconds, at most `max_entries` of them, thread-safely.

    Each app process holds its own: a count may lag the database by the lifetime given, which
    is the point (a refresh storm costs one query per key per lifetime, not one per visit),
    except across a change to public data, after which every count is computed again.
    """

    def __init__(self, max_entries: int = 2048):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, seconds: float, compute: Callable[[], T]) -> T:
        """Return the value cached under `key`, computing and keeping it if absent or stale."""
        if seconds <= 0:
            return compute()
        now = time.monotonic()
        generation = current_generation(current_app)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now and entry[1] == generation:
                return entry[2]  # type: ignore[return-value]
        # Computed outside the lock: a slow query must not block readers of other keys.
        value = compute()
        with self._lock:
            self._entries[key] = (now + seconds, generation, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every cached value."""
        with self._lock:
            self._entries.clear()

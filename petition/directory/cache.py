"""A small in-process cache whose entries live a few seconds (for counts on busy pages)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class ShortLivedCache:
    """Keep computed values for a few seconds, at most `max_entries` of them, thread-safely.

    Each app process holds its own: a count may lag the database by the lifetime given, which
    is the point (a refresh storm costs one query per key per lifetime, not one per visit).
    """

    def __init__(self, max_entries: int = 2048):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, seconds: float, compute: Callable[[], T]) -> T:
        """Return the value cached under `key`, computing and keeping it if absent or stale."""
        if seconds <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                return entry[1]  # type: ignore[return-value]
        # Computed outside the lock: a slow query must not block readers of other keys.
        value = compute()
        with self._lock:
            self._entries[key] = (now + seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every cached value."""
        with self._lock:
            self._entries.clear()

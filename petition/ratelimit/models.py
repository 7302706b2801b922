"""The `database://` rate-limit store's one table: a hit counter per key and window."""

from __future__ import annotations

from sqlalchemy import Double, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

KEY_LENGTH = 255


class RateLimitCounter(db.Model):
    """Hits counted under one key (a limit, a keyed IP hash, a window) until `expires_at`."""

    # Never shown on a public page: changing it leaves cached pages as they are.
    never_on_public_pages = True
    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    # Unix time in seconds, compared with time.time(): no time zones, the same on every
    # database. An expired row counts as absent; the store deletes such rows now and then.
    expires_at: Mapped[float] = mapped_column(Double)

    def __repr__(self) -> str:
        return f"<RateLimitCounter {self.key} {self.hits}>"

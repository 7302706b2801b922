"""Where logo files live: one file per content hash under MEDIA_ROOT.

A file is written to a temporary name in its final folder, then renamed into place: several
processes (or servers sharing the folder) writing the same logo at once each end with the
whole file, and a reader never sees half of one. Files are never changed, only added: the
hash in the name is the hash of the bytes. What is public is decided by the database rows
(`models.OrganizationLogo`), never by a file's presence.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from flask import current_app

DIGEST = re.compile(r"^[0-9a-f]{64}$")


class LocalStore:
    """Logo files in a local folder (or a network share mounted by every server)."""

    def __init__(self, root: str | Path, folder: str = "logos"):
        self.root = Path(root)
        self.folder = folder

    def _path(self, digest: str) -> Path:
        if not DIGEST.match(digest):
            raise ValueError("not a SHA-256 digest")
        return self.root / self.folder / digest[:2] / f"{digest}.png"

    def put(self, digest: str, data: bytes) -> None:
        """Keep `data` under `digest` (its SHA-256, or a card's key), unless it is kept already."""
        path = self._path(digest)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def stored(self):
        """Yield (digest, modification time) of every kept file."""
        folder = self.root / self.folder
        if not folder.is_dir():
            return
        for path in folder.glob("*/*.png"):
            if DIGEST.match(path.stem):
                yield path.stem, path.stat().st_mtime

    def discard(self, digest: str) -> None:
        self._path(digest).unlink(missing_ok=True)

    def get(self, digest: str) -> bytes | None:
        """Return the bytes kept under `digest`, or None."""
        try:
            return self._path(digest).read_bytes()
        except (FileNotFoundError, ValueError):
            return None


def store() -> LocalStore:
    """Return the app's logo store (MEDIA_ROOT)."""
    return LocalStore(current_app.config["MEDIA_ROOT"])


def card_store() -> LocalStore:
    """Return where drawn share cards are kept (MEDIA_ROOT/cards), named by their key."""
    return LocalStore(current_app.config["MEDIA_ROOT"], "cards")

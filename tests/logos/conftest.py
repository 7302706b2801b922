from __future__ import annotations

from tests.endorsements.conftest import app, deliver, platform  # noqa: F401 (fixtures)

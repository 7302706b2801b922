"""Find Debian's chromium and the flags it runs with; Playwright never downloads a browser."""

from __future__ import annotations

import os
import shutil

INSTALL_HINT = "apt-get install chromium"
# Quiet, reproducible, container-friendly: no sandbox (tests often run as root), no GPU, no
# /dev/shm (tiny in containers), and nothing that phones home while a test runs.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def browser_required() -> bool:
    """Say whether a missing browser must fail the run (CI sets PETITION_REQUIRE_BROWSER=1)."""
    return os.environ.get("PETITION_REQUIRE_BROWSER", "") in {"1", "true", "yes"}


def find_chromium() -> tuple[str | None, str]:
    """Return the chromium executable (CHROMIUM_PATH, else `chromium` on PATH) or why not."""
    configured = os.environ.get("CHROMIUM_PATH", "")
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured, ""
        return None, f"CHROMIUM_PATH={configured} is not an executable file"
    found = shutil.which("chromium")
    if found:
        return found, ""
    return None, f"Debian chromium not found; {INSTALL_HINT}"

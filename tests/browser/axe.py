"""Accessibility checks with axe-core (from npm, pinned in tests/browser/package.json)."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 levels A and AA, the bar public-sector sites in Canada are held to.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class AxeUnavailable(RuntimeError):
    """axe-core is not installed and cannot be installed here; the message says why."""


@functools.cache
def axe_source() -> str:
    """Return axe-core's script, installing it with `npm ci` first when it is missing."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise AxeUnavailable(
                "npm not found, so axe-core cannot be installed; apt-get install npm "
                "(or run `npm ci --prefix tests/browser` elsewhere)"
            )
        result = subprocess.run(
            [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0 or not AXE_JS.exists():
            raise AxeUnavailable(
                f"`npm ci --prefix tests/browser` failed: {result.stderr.strip()[-500:]}"
            )
    return AXE_JS.read_text(encoding="utf-8")


def axe_version() -> str:
    """Return the installed axe-core version, or "" when it is not installed."""
    package = AXE_JS.parent / "package.json"
    if not package.exists():
        return ""
    return json.loads(package.read_text(encoding="utf-8"))["version"]


def axe_violations(page, include: str | None = None, exclude: str | None = None) -> list[dict]:
    """Run axe-core on the page (or the `include` selector) and return WCAG 2.1 A/AA violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) is
        # left as it is: we test the page as served.
        page.evaluate(axe_source())
    context: dict = {}
    if include:
        context["include"] = [include]
    if exclude:
        context["exclude"] = [exclude]
    results = page.evaluate(
        """async ([context, options]) => {
            const target = Object.keys(context).length ? context : document;
            return await window.axe.run(target, options);
        }""",
        [context, {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}],
    )
    return results["violations"]


def axe(page, include: str | None = None, exclude: str | None = None) -> list[dict]:
    """Assert axe-core finds no WCAG 2.1 A/AA violation in the page; return the (empty) list."""
    violations = axe_violations(page, include=include, exclude=exclude)
    assert not violations, format_violations(page.url, violations)
    return violations


def format_violations(url: str, violations: list[dict]) -> str:
    """Describe violations for a person: rule, impact, what to fix, and which elements."""
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(" >> ".join(t) if isinstance(t, list) else t for t in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {node['html'][:160]}")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)

"""Compare two runs of bench/run.py (`--json` files): before/after, or 100k/1M rows.

    .venv/bin/python bench/compare.py before.json after.json [--labels before after]

Prints one Markdown table per engine found in both: for every scenario, requests per second,
p95 latency, and app and database CPU milliseconds per request, side by side, with the ratio
of the second run to the first (for a growth table: how each figure grows with the rows).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _engines(path: Path) -> dict[str, dict]:
    return {f["engine"]: f for f in json.loads(path.read_text())["engines"]}


def _cell(result: dict | None) -> str:
    if not result:
        return "-"
    text = f"{result['rps']:,.0f}/s, p95 {result['p95_ms']:.0f} ms"
    if result.get("app_cpu_ms") is not None:
        text += f", CPU app {result['app_cpu_ms']:.1f}"
        if result.get("db_cpu_ms") is not None:
            text += f" + db {result['db_cpu_ms']:.1f}"
        text += " ms"
    return text


def _cpu(result: dict | None) -> float | None:
    if not result or result.get("app_cpu_ms") is None:
        return None
    return result["app_cpu_ms"] + (result.get("db_cpu_ms") or 0)


def _ratio(first: float | None, second: float | None) -> str:
    return "-" if not first or second is None else f"{second / first:.2f}"


def table(first: dict, second: dict, labels: tuple[str, str]) -> str:
    """Return the Markdown rows comparing one engine's two runs."""
    lines = [
        f"| figure | {labels[0]} | {labels[1]} | CPU/request ratio | p95 ratio |",
        "|---|---|---|---|---|",
    ]
    for name in [*first["web"], *(n for n in second["web"] if n not in first["web"])]:
        a, b = first["web"].get(name), second["web"].get(name)
        p95 = _ratio(a and a["p95_ms"], b and b["p95_ms"])
        lines.append(f"| {name} | {_cell(a)} | {_cell(b)} | {_ratio(_cpu(a), _cpu(b))} | {p95} |")
    for key, title in (("relay", "relay"), ("export", "admin CSV")):
        a, b = first.get(key) or {}, second.get(key) or {}
        if key == "relay" and (a or b):
            cells = [f"{r['rate']:,.0f} emails/s" if r else "-" for r in (a, b)]
            ratio = _ratio(a.get("rate"), b.get("rate"))
        elif a or b:
            cells = [f"{r['rows']:,} rows in {r['seconds']:.1f} s" if r else "-" for r in (a, b)]
            ratio = _ratio(a.get("seconds"), b.get("seconds"))
        else:
            continue
        lines.append(f"| {title} | {cells[0]} | {cells[1]} | {ratio} (rate/time) | |")
    lines.append(
        f"| load average (1, 5, 15 min) | {first['load_before']} -> {first['load_after']} "
        f"| {second['load_before']} -> {second['load_after']} | | |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--labels", nargs=2, default=["before", "after"])
    args = parser.parse_args(argv)
    first, second = _engines(args.first), _engines(args.second)
    for engine in [e for e in first if e in second]:
        print(f"\n{engine}\n")
        print(table(first[engine], second[engine], tuple(args.labels)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

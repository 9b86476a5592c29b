"""The fan-out benchmark's figures before and after a change, in the same run conditions.

``python -m bench.before_after --before ../chakong-before`` runs ``python -m bench.fanout
--no-write`` alternately in another checkout (the "before": e.g. ``git worktree add
../chakong-before <rev>`` then ``make install`` there, so it has its own ``.venv``) and in this
one, ``--runs`` times each, the order swapped every round so that neither side always runs on a
warmer or busier machine. Each run's figures are read from the table it prints; the section in
``bench/RESULTS.md`` gives, per figure and side, the minimum, median and maximum, the ratio of the
medians (after / before), and the load average before and after every run. Every figure is itself a
ratio against a baseline measured in the same run (see the fan-out section), as the machine is
noisy.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.fanout.report import git_revision, machine, run_header, write_section
from bench.options import at_least

HERE = Path(__file__).resolve().parents[1]
RESULTS = HERE / "bench" / "RESULTS.md"
COMMAND = "python -m bench.before_after --before DIR"
# the figures compared: the fan-out table's labels (lower is better for each of them)
FIGURES = (
    "(a) debtor p50 / 200 ms, median run",
    "(a) direct agency calls p50 / 200 ms",
    "(a) debtor p50 / direct agency calls p50",
    "full example query with both leads p50 / 200 ms",
    "(b) gateway CPU / in-memory strawberry with the same parse and validation caches",
    "(b) as first defined: gateway CPU / in-memory strawberry without those caches",
    "(c) agency calls per 200-debtor batch",
    "(c) batch latency / (a) p50",
)
_ROW = re.compile(r"^(?P<label>\(.*?\S|full example.*?\S)\s{2,}(?P<value>[0-9.]+)\s")


@dataclass
class Side:
    name: str
    tree: Path
    runs: list[dict[str, float]] = field(default_factory=list)
    loads: list[tuple[float, float]] = field(default_factory=list)  # 1-min load before, after


def parse(table: str) -> dict[str, float]:
    """The figures of one ``bench.fanout --no-write`` run, by label."""
    found = {}
    for line in table.splitlines():
        match = _ROW.match(line)
        if match and match["label"] in FIGURES:
            found[match["label"]] = float(match["value"])
    missing = [f for f in FIGURES if f not in found]
    if missing:
        raise RuntimeError(f"the run printed no {missing}:\n{table[-3000:]}")
    return found


def run(side: Side) -> None:
    python = side.tree / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python} is missing: run `make install` in {side.tree} first")
    before = os.getloadavg()[0]
    done = subprocess.run(
        [str(python), "-m", "bench.fanout", "--no-write"],
        cwd=side.tree,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    # a run that misses a target exits 1 but prints its figures: those count like any other
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{side.name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    side.runs.append(parse(done.stdout))
    side.loads.append((before, os.getloadavg()[0]))


def section(before: Side, after: Side) -> str:
    rows = []
    for label in FIGURES:
        cells = [label]
        medians = []
        for side in (before, after):
            values = [r[label] for r in side.runs]
            medians.append(statistics.median(values))
            cells.append(f"{min(values):.3f} / {medians[-1]:.3f} / {max(values):.3f}")
        cells.append(f"{medians[1] / medians[0]:.3f}" if medians[0] else "—")
        rows.append(cells)
    loads = [
        f"{side.name}: " + ", ".join(f"{start:.2f} -> {end:.2f}" for start, end in side.loads)
        for side in (before, after)
    ]
    head = ["figure", "before: min / median / max", "after: min / median / max", "after / before"]
    table = "\n".join(
        ["| " + " | ".join(head) + " |", "|---|---:|---:|---:|"]
        + ["| " + " | ".join(row) + " |" for row in rows]
    )
    return (
        "## Before and after (`bench/before_after.py`)\n\n"
        + run_header(COMMAND, machine(), make_bench=False)
        + f"\n\nBefore: git {git_revision(before.tree)}; after: git {git_revision(after.tree)}. "
        f"{len(after.runs)} runs of `python -m bench.fanout --no-write` on each side, "
        "alternating (the order swapped every round). Each cell is min / median / max over the "
        "runs; every figure is a ratio to a baseline of its own run, lower is better, and the "
        "last column is the ratio of the medians.\n\n"
        + table
        + "\n\nLoad average (1 min) at the start and the end of each run: "
        + "; ".join(loads)
        + ".\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.before_after", description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="a checkout with a .venv")
    parser.add_argument("--runs", type=at_least(1), default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    before, after = Side("before", args.before.resolve()), Side("after", HERE)
    started = time.monotonic()
    for index in range(args.runs):
        order = (before, after) if index % 2 == 0 else (after, before)
        for side in order:
            print(f"run {index + 1}/{args.runs}: {side.name}", flush=True)
            run(side)
    text = section(before, after)
    print(text)
    if not args.no_write:
        write_section(RESULTS, text, name="before-after")
    print(f"{time.monotonic() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Machine description, the figures table, and this benchmark's section of ``bench/RESULTS.md``."""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import re
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PACKAGES = ("strawberry-graphql", "httpx", "httpx-aiohttp", "aiohttp", "uvicorn", "graphql-core")
RESULTS_TITLE = (
    "# Benchmark results\n\nEach section is written by its benchmark; do not edit by hand.\n"
)


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        meminfo = Path("/proc/meminfo").read_text()
        if found := re.search(r"MemTotal:\s+(\d+) kB", meminfo):
            memory = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": memory,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{platform.system()} {platform.release()}",
    }
    for package in PACKAGES:
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = "not installed"
    return info


def git_revision(checkout: Path | None = None) -> str:
    """The short commit of ``checkout`` (by default this one, which the benchmark runs on), or
    "unknown"."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=checkout or Path(__file__).resolve().parent,
            timeout=5,
            check=False,
        )
        if out.returncode == 0:
            return out.stdout.strip()
    return "unknown"


def run_header(command: str, info: dict[str, str], *, make_bench: bool = True) -> str:
    """The command, when and on what commit and machine a benchmark ran: its section's start."""
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    also = " (also run by `make bench`)" if make_bench else ""
    return (
        f"Command: `{command}`{also}. Last run: {date} "
        f"(git {git_revision()}).\nMachine: {info['cpu']}, {info['nproc']} CPUs (nproc), "
        f"{info['memory']} memory, {info['python']}, {info['os']}."
    )


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    name: str
    value: float
    target: str  # "<= 1.10", "== 1", or "" for a reported figure without a target
    passed: bool | None  # None: no target
    fmt: str = "{:.3f}"
    detail: str = ""

    @property
    def verdict(self) -> str:
        return "—" if self.passed is None else ("PASS" if self.passed else "MISS")

    @property
    def shown(self) -> str:
        return self.fmt.format(self.value)


def table(figures: list[Figure]) -> str:
    """A plain-text table for the terminal."""
    rows = [("figure", "value", "target", "result")]
    rows += [(f.name, f.shown, f.target or "(report)", f.verdict) for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(figures: list[Figure]) -> str:
    lines = ["| figure | value | target | result | detail |", "|---|---:|---|---|---|"]
    for f in figures:
        lines.append(f"| {f.name} | {f.shown} | {f.target or '—'} | {f.verdict} | {f.detail} |")
    return "\n".join(lines)


def reflow(markdown: str, width: int = 100) -> str:
    """Re-wrap prose paragraphs and list items of ``markdown``; leave tables and headings."""
    blocks = []
    for block in markdown.strip().split("\n\n"):
        lines = block.splitlines()
        if lines[0].startswith(("|", "#", "<!--", "```")):
            blocks.append(block)
            continue
        items: list[list[str]] = []
        for line in lines:
            if line.startswith("- ") or not items:
                items.append([line.strip()])
            else:
                items[-1].append(line.strip())
        wrapped = []
        for item in items:
            # keep `inline code` on one line: its spaces are not break points
            text = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\x00"), " ".join(item))
            indent = "  " if text.startswith("- ") else ""
            wrapped.append(
                textwrap.fill(
                    text,
                    width,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        blocks.append("\n".join(wrapped).replace("\x00", " "))
    return "\n\n".join(blocks) + "\n"


def write_section(path: Path, section: str, name: str = "fanout") -> None:
    """Replace benchmark ``name``'s section of ``path`` (between its markers), keep the rest."""
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    body = f"{begin}\n{reflow(section).rstrip()}\n{end}"
    text = path.read_text() if path.exists() else RESULTS_TITLE
    if begin in text and end in text:
        start, stop = text.index(begin), text.index(end) + len(end)
        text = text[:start] + body + text[stop:]
    else:
        text = text.rstrip() + "\n\n" + body + "\n"
    path.write_text(text)


PROC_STAT = Path("/proc/stat")


def _cpu_ticks() -> tuple[int, int] | None:
    """The whole machine's CPU time so far, in clock ticks: (steal, all), from the first line of
    ``/proc/stat`` (user, nice, system, idle, iowait, irq, softirq, steal; guest time is counted
    in user already); ``None`` where there is no such file."""
    try:
        fields = PROC_STAT.read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    ticks = [int(x) for x in fields[1:9]]
    return ticks[7], sum(ticks)


# taken when a benchmark imports this module, as it starts
_STARTED_TICKS = _cpu_ticks()


def steal_percent() -> float | None:
    """The share of the machine's CPU time the host took as steal (running other guests on its
    CPUs) since this benchmark started; ``None`` where it cannot be read. The load average does
    not show it, and a host that takes much of it slows a run down."""
    now = _cpu_ticks()
    if now is None or _STARTED_TICKS is None or now[1] <= _STARTED_TICKS[1]:
        return None
    return (now[0] - _STARTED_TICKS[0]) / (now[1] - _STARTED_TICKS[1]) * 100


# above this share of steal time a run's figures say more about the host than about the code: on
# the machines here, runs at 0.0% were the rule, and one make bench at 8.5 to 13.3% found its CPU
# figures 1.5 to 2.7 times those of the run recorded before it (docs/operations.md)
STEAL_WARNING_PERCENT = 2.0


def steal_sentence(steal: float | None) -> str:
    if steal is None:
        return "Steal time: not readable here."
    sentence = (
        f"Steal time while it ran (the host running others on this machine's CPUs, from "
        f"`/proc/stat`): {steal:.1f}% of the CPU time."
    )
    if steal >= STEAL_WARNING_PERCENT:
        sentence += f" {_STOLEN}"
    return sentence


_STOLEN = (
    f"That is {STEAL_WARNING_PERCENT:g}% or more: the host was busy with others, and this run's "
    "figures are not comparable to a quiet run's."
)


def steal_warning(steal: float | None) -> str | None:
    """What a benchmark prints when the host took ``STEAL_WARNING_PERCENT`` or more of the CPU
    time while it ran, so that nobody records such a run unawares; None otherwise."""
    if steal is None or steal < STEAL_WARNING_PERCENT:
        return None
    return f"warning: steal time {steal:.1f}% while this ran. {_STOLEN} Run it again to record it."


def load_average(before: Sequence[float], after: Sequence[float]) -> str:
    """The sentences every section gives: the load average (1, 5, 15 min) when the benchmark
    started and when it ended, and the host's steal time in between, since the machines it runs
    on are shared. Every benchmark but ``bench.fanout`` (which prints its own) calls this as it
    ends, so here a run with much steal time is also told on standard error."""
    start, end = (" ".join(f"{x:.2f}" for x in values) for values in (before, after))
    steal = steal_percent()
    warning = steal_warning(steal)
    if warning:
        print(warning, file=sys.stderr)
    return f"Load average (1, 5, 15 min) before: {start}; after: {end}. " + steal_sentence(steal)


def write_bench_section(
    *,
    name: str,
    title: str,
    command: str,
    load: tuple[Sequence[float], Sequence[float]],
    setup: str,
    figures: list[Figure],
    results: Path,
) -> None:
    """Write a smaller benchmark's section of ``results``: its title, how and where it ran, the
    load average (1, 5, 15 min) at its start and end, its set-up and its figures."""
    section = "\n\n".join(
        [
            f"## {title}",
            run_header(command, machine(), make_bench=False),
            load_average(*load),
            setup,
            markdown_table(figures),
        ]
    )
    write_section(results, section, name=name)

"""An inquiry's gateway CPU before and after a change, two gateways side by side:
``python -m bench.paired_cpu --before ../chakong-before [--queries 200] [--rounds 12]``.

``bench.before_after`` runs the whole fan-out benchmark on each side in turn, a couple of minutes
apart; on a shared machine whose speed drifts over minutes, its (b) moved by 10% between two runs
of the same code. Here both gateways run at once, against the same mock agencies (one process,
answering at once): the "before" (``chakong serve`` of another checkout with its own ``.venv``, as
``bench.before_after`` wants it) and this checkout's. Each round sends ``--queries`` full-profile
inquiries (``fresh: true``, one at a time, as figure (b) does) to one gateway and then as many to
the other, the order swapped every round, and reads each gateway's CPU (utime + stime) from
``/proc``. So both sides see the same machine within seconds of each other, and the figure is the
median of the rounds' own ratios (after / before), with their minimum and maximum. The two
gateways' answers are checked equal (but for the latency and the cache flag).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.fanout import procs, queries
from bench.fanout.client import Client, encode, register_cases
from bench.fanout.report import Figure, git_revision, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least

ROUND_PAUSE_S = 0.05  # lets the last answer's audit group and the CPU counters settle


async def cpu_per_query(client: Client, pid: int, body: bytes, count: int) -> float:
    """The gateway's CPU per query in ms over ``count`` sequential queries."""
    await asyncio.sleep(ROUND_PAUSE_S)
    start = procs.cpu_seconds(pid)
    for _ in range(count):
        await client.post(body)
    await asyncio.sleep(ROUND_PAUSE_S)
    return (procs.cpu_seconds(pid) - start) / count * 1000


async def measure(before: Path, count: int, rounds: int, warmup: int) -> dict[str, Any]:
    body = encode(queries.PROFILE_QUERY, queries.profile_variables())
    command = [str(before / ".venv" / "bin" / "chakong"), "serve"]
    with (
        tempfile.TemporaryDirectory() as mock_dir,
        tempfile.TemporaryDirectory() as before_dir,
        tempfile.TemporaryDirectory() as after_dir,
        procs.mock_agencies(Path(mock_dir)) as mocks,
        # the before's own code: its checkout first on the path, not this one
        procs.gateway(
            Path(before_dir), mocks, command=command, settings={"PYTHONPATH": str(before)}
        ) as old,
        procs.gateway(Path(after_dir), mocks) as new,
    ):
        async with httpx.AsyncClient(timeout=60.0) as http:
            sides = {"before": old, "after": new}
            clients: dict[str, Client] = {}
            answers: dict[str, Any] = {}
            for name, gateway in sides.items():
                await register_cases(http, gateway, 1)
                clients[name] = Client(http, gateway.url, gateway.judge_token)
                for _ in range(warmup):
                    _, answers[name] = await clients[name].post(body)
            same = queries.strip_volatile(answers["before"]) == queries.strip_volatile(
                answers["after"]
            )
            if not same:
                raise RuntimeError("the two gateways answer differently: not the same work")
            cpu: dict[str, list[float]] = {"before": [], "after": []}
            for index in range(rounds):
                order = ("before", "after") if index % 2 == 0 else ("after", "before")
                for name in order:
                    pid = sides[name].proc.pid
                    cpu[name].append(await cpu_per_query(clients[name], pid, body, count))
                print(
                    f"round {index + 1}/{rounds}: before {cpu['before'][-1]:.2f} ms, "
                    f"after {cpu['after'][-1]:.2f} ms per query",
                    flush=True,
                )
    ratios = [a / b for a, b in zip(cpu["after"], cpu["before"], strict=True)]
    return {"cpu": cpu, "ratios": ratios, "queries": count, "rounds": rounds}


def figures(raw: dict[str, Any]) -> list[Figure]:
    ratios, cpu = raw["ratios"], raw["cpu"]
    before, after = statistics.median(cpu["before"]), statistics.median(cpu["after"])
    return [
        Figure(
            "ratio",
            "gateway CPU per inquiry, after / before, median of the rounds' ratios",
            statistics.median(ratios),
            "",
            None,
            detail=f"min {min(ratios):.3f}, max {max(ratios):.3f} over {len(ratios)} rounds",
        ),
        Figure(
            "before",
            "gateway CPU per inquiry, before (ms, median round)",
            before,
            "",
            None,
            fmt="{:.2f}",
        ),
        Figure(
            "after",
            "gateway CPU per inquiry, after (ms, median round)",
            after,
            "",
            None,
            fmt="{:.2f}",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.paired_cpu",
        description=(__doc__ or "").split("\n\n")[0],
    )
    parser.add_argument("--before", type=Path, required=True, help="a checkout with a .venv")
    parser.add_argument("--queries", type=at_least(1), default=200, help="per gateway and round")
    parser.add_argument("--rounds", type=at_least(1), default=12)
    parser.add_argument("--warmup", type=at_least(0), default=30)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    before = args.before.resolve()
    if not (before / ".venv" / "bin" / "chakong").exists():
        print(f"{before} has no .venv/bin/chakong: run `make install` there", file=sys.stderr)
        return 2
    load_start = os.getloadavg()
    raw = asyncio.run(measure(before, args.queries, args.rounds, args.warmup))
    load_end = os.getloadavg()
    found = figures(raw)
    print(table(found))
    if args.no_write:
        return 0
    setup = (
        f"Before: git {git_revision(before)}; after: git {git_revision()}, this checkout. Two "
        "gateways (`chakong serve`, each with its own SQLite file, keys and case) at once "
        "against the same mock agencies, "
        f"answering at once; {args.rounds} rounds of {args.queries} sequential full-profile "
        "inquiries (`fresh: true`, as figure (b)) to each, the order swapped every round; each "
        "gateway's CPU from `/proc`. The figure is the median of the rounds' ratios: both sides "
        "see the machine within seconds of each other. See the module's docstring. Rounds (ms "
        "per inquiry): before "
        + ", ".join(f"{x:.2f}" for x in raw["cpu"]["before"])
        + "; after "
        + ", ".join(f"{x:.2f}" for x in raw["cpu"]["after"])
        + "."
    )
    write_bench_section(
        name="paired-cpu",
        title="An inquiry's CPU, before and after, side by side (`bench/paired_cpu.py`)",
        command="python -m bench.paired_cpu --before DIR",
        load=(load_start, load_end),
        setup=setup,
        figures=found,
        results=RESULTS,
    )
    (Path(__file__).parent / "out").mkdir(exist_ok=True)
    (Path(__file__).parent / "out" / "paired_cpu.json").write_text(json.dumps(raw, indent=2))
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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
import contextlib
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.backend_settings import BACKENDS, STORAGE, backend_settings, missing
from bench.fanout import procs, queries
from bench.fanout.client import Client, encode, register_cases
from bench.fanout.report import Figure, git_revision, table, write_bench_section
from bench.fanout.results import RESULTS, write_raw
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


@dataclass(frozen=True)
class Side:
    """One gateway of a paired run: its ``chakong serve`` (``None``: this checkout's) and more
    ``CHAKONG_*`` settings (its database, its cache)."""

    name: str
    command: list[str] | None = None
    settings: dict[str, str] = field(default_factory=dict)


async def paired_rounds(
    sides: list[Side], count: int, rounds: int, warmup: int
) -> dict[str, list[float]]:
    """Each side's gateway CPU per inquiry (ms) in each round: the gateways run at once against
    the same mock agencies (answering at once); each round sends ``count`` full-profile
    inquiries to one gateway after the other, the order reversed every round. Fails unless
    every gateway answers the same."""
    body = encode(queries.PROFILE_QUERY, queries.profile_variables())
    with contextlib.ExitStack() as stack:
        mock_dir = stack.enter_context(tempfile.TemporaryDirectory())
        mocks = stack.enter_context(procs.mock_agencies(Path(mock_dir)))
        gateways = {
            side.name: stack.enter_context(
                procs.gateway(
                    Path(stack.enter_context(tempfile.TemporaryDirectory())),
                    mocks,
                    command=side.command,
                    settings=side.settings,
                )
            )
            for side in sides
        }
        async with httpx.AsyncClient(timeout=60.0) as http:
            clients: dict[str, Client] = {}
            answers: dict[str, Any] = {}
            for name, gateway in gateways.items():
                await register_cases(http, gateway, 1)
                clients[name] = Client(http, gateway.url, gateway.judge_token)
                for _ in range(warmup):
                    _, answers[name] = await clients[name].post(body)
            first = queries.strip_volatile(answers[sides[0].name])
            if any(queries.strip_volatile(answer) != first for answer in answers.values()):
                raise RuntimeError("the gateways answer differently: not the same work")
            cpu: dict[str, list[float]] = {name: [] for name in gateways}
            names = list(gateways)
            for index in range(rounds):
                for name in names if index % 2 == 0 else names[::-1]:
                    pid = gateways[name].proc.pid
                    cpu[name].append(await cpu_per_query(clients[name], pid, body, count))
                shown = ", ".join(f"{name} {cpu[name][-1]:.2f}" for name in names)
                print(f"round {index + 1}/{rounds}: {shown} ms per inquiry", flush=True)
    return cpu


async def measure(
    before: Path, count: int, rounds: int, warmup: int, backend: str = "sqlite"
) -> dict[str, Any]:
    command = [str(before / ".venv" / "bin" / "chakong"), "serve"]
    async with contextlib.AsyncExitStack() as stack:
        # each side on a database and a cache of its own
        old = await stack.enter_async_context(backend_settings(backend))
        new = await stack.enter_async_context(backend_settings(backend))
        sides = [
            # the before's own code: its checkout first on the path, not this one
            Side("before", command, old | {"PYTHONPATH": str(before)}),
            Side("after", None, new),
        ]
        cpu = await paired_rounds(sides, count, rounds, warmup)
    ratios = [a / b for a, b in zip(cpu["after"], cpu["before"], strict=True)]
    return {"cpu": cpu, "ratios": ratios, "queries": count, "rounds": rounds, "backend": backend}


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
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default="sqlite",
        help="the storage of both gateways, each its own (bench/backend_settings.py)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    before = args.before.resolve()
    if not (before / ".venv" / "bin" / "chakong").exists():
        print(f"{before} has no .venv/bin/chakong: run `make install` there", file=sys.stderr)
        return 2
    if (why := missing(args.backend)) is not None:
        print(f"cannot measure on {args.backend}: {why}", file=sys.stderr)
        return 2
    load_start = os.getloadavg()
    raw = asyncio.run(measure(before, args.queries, args.rounds, args.warmup, args.backend))
    load_end = os.getloadavg()
    found = figures(raw)
    print(table(found))
    if args.no_write:
        return 0
    setup = (
        f"Before: git {git_revision(before)}; after: git {git_revision()}, this checkout. Two "
        "gateways (`chakong serve`, each with its own keys, case and storage: "
        f"{STORAGE[args.backend]}) at once against the same mock agencies, "
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
    on = "" if args.backend == "sqlite" else f" --backend {args.backend}"
    write_bench_section(
        name="paired-cpu" + on.replace(" --backend ", "-"),
        title=f"An inquiry's CPU, before and after, side by side (`bench/paired_cpu.py`{on})",
        command=f"python -m bench.paired_cpu --before DIR{on}",
        load=(load_start, load_end),
        setup=setup,
        figures=found,
        results=RESULTS,
    )
    write_raw("paired_cpu", raw)
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

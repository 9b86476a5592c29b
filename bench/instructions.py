"""Figure (b) counted in instructions, which a noisy machine does not change:
``python -m bench.instructions [--queries 60] [--no-write]``.

Figure (b) divides two CPU times, and on a shared machine whose speed drifts by a quarter within
minutes even a ratio measured in the same run moves by 0.2 between runs. Instructions do not
drift: valgrind's callgrind counts every instruction the process executes, the same to within
about 0.2% run after run (32.18 to 32.30 M per full-profile inquiry in this module's first runs).
They are not time (an instruction that misses the cache costs far more than one that does not),
so this figure stands beside (b), never for it; what it gives is a reading of a change that noise
cannot hide, and, set against (b), how fast each side's instructions run.

1. The gateway (``python -m gateway.cli serve`` of this checkout's ``.venv``) runs under
   ``valgrind --tool=callgrind --instr-atstart=no`` against the mock agencies (answering at once,
   in their own process, not counted), with the example debtor's case registered as figure (b)
   has it. After a warm-up, for each kind of query in turn, instrumentation is switched on
   (``callgrind_control -i on``), ``--queries`` queries are sent one at a time, it is switched
   off and the counts dumped: every thread of the gateway, the audit writer included, and
   nothing else. The kinds: figure (b)'s full profile (``fresh: true``); the same inquiry
   selecting one field (``caseNumber``: the nine agency calls, the case, the audit entry and
   the log line, with almost no GraphQL output); ``{ me { role } }`` (the HTTP server, the
   token, a GraphQL request with nothing to fetch).
2. Figure (b)'s baseline (strawberry with the gateway's extensions executing the same query over
   the records in memory, ``bench.fanout.baseline``) in a worker process under callgrind the same
   way: instrumentation on for ``--queries`` executions after a warm-up.

3. The same runs again without valgrind, ``--cpu-queries`` of each, timed by the processes' CPU
   (every thread's, from ``/proc``), as figure (b) is.

Figures: millions of instructions per query of each kind and per baseline execution; the full
profile's count over the baseline's ((b) in instructions) beside its CPU time over the
baseline's in this run; and how many instructions each side runs per millisecond of CPU. Needs
valgrind (``apt-get install valgrind``); about a minute and a half.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
from httpx_aiohttp import AiohttpTransport

from bench.fanout import procs, queries
from bench.fanout.client import Client, encode, register_case
from bench.fanout.profile import bench_debtors
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least

WARMUP = 30
STARTUP_TIMEOUT_S = 600.0  # the gateway's start-up under valgrind takes about ten seconds
# every agency call and the case lookup run some 20 times slower under valgrind
DEADLINE_MS = "60000"
ONE_FIELD_QUERY = (
    "query OneField($subject: SubjectInput!, $caseNumber: String!) {\n"
    "  debtor(subject: $subject, caseNumber: $caseNumber, fresh: true) { caseNumber }\n"
    "}"
)
TRIVIAL_QUERY = "{ me { role } }"


def callgrind(out: Path) -> list[str]:
    """valgrind running callgrind with instrumentation off until switched on; the counts go to
    ``out`` and its numbered parts (one per dump)."""
    return [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
    ]


def control(pid: int, *args: str) -> None:
    subprocess.run(
        ["callgrind_control", *args, str(pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=60,
    )


def instructions(out: Path, part: int) -> int:
    """The instructions counted in dump number ``part`` of ``out``."""
    path = out.with_name(f"{out.name}.{part}")
    # "summary:" leads the file, written before the counts are (0 in a dump); "totals:" ends it
    for line in reversed(path.read_text().splitlines()):
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


class Counter:
    """Counts the instructions of a process under ``callgrind(out)``, one dump per count."""

    def __init__(self, pid: int, out: Path) -> None:
        self.pid, self.out, self.parts = pid, out, 0

    @contextlib.contextmanager
    def measuring(self, into: list[float]) -> Iterator[None]:
        control(self.pid, "--instr=on")
        try:
            yield
        finally:
            control(self.pid, "--instr=off")
            control(self.pid, "--dump")
            self.parts += 1
            into.append(instructions(self.out, self.parts))


class CpuMeter:
    """Measures a process's CPU seconds instead (every thread's, to the nanosecond, as figure
    (b) reads the gateway's: ``procs.thread_cpu_seconds``)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    @contextlib.contextmanager
    def measuring(self, into: list[float]) -> Iterator[None]:
        cpu0 = procs.thread_cpu_seconds(self.pid)
        try:
            yield
        finally:
            into.append(procs.thread_cpu_seconds(self.pid) - cpu0)


Meter = Counter | CpuMeter


# each kind of query: its name in the figures, its text, and whether it asks about the example
# debtor (with figure (b)'s variables)
KINDS = {
    "profile": ("full profile (figure (b)'s query)", queries.PROFILE_QUERY, True),
    "one_field": ("the same inquiry selecting caseNumber alone", ONE_FIELD_QUERY, True),
    "trivial": ("{ me { role } }", TRIVIAL_QUERY, False),
}


async def per_kind(gateway: procs.Gateway, meter: Meter, n: int) -> dict[str, float]:
    """What ``meter`` measures per query of each kind."""
    variables = queries.profile_variables()
    kinds = {
        kind: encode(query, variables if debtor else {})
        for kind, (_, query, debtor) in KINDS.items()
    }
    found: dict[str, float] = {}
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=600.0) as http:
        await register_case(http, gateway, bench_debtors(200), queries.CASE_NUMBER)
        client = Client(http, gateway.url, gateway.judge_token)
        for name, body in kinds.items():
            for _ in range(WARMUP):
                await client.post(body)
            await asyncio.sleep(0.5)  # the last answer's audit group written
            measured: list[float] = []
            with meter.measuring(measured):
                for _ in range(n):
                    await client.post(body)
                await asyncio.sleep(0.5)  # and this run's
            found[name] = measured[0] / n
    return found


def measure_gateway(n: int, *, count: bool) -> dict[str, float]:
    """Per query of each kind: instructions (``count``, under callgrind) or CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="chakong-instr-") as tmp:
        out = Path(tmp) / "gateway.callgrind"
        command = [*callgrind(out), sys.executable, "-m", "gateway.cli", "serve"]
        settings = {
            "CHAKONG_DEFAULT_DEADLINE_MS": DEADLINE_MS,
            "CHAKONG_MAX_DEADLINE_MS": DEADLINE_MS,
        }
        with (
            procs.mock_agencies(Path(tmp)) as mocks,
            procs.gateway(
                Path(tmp),
                mocks,
                command if count else None,
                stop_timeout_s=60.0,
                settings=settings,
                startup_timeout_s=STARTUP_TIMEOUT_S,
            ) as gateway,
        ):
            pid = gateway.proc.pid
            meter: Meter = Counter(pid, out) if count else CpuMeter(pid)
            return asyncio.run(per_kind(gateway, meter, n))


def _line(stream: IO[str] | None) -> str:
    if stream is None:
        raise RuntimeError("the baseline worker has no pipe")
    line = stream.readline()
    if not line:
        raise RuntimeError("the baseline worker stopped")
    return line.strip()


def measure_baseline(n: int, *, count: bool) -> float:
    """Per execution of figure (b)'s cached baseline, in a worker process: instructions
    (``count``, under callgrind) or CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="chakong-instr-") as tmp:
        out = Path(tmp) / "baseline.callgrind"
        command = [sys.executable, "-m", "bench.instructions", "--worker"]
        with subprocess.Popen(
            [*callgrind(out), *command] if count else command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        ) as proc:
            try:
                if _line(proc.stdout) != "ready":
                    raise RuntimeError("the baseline worker did not start")
                meter: Meter = Counter(proc.pid, out) if count else CpuMeter(proc.pid)
                measured: list[float] = []
                with meter.measuring(measured):
                    assert proc.stdin is not None
                    proc.stdin.write(f"{n}\n")
                    proc.stdin.flush()
                    if _line(proc.stdout) != "done":
                        raise RuntimeError("the baseline worker failed")
            finally:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=120)
    return measured[0] / n


def worker() -> int:
    """The baseline's side: build it, warm it up, then run N executions per line of stdin."""
    from bench.fanout import baseline

    async def run() -> None:
        baseline.tune_gc_like_the_gateway()
        schema = baseline.baseline_schema(gateway_extensions=True, plain_fields=True)
        profile = await baseline.build_profile(queries.example_subject(), queries.CASE_NUMBER)
        variables = queries.profile_variables()
        await baseline.run_baseline(schema, profile, queries.PROFILE_QUERY, variables, WARMUP)
        print("ready", flush=True)
        for line in sys.stdin:
            await baseline.run_baseline(
                schema, profile, queries.PROFILE_QUERY, variables, int(line)
            )
            print("done", flush=True)

    asyncio.run(run())
    return 0


def figures(
    counts: dict[str, float], base_count: float, cpus: dict[str, float], base_cpu: float
) -> list[Figure]:
    """The figures of a run: instructions per query (and CPU seconds per query, measured
    without valgrind in the same run) of each kind and of the baseline."""

    def rate(instr: float, cpu_s: float) -> float:
        return instr / 1e6 / (cpu_s * 1000)  # millions of instructions per ms of CPU

    base_rate = rate(base_count, base_cpu)
    found = [
        Figure(
            "ratio",
            "(b) in instructions: gateway / in-memory strawberry with the same caches",
            counts["profile"] / base_count,
            "",
            None,
            detail=f"{counts['profile'] / 1e6:.2f} M vs {base_count / 1e6:.2f} M instructions",
        ),
        Figure(
            "cpu_ratio",
            "(b) in CPU time, in this run (as bench.fanout measures it, fewer queries)",
            cpus["profile"] / base_cpu,
            "",
            None,
            detail=f"{cpus['profile'] * 1000:.2f} ms vs {base_cpu * 1000:.2f} ms of CPU",
        ),
    ]
    for kind, (name, _, _) in KINDS.items():
        found.append(
            Figure(
                kind,
                f"gateway, {name}: M instructions per query",
                counts[kind] / 1e6,
                "",
                None,
                "{:.2f}",
                detail=f"{cpus[kind] * 1000:.2f} ms of CPU: "
                f"{rate(counts[kind], cpus[kind]):.1f} M instructions per ms",
            )
        )
    found += [
        Figure(
            "baseline",
            "in-memory strawberry with the same caches: M instructions per execution",
            base_count / 1e6,
            "",
            None,
            "{:.2f}",
            detail=f"{base_cpu * 1000:.2f} ms of CPU: {base_rate:.1f} M instructions per ms",
        ),
        Figure(
            "rate",
            "instructions per ms of CPU, gateway's full profile / baseline's",
            rate(counts["profile"], cpus["profile"]) / base_rate,
            "",
            None,
        ),
        Figure(
            "rate_one_field",
            "instructions per ms of CPU, gateway's one-field inquiry / baseline's",
            rate(counts["one_field"], cpus["one_field"]) / base_rate,
            "",
            None,
        ),
    ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=at_least(1), default=60, help="per kind, counted")
    parser.add_argument("--cpu-queries", type=at_least(1), default=300, help="per kind, timed")
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker()
    if not all(shutil.which(tool) for tool in ("valgrind", "callgrind_control")):
        print("bench.instructions needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    print(f"counting: {args.queries} queries of each kind, then as many executions", flush=True)
    counts = measure_gateway(args.queries, count=True)
    base_count = measure_baseline(args.queries, count=True)
    print(f"timing: {args.cpu_queries} of each, without valgrind", flush=True)
    cpus = measure_gateway(args.cpu_queries, count=False)
    base_cpu = measure_baseline(args.cpu_queries, count=False)
    load_after = os.getloadavg()
    found = figures(counts, base_count, cpus, base_cpu)
    print(table(found))
    if args.write:
        write_bench_section(
            name="instructions",
            title="Figure (b) in instructions (`bench/instructions.py`)",
            command=f"python -m bench.instructions --queries {args.queries}",
            load=(load_before, load_after),
            setup=(
                "Counted by valgrind's callgrind: every instruction of the gateway process (all "
                f"its threads) over {args.queries} queries of each kind, one at a time, after "
                f"{WARMUP} warm-up ones, the mocks answering at once in their own process; the "
                "baseline's over as many executions in a worker process. The same count to "
                "within about 0.2% run after run, whatever the machine is doing. Beside each "
                f"count, the CPU time of {args.cpu_queries} more of each without valgrind, in "
                "the same run (as noisy as CPU time is), and what the two give: how many "
                "instructions each side runs per millisecond of CPU. See the module's docstring."
            ),
            figures=found,
            results=RESULTS,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

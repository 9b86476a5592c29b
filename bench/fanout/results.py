"""What a run leaves behind: the raw record, the table of recorded runs, and this benchmark's
section of ``bench/RESULTS.md``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.fanout import queries
from bench.fanout.figures import TARGET_A, TARGET_B, calls_text
from bench.fanout.measure import Config
from bench.fanout.report import Figure, markdown_table, steal_sentence, write_section

BENCH_DIR = Path(__file__).resolve().parent.parent
RESULTS = BENCH_DIR / "RESULTS.md"
RAW = BENCH_DIR / "out" / "fanout.json"
RUNS = BENCH_DIR / "fanout-runs.jsonl"  # the key figures of every written run (kept in git)
HISTORY = 5  # runs shown in RESULTS.md, this one included
COMMAND = "python -m bench.fanout   (make bench)"


def write_raw(name: str, raw: Any) -> Path:
    """A smaller benchmark's raw samples, as ``bench/out/<name>.json`` (git-ignored)."""
    path = BENCH_DIR / "out" / f"{name}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(raw, indent=2))
    return path


def load_runs(path: Path = RUNS) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    runs = []
    for line in path.read_text().splitlines():
        if line.strip():
            runs.append(json.loads(line))
    return runs


def run_record(raw: dict[str, Any], figs: list[Figure]) -> dict[str, Any]:
    return {"date": raw["date"], "git": raw["git"], "figures": {f.key: f.value for f in figs}}


_HISTORY_COLUMNS = (  # (figure key, column title, format)
    ("a_p50_ratio", "(a) p50 ratio", "{:.3f}"),
    ("a_direct_ratio", "direct calls p50 ratio", "{:.3f}"),
    ("leads_p50_ratio", "with leads p50 ratio", "{:.3f}"),
    ("b_cpu_ratio_cached", "(b) CPU ratio", "{:.3f}"),
    ("b_cpu_ratio", "(b) as first defined", "{:.3f}"),
    ("c_calls_per_agency", "(c) max calls per agency", "{:.0f}"),
)


def runs_table(runs: list[dict[str, Any]]) -> str:
    """The key figures of the last runs, with their range: the machine is noisy."""
    if len(runs) < 2:
        return ""
    lines = [
        f"The last {len(runs)} runs written here (`bench/fanout-runs.jsonl`, in git), this one "
        "last:",
        "",
        "| run | " + " | ".join(name for _, name, _ in _HISTORY_COLUMNS) + " |",
        "|---|" + "---:|" * len(_HISTORY_COLUMNS),
    ]
    for run in runs:
        shown = [
            "—" if run["figures"].get(key) is None else fmt.format(run["figures"][key])
            for key, _, fmt in _HISTORY_COLUMNS
        ]
        lines.append(f"| {run['date']} (git {run['git']}) | " + " | ".join(shown) + " |")
    ranges = []
    for key, _, fmt in _HISTORY_COLUMNS:
        values = [r["figures"][key] for r in runs if key in r["figures"]]
        ranges.append(f"{fmt.format(min(values))} to {fmt.format(max(values))}" if values else "—")
    lines.append("| range | " + " | ".join(ranges) + " |")
    return "\n\n" + "\n".join(lines)


def section(config: Config, raw: dict[str, Any], figs: list[Figure], info: dict[str, str]) -> str:
    cpu, lat, leads, batch = raw["cpu"], raw["latency"], raw["leads"], raw["batch"]
    packages = ", ".join(
        f"{p} {info[p]}"
        for p in (
            "strawberry-graphql",
            "httpx",
            "httpx-aiohttp",
            "aiohttp",
            "uvicorn",
            "graphql-core",
        )
    )
    mock = f"{config.latency_ms:g} ms"
    direct = len(lat["direct_agencies"])
    kinds = batch["kinds"]
    history = runs_table(raw.get("history", []))
    return f"""\
## Fan-out (`bench/fanout`)

Command: `{COMMAND}`. Last run: {raw["date"]} (git {raw["git"]}).
Machine: {info["cpu"]}, {info["nproc"]} CPUs (nproc), {info["memory"]} memory,
{info["python"]}, {info["os"]}.
Packages: {packages}.
Load average (1, 5, 15 min) at the start: {_load(raw, "load_before")}; at the end:
{_load(raw, "load_after")}. {steal_sentence(raw.get("steal_percent"))}

Set-up: the ten mock agencies (`bench/fanout/mockproc.py`) in one subprocess, the gateway
(`{raw["gateway_command"]}`, SQLite in a temporary directory, its own token key and audit key from
`CHAKONG_AUTH__KEYS__bench` and `CHAKONG_AUDIT_KEY`, not demo mode; the per-caller rate limit
raised so that it never refuses, though it still runs) in another, and the load client (httpx over
`httpx_aiohttp.AiohttpTransport`) in the benchmark process. Before measuring, the court's
`COURT_SYSTEM` registers two cases (`saveCase`: OPEN, judge {queries.JUDGE}): the example case
{queries.CASE_NUMBER} with the example debtor, for the single inquiries, and
{queries.BATCH_CASE_NUMBER} with the batch's debtors, for the batch; every inquiry is sent as that
judge's bearer token (JWT). So every inquiry pays what the gateway does now: the token check (a
token verified once is kept by the process, its times checked on every request), the case lookup
(two SQLite statements: the case with its judges, then its parties, in the event loop) before the
fan-out, and the hash-chained audit append (one SQLite transaction), which starts when the agencies
have answered, runs while GraphQL completes the answer, and is committed before the answer is
sent. Queries ask with
`fresh: true` so the cache never hides the work; they are sequential, after {config.warmup}
warm-up queries. Every ratio is against a baseline measured in the same run, because the machine is
noisy.

The query of (a) and (b), "one inquiry", is the explorer's example
(`gateway.examples.EXAMPLE_QUERY`) without its two leads (`spouse`, `controlledEnterprises`;
`bench/fanout/queries.py` drops their two lines and fails if the example changes shape): the
example debtor's own full profile, with every agency's fields, the summary and the sources, for
`gateway.examples.EXAMPLE_DEBTOR` (a RICH, married natural person who controls enterprises). Nine
agencies serve natural persons and are asked (one call each); permits answers NOT_APPLICABLE
without a call. The single inquiry's case has the example debtor as its one DEBTOR party (as most
cases have one or a few); the batch's case has the {batch["subjects"]} subjects of (c).

What each figure is:

- **(a) debtor p50 / {mock}, median run**: the mocks answer in a fixed {mock}; {config.latency_runs}
  runs of {config.latency_queries} full-profile `debtor` queries each; each run's median latency
  as a ratio to {mock}, and the figure is the median run's (min and max beside it: the machine is
  shared). Target <= {TARGET_A:.2f}: the agencies are asked concurrently (one after another would
  give {direct}.0). p90 and p99 are over all the runs' queries.
- **(a) direct agency calls p50 / {mock}**: the floor under (a): the benchmark itself sends the
  connectors' request body to the {direct} mocks the gateway asks, at once ({config.floor_queries}
  times, no gateway). The ten mocks share one process (two cores in all), so their answers, due
  at the same moment, leave one after another, and the floor is some ms above {mock}. The
  difference to (a)'s p50 is what the gateway adds; **(a) debtor p50 / direct agency calls p50**
  is the same as a ratio. No target.
- **(a) (p50 - {mock}) / in-memory execution**: the gateway's own share of that latency, as a
  multiple of the in-memory execution time of (b). No target.
- **full example query with both leads p50 / {mock}**: the example query as it is: the debtor's
  profile, then a second round of agency calls for the leads found in it (the spouse from civil
  affairs, the controlled enterprises from the business registry, asked together), mocks at {mock},
  {config.leads_queries} queries. About 2 rounds, so about 2 x (a). No target.
- **(b) gateway CPU / in-memory strawberry with the same parse and validation caches**: mocks at
  zero latency; the gateway process's CPU time (each thread's, to the nanosecond, from
  `/proc/<pid>/task/<tid>/schedstat`) per
  full-profile query over {cpu["queries"]} queries, as a ratio to strawberry executing the same
  query with the same variables over the same records held in memory (all ten agencies' records
  and the summary, fetched once from the same mock data through the gateway's connectors and
  converted once to a `DebtorProfile`; a schema whose `debtor` resolver returns it, with the
  gateway's schema extensions and execution class, so that it parses and validates the query
  once and frees each execution by reference counting, as the gateway does), timed with
  `time.process_time()` in the benchmark process over as many executions. Measured in
  {config.rounds} alternating rounds, the baseline's executions of each round right after the
  gateway's queries; the figure is all rounds' CPU together, and beside it the rounds' own
  ratios, which show how much the machine's speed moved during the run. The two results are
  checked to be equal (but for `latencyMs` and `cached`). Target <= {TARGET_B:.1f}: the token
  check, the case lookup, the audit entry and nine agency calls in about 1.5 times the execution
  itself. The baseline has no token, no case lookup, no agency call and no audit entry.
  The baseline's schema also reads its plain fields as the gateway's does, and completes those
  of a scalar or enum type in one step as the gateway's execution does
  (`gateway/schema/plain_fields.py`): the same execution on both sides.
- **(b) against the same caches, each field strawberry's own way**: the same gateway CPU against
  the same baseline without those plain fields (each field through strawberry's wrapper and
  graphql-core's whole path, as strawberry comes), in the same rounds. What the gateway's
  execution saves shows as the difference to (b); no target.
- **(b) as first defined**: the same gateway CPU against plain strawberry without those caches,
  which parses and validates every query (most of its time). Kept under its own name; no target.
- **(b) the gateway's threads going to sleep per query**: over (b)'s queries, the sum of the
  gateway's threads' `voluntary_ctxt_switches` (`/proc/<pid>/task/<tid>/status`): each time a
  thread waited (for the client, the agencies, the audit writer, the GIL) and was woken again.
  Beside it, the benchmark process's own over the cached baseline's executions, which never wait.
  A wake-up costs CPU that executing back to back does not (`bench/wakeup.py`: tens to hundreds
  of microseconds on a virtual machine), which is one reason (b) differs between machines more
  than the instructions do. No target.
- **(c) agency calls per {batch["subjects"]}-debtor batch**: one `debtors` query (the same
  selection) with {batch["subjects"]} distinct valid debtors of the case (deterministic;
  {kinds["NATURAL"]} natural persons, the example debtor among them, and {kinds["LEGAL"]} legal
  persons), mocks at {mock}; the calls each agency received, from each mock's `/_mock/stats`
  before and after. Target: exactly 1 for every agency that serves at least one of the debtors
  (here all ten: fund and civil serve natural persons only, permits legal persons only) and 0 for
  any that serves none, in every run.
- **(c) batch latency / (a) p50**: the median latency of {config.batch_runs} such batches (after
  one warm-up batch) as a ratio to the single query's p50 of (a). No target.

{markdown_table(figs)}

Absolute figures: gateway CPU {cpu["gateway_cpu_ms_per_query"]:.2f} ms per query, in-memory
strawberry {cpu["baseline_cpu_ms_per_query"]:.2f} ms; wall time per query at zero mock latency
{cpu["gateway_wall_ms_per_query"]:.2f} ms (p50 {cpu["zero_latency_p50_ms"]:.2f} ms); response
{cpu["response_bytes"]} bytes. At {mock}: p50 {lat["p50_ms"]:.1f} ms, p90 {lat["p90_ms"]:.1f} ms,
p99 {lat["p99_ms"]:.1f} ms, min {lat["min_ms"]:.1f} ms, max {lat["max_ms"]:.1f} ms; agency calls
per query {calls_text(lat["calls_per_query"])}. Full example query: p50 {leads["p50_ms"]:.1f} ms,
p90 {leads["p90_ms"]:.1f} ms. Batch of {batch["subjects"]}: median {batch["median_latency_ms"]:.0f}
ms, gateway CPU {batch["gateway_cpu_ms_per_batch"]:.0f} ms per batch; subject tiers
{batch["tiers"]}. Raw samples: `bench/out/fanout.json` (git-ignored). Where the gateway's time
goes: `python -m bench.fanout.profile` (cProfile of `chakong serve`, unprofiled timings of the
baseline's parse, validate and execute, and of the case lookup and the audit append).{history}
"""


def _load(raw: dict[str, Any], key: str) -> str:
    load = raw.get(key)
    return "not recorded" if load is None else " ".join(f"{x:.2f}" for x in load)


def record(config: Config, raw: dict[str, Any], figs: list[Figure], info: dict[str, str]) -> None:
    """Write the raw record, append the run's key figures, rewrite the section of RESULTS.md."""
    RAW.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "config": asdict(config),
        "machine": info,
        "figures": [asdict(f) for f in figs],
        **raw,
    }
    RAW.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    with RUNS.open("a") as runs:
        runs.write(json.dumps(run_record(raw, figs)) + "\n")
    raw["history"] = load_runs()[-HISTORY:]
    write_section(RESULTS, section(config, raw, figs, info))
    print(f"wrote {RESULTS.relative_to(BENCH_DIR.parent)} and {RAW.relative_to(BENCH_DIR.parent)}")
    print(runs_table(raw["history"]))

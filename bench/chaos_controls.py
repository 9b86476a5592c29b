"""Controls under chaos: ``python -m bench.chaos_controls``.

A real gateway (``chakong serve``, SQLite, its own keys) and the bank mock with every control
fault at a high rate (timeouts, lost answers, 5xx after applying, duplicate deliveries, late
applications, lagging status lookups). Court clients run chains of controls over GraphQL (freeze,
renew, deduct, release: four per case, ``--cases`` cases), each mutation with its idempotency key;
a client that loses its connection sends the same mutation again with the same key once the
gateway is back. The gateway process is killed with SIGKILL ``--kills`` times mid-run and started
again on the same database. When the clients are done, the gateway's own reconciler settles what
is left; then the mock's ledger is compared with the gateway's operations:

* **duplicates**: a requestId applied more than once by the agency;
* **lost**: an operation the gateway holds APPLIED that the agency did not apply, or the reverse;
* **not terminal**: an operation still PENDING or UNKNOWN;
* **strays**: a requestId the agency saw that no operation of the gateway made.

A second phase measures a freeze's latency over the agency's own: the mock answers controls in a
fixed 200 ms; the p50 of sequential ``freezeAsset`` mutations, and of the same control sent
directly to the mock, as ratios to 200 ms. Written to ``bench/RESULTS.md`` (section ``chaos``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine

from bench.fanout.procs import (
    Keys,
    _clean_env,
    _wait_ready,
    free_port,
    serve_command,
    stop_process,
)
from bench.fanout.report import (
    Figure,
    load_average,
    machine,
    markdown_table,
    run_header,
    table,
    write_section,
)
from bench.options import at_least
from gateway.auth.principal import Role
from gateway.auth.tokens import TokenService
from gateway.settings import AuthSettings
from gateway.store.tables import control_operations
from mocks.faults import ControlFaultConfig
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COMMAND = "python -m bench.chaos_controls"
MOCK_TOKEN = "bench-chaos-token"  # noqa: S105 - a loopback mock's token
COURT, JUDGE = "苏0812", "J001"
FAULTS = ControlFaultConfig(
    timeout_rate=0.06,
    lost_rate=0.08,
    error_after_rate=0.06,
    duplicate_rate=0.06,
    late_rate=0.05,
    late_ms=1500,
    status_lag_rate=0.10,
    status_lag_lookups=2,
)

SAVE = "mutation($c: CaseInput!) { saveCase(case: $c) { caseNumber } }"
INQUIRY = """query($id: String!, $case: String!) { debtor(subject: {kind: NATURAL, id: $id},
  caseNumber: $case, agencies: [BANK]) { bank { deposits { accountNumber amount } } } }"""
FREEZE = """mutation($case: String!, $asset: String!, $until: Date!, $key: String!) {
  freezeAsset(caseNumber: $case, rulingNumber: "r", noticeNumber: "n", amount: "50.00",
    asset: {agency: BANK, assetId: $asset}, until: $until, idempotencyKey: $key) { id state } }"""
RENEW = """mutation($case: String!, $asset: String!, $until: Date!, $key: String!) {
  renewControl(caseNumber: $case, rulingNumber: "r", noticeNumber: "n",
    asset: {agency: BANK, assetId: $asset}, until: $until, idempotencyKey: $key) { id state } }"""
DEDUCT = """mutation($case: String!, $asset: String!, $key: String!) {
  deductAsset(caseNumber: $case, rulingNumber: "r", noticeNumber: "n", amount: "5.00",
    asset: {agency: BANK, assetId: $asset}, idempotencyKey: $key) { id state } }"""
RELEASE = """mutation($case: String!, $asset: String!, $key: String!) {
  releaseControl(caseNumber: $case, rulingNumber: "r", noticeNumber: "n",
    asset: {agency: BANK, assetId: $asset}, idempotencyKey: $key) { id state } }"""


def case_number(index: int) -> str:
    return f"(2026){COURT}执{10000 + index}号"


@dataclass
class GatewayProcess:
    """``chakong serve`` that can be killed and started again on the same port and database."""

    workdir: Path
    mock_url: str
    keys: Keys = field(default_factory=Keys.generate)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return (
            _clean_env()
            | self.keys.env()
            | {
                "CHAKONG_HOST": "127.0.0.1",
                "CHAKONG_PORT": str(self.port),
                "CHAKONG_DATABASE_URL": f"sqlite+aiosqlite:///{self.workdir / 'chaos.db'}",
                "CHAKONG_AGENCIES__BANK__URL": self.mock_url,
                "CHAKONG_AGENCIES__BANK__TOKEN": MOCK_TOKEN,
                "CHAKONG_CONTROLS__ATTEMPT_TIMEOUT_S": "1.0",
                "CHAKONG_CONTROLS__RECONCILE_INTERVAL_S": "1.0",
                "CHAKONG_CONTROLS__PENDING_GRACE_S": "3.0",
                "CHAKONG_CONTROLS__APPROVAL_ABOVE": "1000000",  # no maker-checker here
            }
        )

    def start(self) -> None:
        log = self.workdir / f"gateway-{self.starts}.log"
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                serve_command(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                env=self.env(),
                cwd=self.workdir,
            )
        self.starts += 1
        _wait_ready(self.proc, self.url, log)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def tokens(self) -> tuple[str, str]:
        service = TokenService(
            AuthSettings(keys={self.keys.key_id: SecretStr(self.keys.token_key)}, token_ttl_s=86400)
        )
        return (
            service.issue(Role.JUDGE, subject=f"judge:{JUDGE}", court=COURT, judge=JUDGE),
            service.issue(Role.COURT_SYSTEM, subject=f"system:{COURT}", court=COURT),
        )


class Client:
    """GraphQL over HTTP; a request that finds no gateway is sent again, the same, until one
    answers (the idempotency key makes that safe)."""

    def __init__(self, http: httpx.AsyncClient, gateway: GatewayProcess, token: str) -> None:
        self.http = http
        self.gateway = gateway
        self.headers = {"Authorization": f"Bearer {token}"}
        self.resent = 0

    async def post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = {"query": query, "variables": variables}
        while True:
            try:
                response = await self.http.post(
                    f"{self.gateway.url}/graphql", json=body, headers=self.headers
                )
            except httpx.TransportError:
                self.resent += 1
                await asyncio.sleep(0.2)
                continue
            payload: dict[str, Any] = response.json()
            return payload


@dataclass
class Tally:
    answered: int = 0
    refused: dict[str, int] = field(default_factory=dict)


async def chain(
    client: Client, number: str, asset: str, today: datetime.date, tally: Tally
) -> None:
    steps = [
        (FREEZE, {"until": (today + datetime.timedelta(days=200)).isoformat()}),
        (RENEW, {"until": (today + datetime.timedelta(days=300)).isoformat()}),
        (DEDUCT, {}),
        (RELEASE, {}),
    ]
    for index, (query, extra) in enumerate(steps):
        variables = {"case": number, "asset": asset, "key": f"{number}-{index}", **extra}
        payload = await client.post(query, variables)
        tally.answered += 1
        if payload.get("errors"):
            code = payload["errors"][0].get("extensions", {}).get("code", "?")
            tally.refused[code] = tally.refused.get(code, 0) + 1
            return


async def prepare(client: Client, system: Client, cases: int, subject: str) -> str:
    asset = ""
    for index in range(cases):
        number = case_number(index)
        case = {
            "caseNumber": number,
            "judges": [JUDGE],
            "parties": [{"role": "DEBTOR", "kind": "NATURAL", "id": subject}],
            "obligation": "1000.00",
        }
        saved = await system.post(SAVE, {"c": case})
        if saved.get("errors"):
            raise RuntimeError(json.dumps(saved)[:500])
        found = await client.post(INQUIRY, {"id": subject, "case": number})
        if not asset:
            deposits = found["data"]["debtor"]["bank"]["deposits"]
            asset = max(deposits, key=lambda d: float(d["amount"]))["accountNumber"]
    return asset


async def operations(workdir: Path) -> list[dict[str, Any]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{workdir / 'chaos.db'}")
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(
                    control_operations.c.request_id,
                    control_operations.c.state,
                    control_operations.c.attempts,
                )
            )
            return [dict(row._mapping) for row in rows]
    finally:
        await engine.dispose()


async def chaos(cases: int, kills: int, concurrency: int) -> dict[str, Any]:
    subject = example_subjects()["natural"][Tier.RICH]
    today = datetime.date.today()
    with tempfile.TemporaryDirectory(prefix="chakong-chaos-") as tmp:
        workdir = Path(tmp)
        async with (
            MockServers(["bank"], token=MOCK_TOKEN, control_faults=FAULTS, fault_seed=7) as mocks,
            httpx.AsyncClient(timeout=60) as http,
        ):
            gateway = GatewayProcess(workdir, mocks.urls["bank"])
            gateway.start()
            try:
                judge, system = (Client(http, gateway, t) for t in gateway.tokens())
                asset = await prepare(judge, system, cases, subject)
                tally = Tally()
                total = cases * 4
                marks = [total * (k + 1) // (kills + 1) for k in range(kills)]
                gate = asyncio.Semaphore(concurrency)

                async def one(index: int) -> None:
                    async with gate:
                        await chain(judge, case_number(index), asset, today, tally)

                started = time.perf_counter()
                work = asyncio.gather(*(one(i) for i in range(cases)))
                killed = 0
                while not work.done():
                    if killed < kills and tally.answered >= marks[killed]:
                        await asyncio.to_thread(gateway.kill)
                        killed += 1
                        await asyncio.sleep(0.5)
                        await asyncio.to_thread(gateway.start)
                    await asyncio.sleep(0.05)
                await work
                clients_done = time.perf_counter()
                ops = await operations(workdir)
                while any(o["state"] in ("PENDING", "UNKNOWN") for o in ops):
                    if time.perf_counter() - clients_done > 300:
                        break
                    await asyncio.sleep(0.5)
                    ops = await operations(workdir)
                settled = time.perf_counter()
            finally:
                gateway.stop()
            ledger = mocks.apps["bank"].state.mock.ledger.snapshot()["controls"]
            injected = dict(mocks.apps["bank"].state.mock.stats.control_faults)
    ours = {o["request_id"]: o for o in ops}
    deliveries = sum(int(seen["deliveries"]) for seen in ledger.values())
    return {
        "cases": cases,
        "operations": len(ops),
        "answered": tally.answered,
        "refused": tally.refused,
        "kills": killed,
        "client_resends": judge.resent,
        "deliveries": deliveries,
        "resent_by_gateway": sum(1 for o in ops if o["attempts"] > 1),
        "applied": sum(1 for o in ops if o["state"] == "APPLIED"),
        "rejected": sum(1 for o in ops if o["state"] == "REJECTED"),
        "not_terminal": sum(1 for o in ops if o["state"] in ("PENDING", "UNKNOWN")),
        "duplicates": sum(1 for seen in ledger.values() if int(seen["applications"]) > 1),
        "lost": sum(
            1
            for rid, o in ours.items()
            if (o["state"] == "APPLIED") != (ledger.get(rid, {}).get("applications") == 1)
        ),
        "strays": sum(1 for rid in ledger if rid not in ours),
        "run_s": clients_done - started,
        "reconcile_s": settled - clients_done,
        "faults": FAULTS.model_dump(),
        "injected": injected,
    }


async def latency(samples: int) -> dict[str, Any]:
    """A freeze's p50 through the gateway, and the same control sent straight to the mock."""
    subject = example_subjects()["natural"][Tier.RICH]
    today = datetime.date.today()
    config = ControlFaultConfig(latency_ms=200)
    with tempfile.TemporaryDirectory(prefix="chakong-latency-") as tmp:
        async with (
            MockServers(["bank"], token=MOCK_TOKEN, control_faults=config) as mocks,
            httpx.AsyncClient(timeout=60) as http,
        ):
            gateway = GatewayProcess(Path(tmp), mocks.urls["bank"])
            gateway.start()
            try:
                judge, system = (Client(http, gateway, t) for t in gateway.tokens())
                asset = await prepare(judge, system, samples, subject)
                through: list[float] = []
                for index in range(samples):
                    variables = {
                        "case": case_number(index),
                        "asset": asset,
                        "key": f"lat-{index}",
                        "until": (today + datetime.timedelta(days=100)).isoformat(),
                    }
                    start = time.perf_counter()
                    payload = await judge.post(FREEZE, variables)
                    through.append(time.perf_counter() - start)
                    if payload.get("errors"):
                        raise RuntimeError(json.dumps(payload)[:500])
            finally:
                gateway.stop()
            direct: list[float] = []
            headers = {"Authorization": f"Bearer {MOCK_TOKEN}"}
            for index in range(samples):
                body = {
                    "requestId": f"direct-{index}",
                    "action": "freeze",
                    "caseNumber": case_number(index),
                    "rulingNumber": "r",
                    "noticeNumber": "n",
                    "assetId": asset,
                    "amount": "1.00",
                    "until": (today + datetime.timedelta(days=100)).isoformat(),
                }
                start = time.perf_counter()
                answer = await http.post(
                    f"{mocks.urls['bank']}/v1/controls", json=body, headers=headers
                )
                direct.append(time.perf_counter() - start)
                answer.raise_for_status()
    return {
        "samples": samples,
        "gateway_p50_ms": statistics.median(through) * 1000,
        "direct_p50_ms": statistics.median(direct) * 1000,
    }


def figures(raw: dict[str, Any]) -> list[Figure]:
    c, lat = raw["chaos"], raw["latency"]

    def count(
        key: str,
        name: str,
        value: float,
        target: str = "",
        ok: bool | None = None,
        fmt: str = "{:.0f}",
        detail: str = "",
    ) -> Figure:
        return Figure(key, name, value, target, ok, fmt, detail)

    return [
        count(
            "operations",
            "controls (operations recorded)",
            c["operations"],
            ">= 2000",
            c["operations"] >= 2000,
        ),
        count("kills", "gateway kills (SIGKILL) and restarts", c["kills"], ">= 2", c["kills"] >= 2),
        count("duplicates", "duplicates", c["duplicates"], "== 0", c["duplicates"] == 0),
        count("lost", "lost", c["lost"], "== 0", c["lost"] == 0),
        count("not_terminal", "not terminal", c["not_terminal"], "== 0", c["not_terminal"] == 0),
        count(
            "strays", "strays (requestIds no operation made)", c["strays"], "== 0", c["strays"] == 0
        ),
        count("applied", "applied", c["applied"], detail=f"rejected {c['rejected']}"),
        count(
            "injected",
            "faults injected by the agency",
            sum(c["injected"].values()),
            detail=", ".join(f"{k} {n}" for k, n in sorted(c["injected"].items())),
        ),
        count("deliveries", "deliveries seen by the agency", c["deliveries"]),
        count(
            "resent", "operations the gateway sent again (same requestId)", c["resent_by_gateway"]
        ),
        count("client_resends", "client requests sent again (gateway down)", c["client_resends"]),
        count("run_s", "run time, s", c["run_s"], fmt="{:.1f}"),
        count(
            "reconcile_s", "time to reconcile after the clients, s", c["reconcile_s"], fmt="{:.1f}"
        ),
        count(
            "freeze_p50",
            "freeze p50 / 200 ms (through the gateway)",
            lat["gateway_p50_ms"] / 200,
            fmt="{:.2f}",
        ),
        count(
            "direct_p50",
            "direct control p50 / 200 ms (no gateway)",
            lat["direct_p50_ms"] / 200,
            fmt="{:.2f}",
        ),
    ]


def section(raw: dict[str, Any], figs: list[Figure], info: dict[str, str], load: str) -> str:
    c = raw["chaos"]
    faults = ", ".join(f"{k} {v}" for k, v in c["faults"].items() if v)
    refused = ", ".join(f"{code} {n}" for code, n in sorted(c["refused"].items())) or "none"
    return (
        "## Controls under chaos (`bench/chaos_controls.py`)\n\n"
        + run_header(COMMAND, info, make_bench=False)
        + f"\n\n{load}\n\n"
        "Set-up: a real gateway (`chakong serve`, SQLite) and the bank mock in the benchmark "
        f"process with control faults ({faults}); {c['cases']} cases, each a chain of freeze, "
        "renew, deduct and release over GraphQL with an idempotency key, 32 chains at once; the "
        f"gateway killed with SIGKILL {c['kills']} times mid-run and started again on the same "
        "database; clients resend on a lost connection with the same key; the gateway's own "
        "reconciler (every 1 s) settles the rest. Refusals by the legal checks end a chain "
        f"(e.g. a renewal of a rejected freeze): {refused}. Latency: the mock answers "
        f"controls in 200 ms; {raw['latency']['samples']} sequential freezes.\n\n"
        + markdown_table(figs)
        + "\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=at_least(1), default=520, help="four controls each")
    parser.add_argument("--kills", type=at_least(0), default=2)
    parser.add_argument("--concurrency", type=at_least(1), default=32)
    parser.add_argument("--latency-samples", type=at_least(1), default=40)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    raw = {
        "chaos": asyncio.run(chaos(args.cases, args.kills, args.concurrency)),
        "latency": asyncio.run(latency(args.latency_samples)),
    }
    info = machine()
    load = load_average(load_before, os.getloadavg())
    figs = figures(raw)
    print(table(figs))
    print(json.dumps(raw, indent=2, default=str))
    if not args.no_write:
        write_section(RESULTS, section(raw, figs, info, load), name="chaos")
    c = raw["chaos"]
    clean = c["duplicates"] == c["lost"] == c["not_terminal"] == c["strays"] == 0
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""``chakong reconcile`` as an operator runs it: a real process over a SQLite file holding UNKNOWN
controls, against the bank mock. A control whose answer was lost is adopted as APPLIED without
being sent again; one the agency never received is sent again with its own requestId and ends
APPLIED; the mock's ledger holds each once; the audit chain still verifies. A database it cannot
open, and an agency it has no URL for, end in a clear message and a non-zero exit."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from gateway.app import audit_key, open_resources
from gateway.auth.principal import Principal, Role
from gateway.domain.cases import parse_case_number
from gateway.domain.controls import ControlAction, ControlOperation, OperationState
from gateway.domain.register import Party, PartyRole, new_case
from gateway.domain.subjects import SubjectKind, parse_subject
from gateway.services.audit import AuditLog
from gateway.services.controls import ControlCommand
from gateway.services.inquiry import InquiryKey
from gateway.settings import ControlSettings, Settings
from gateway.store import open_engine
from gateway.store.unit import Store
from mocks.faults import ControlFaultConfig
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import CASE, COURT, JUDGE, MOCK_TOKEN, gateway_settings
from tests.gateway.processes import run_cli

RICH = example_subjects()["natural"][Tier.RICH]
JUDGE_PRINCIPAL = Principal(Role.JUDGE, subject="judge:J001", court=COURT, judge=JUDGE)
SYSTEM = Principal(Role.COURT_SYSTEM, subject="system", court=COURT)
# the seeding gateway gives up on a hung agency quickly, and runs no reconciler of its own
SEEDING = ControlSettings(reconcile_interval_s=0, attempt_timeout_s=0.5, approval_above=None)


def summary(examined: int, adopted: int, resent: int, unknown: int, left: int) -> str:
    """The line the command prints, in both languages (gateway.cli_controls.report_message)."""
    return (
        f"核实 {examined} 项：采纳单位答复 {adopted}，原编号重发 {resent}，仍未知 {unknown}；"
        f"尚待核实 {left} / reconciled {examined}: adopted {adopted}, resent with the same "
        f"requestId {resent}, still unknown {unknown}; {left} left to settle"
    )


@pytest.fixture
async def bank() -> AsyncIterator[MockServers]:
    async with MockServers(["bank"], token=MOCK_TOKEN) as servers:
        yield servers


def seeding_settings(mocks: MockServers, tmp_path: Path) -> Settings:
    return gateway_settings(mocks, tmp_path, controls=SEEDING)


def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"  # gateway_settings' database


def set_faults(mocks: MockServers, faults: ControlFaultConfig) -> None:
    mocks.apps["bank"].state.mock.control_faults = faults


def ledger(mocks: MockServers) -> dict[str, Any]:
    controls: dict[str, Any] = mocks.apps["bank"].state.mock.ledger.snapshot()["controls"]
    return controls


async def seed(
    mocks: MockServers,
    tmp_path: Path,
    *faults: ControlFaultConfig,
    settings: Settings | None = None,
) -> list[str]:
    """Through the gateway's own services on the SQLite file: the case, an inquiry that returned
    the debtor's deposits, then one freeze per fault (the mock's fault set for that freeze
    alone); the operations' ids."""
    settings = settings or seeding_settings(mocks, tmp_path)
    number = parse_case_number(CASE)
    subject = parse_subject(SubjectKind.NATURAL, RICH)
    ids = []
    async with open_resources(settings, audit_key(settings)) as resources:
        case = new_case(
            number,
            court=COURT,
            judges=[JUDGE],
            parties=[Party(PartyRole.DEBTOR, subject)],
            obligation="100000.00",
        )
        await resources.cases.save(case, principal=SYSTEM, request_id="seed")
        options = resources.inquiries.options(CASE, ["bank"], 5000, False)
        (profile,) = await resources.inquiries.inquire([subject], options)
        await resources.auditor.inquiries(
            JUDGE_PRINCIPAL, "seed", [(InquiryKey(subject, options), profile)]
        )
        answers = await resources.controls.answers(number)
        deposits = [a for ans in answers for a in ans.assets if a.asset_class == "deposits"]
        assert deposits, "the rich example subject has deposits"
        account = max(deposits, key=lambda a: a.value or 0).asset_id
        until = datetime.date.today() + datetime.timedelta(days=100)
        for index, fault in enumerate(faults):
            freeze = ControlCommand(
                ControlAction.FREEZE,
                number,
                f"{CASE}之一",
                f"{CASE}协助执行通知书",
                "bank",
                account,
                Decimal(10 + index),
                until,
            )
            set_faults(mocks, fault)
            (op,) = await resources.controls.submit(
                JUDGE_PRINCIPAL, "seed", [freeze], idempotency_key=f"freeze-{index}"
            )
            assert op.state is OperationState.UNKNOWN, op
            ids.append(op.id)
    set_faults(mocks, ControlFaultConfig())  # the agency is well again
    return ids


async def operations(url: str, ids: list[str]) -> dict[str, ControlOperation]:
    engine = open_engine(url)
    try:
        async with Store(engine).read() as unit:
            return {op.id: op for op in await unit.controls.many(ids)}
    finally:
        await engine.dispose()


async def audit_actions(url: str, key: bytes) -> list[tuple[str, str]]:
    """(action, detail) of the case's control entries, oldest first."""
    engine = open_engine(url)
    try:
        entries = await AuditLog(Store(engine), key).list(case_number=CASE)
    finally:
        await engine.dispose()
    return [
        (e.action, e.detail or "") for e in reversed(entries) if e.action.startswith("control.")
    ]


def cli_env(url: str, mocks: MockServers | None = None, **more: str) -> dict[str, str]:
    """The operator's environment: the gateway's database and (when given) the bank's URL,
    with the demo's audit key, as the seeding gateway had."""
    env = {"CHAKONG_DATABASE_URL": url, "CHAKONG_DEMO": "true", "CHAKONG_AUDIT_KEY": ""}
    if mocks is not None:
        env["CHAKONG_AGENCIES__BANK__URL"] = mocks.urls["bank"]
        env["CHAKONG_AGENCIES__BANK__TOKEN"] = MOCK_TOKEN
    return {**env, **more}


async def chakong(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real command in its own process; the mocks keep serving in this loop meanwhile."""
    return await asyncio.to_thread(run_cli, *args, cwd=cwd, env=env)


LOST = ControlFaultConfig(lost_rate=1.0)  # applied, the answer lost on the way back
NEVER_SEEN = ControlFaultConfig(timeout_rate=1.0)  # the agency never received it


async def test_reconcile_adopts_a_lost_answer_and_resends_what_the_agency_never_saw(
    bank: MockServers, tmp_path: Path
):
    lost_id, unseen_id = await seed(bank, tmp_path, LOST, NEVER_SEEN)
    url = database_url(tmp_path)
    before = await operations(url, [lost_id, unseen_id])
    lost_rid, unseen_rid = before[lost_id].request_id, before[unseen_id].request_id
    assert ledger(bank)[lost_rid]["applications"] == 1
    assert unseen_rid not in ledger(bank)

    result = await chakong("reconcile", "--wait", "0", cwd=tmp_path, env=cli_env(url, bank))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [summary(2, 1, 1, 0, 0)]
    assert "Traceback" not in result.stderr

    after = await operations(url, [lost_id, unseen_id])
    assert {op.state for op in after.values()} == {OperationState.APPLIED}
    assert after[lost_id].attempts == 1  # adopted from the status lookup, never sent again
    assert after[unseen_id].attempts == 2  # the first attempt, then the one resend
    assert after[lost_id].request_id == lost_rid
    assert after[unseen_id].request_id == unseen_rid
    assert after[lost_id].reference
    assert after[unseen_id].reference

    seen = ledger(bank)
    assert set(seen) == {lost_rid, unseen_rid}  # no control under another requestId
    for rid in (lost_rid, unseen_rid):
        assert seen[rid]["applications"] == 1
        assert seen[rid]["deliveries"] == 1
        assert seen[rid]["answer"]["status"] == "applied"
        assert seen[rid]["action"] == "freeze"
    assert Decimal(seen[unseen_rid]["amount"]) == before[unseen_id].amount

    key = audit_key(seeding_settings(bank, tmp_path))
    steps = await audit_actions(url, key)
    reconciled = [a for a, detail in steps if f"op={lost_id}" in detail]
    resent = [a for a, detail in steps if f"op={unseen_id}" in detail]
    assert reconciled.count("control.reconcile") == 1
    assert "control.resend" not in reconciled
    assert resent.count("control.resend") == 1
    assert [d for a, d in steps if a == "control.reconcile" and "state=APPLIED" in d]

    verified = await chakong("audit", "verify", cwd=tmp_path, env=cli_env(url))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("审计链完整 / audit chain intact")

    # run again: nothing is left, nothing is sent
    again = await chakong("reconcile", cwd=tmp_path, env=cli_env(url, bank))
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.splitlines() == [summary(0, 0, 0, 0, 0)]
    assert ledger(bank) == seen


async def test_an_agency_without_a_url_leaves_the_control_unknown_and_fails(
    bank: MockServers, tmp_path: Path
):
    (lost_id,) = await seed(bank, tmp_path, LOST)
    url = database_url(tmp_path)
    rid = (await operations(url, [lost_id]))[lost_id].request_id
    result = await chakong(
        "reconcile", "--passes", "2", "--wait", "0", cwd=tmp_path, env=cli_env(url)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    # examined in each of the two passes, unresolved in the last
    assert result.stdout.splitlines() == [summary(2, 0, 0, 1, 1)]
    assert "Traceback" not in result.stderr
    (op,) = (await operations(url, [lost_id])).values()
    assert op.state is OperationState.UNKNOWN
    assert op.attempts == 1
    assert ledger(bank)[rid]["deliveries"] == 1  # nothing sent

    # configured again, the next run settles it
    settled = await chakong("reconcile", cwd=tmp_path, env=cli_env(url, bank))
    assert settled.returncode == 0, settled.stdout + settled.stderr
    assert settled.stdout.splitlines() == [summary(1, 1, 0, 0, 0)]
    assert ledger(bank)[rid]["applications"] == 1


async def test_an_agency_that_cannot_be_reached_leaves_the_control_unknown(
    bank: MockServers, tmp_path: Path
):
    (unseen_id,) = await seed(bank, tmp_path, NEVER_SEEN)
    url = database_url(tmp_path)
    rid = (await operations(url, [unseen_id]))[unseen_id].request_id
    down = cli_env(
        url,
        CHAKONG_AGENCIES__BANK__URL="http://127.0.0.1:9",  # the discard port: nobody listens
        CHAKONG_AGENCIES__BANK__TOKEN=MOCK_TOKEN,
    )
    result = await chakong("reconcile", "--passes", "1", cwd=tmp_path, env=down)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [summary(1, 0, 0, 1, 1)]
    assert "Traceback" not in result.stderr
    (op,) = (await operations(url, [unseen_id])).values()
    assert op.state is OperationState.UNKNOWN  # never resent blind
    assert rid not in ledger(bank)
    steps = await audit_actions(url, audit_key(seeding_settings(bank, tmp_path)))
    assert any(a == "control.reconcile" and "lookup failed" in d for a, d in steps)


async def test_a_database_it_cannot_open_is_a_clear_error(tmp_path: Path):
    url = "sqlite+aiosqlite:////nonexistent/chakong/gateway.db"
    result = await chakong("reconcile", "--passes", "1", cwd=tmp_path, env=cli_env(url))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""  # no summary of work it could not do
    assert result.stderr.splitlines()[-1] == (
        "无法读取数据库 / cannot read the database: OperationalError"
    )


async def test_a_database_url_that_cannot_work_is_said_before_anything_is_opened(tmp_path: Path):
    url = "nosuchdriver://user:s3cret@host/db"
    result = await chakong("reconcile", "--passes", "1", cwd=tmp_path, env=cli_env(url))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "不支持的数据库地址 nosuchdriver://user:***@host/db / unsupported database URL "
        "nosuchdriver://user:***@host/db: the gateway uses sqlite+aiosqlite:///FILE, "
        "postgresql+asyncpg://USER@HOST/DB"
    )


async def test_an_unreachable_database_prints_no_traceback(tmp_path: Path):
    url = "sqlite+aiosqlite:////nonexistent/chakong/gateway.db"
    result = await chakong("reconcile", "--passes", "1", cwd=tmp_path, env=cli_env(url))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


async def test_a_refused_postgresql_connection_is_a_clear_error(tmp_path: Path):
    url = "postgresql+asyncpg://chakong:secret@127.0.0.1:9/chakong"
    result = await chakong("reconcile", "--passes", "1", cwd=tmp_path, env=cli_env(url))
    assert result.returncode == 1
    assert "cannot read the database" in result.stderr
    assert "Traceback" not in result.stderr


# an operator who forgot CHAKONG_AUDIT_KEY on a production gateway's database

PRODUCTION_KEY = "production-audit-key-" + "p" * 32
QUICK_LEASE = {"CHAKONG_CONTROLS__ATTEMPT_TIMEOUT_S": "0.5"}  # a lease of 2 x 0.5 + 5 s


def production(mocks: MockServers, tmp_path: Path) -> Settings:
    return seeding_settings(mocks, tmp_path).model_copy(
        update={"demo": False, "audit_key": SecretStr(PRODUCTION_KEY)}
    )


def production_env(url: str, mocks: MockServers, **more: str) -> dict[str, str]:
    return cli_env(url, mocks, CHAKONG_DEMO="false", **QUICK_LEASE, **more)


async def test_without_the_audit_key_nothing_is_written_to_the_chain(
    bank: MockServers, tmp_path: Path
):
    (lost_id,) = await seed(bank, tmp_path, LOST, settings=production(bank, tmp_path))
    url = database_url(tmp_path)
    before = await audit_actions(url, PRODUCTION_KEY.encode())
    keyless = await chakong(
        "reconcile", "--passes", "1", cwd=tmp_path, env=production_env(url, bank)
    )
    assert keyless.returncode == 2  # refused to start: nothing claimed, nothing sent
    assert "set CHAKONG_AUDIT_KEY" in keyless.stderr
    (op,) = (await operations(url, [lost_id])).values()
    assert op.state is OperationState.UNKNOWN
    assert await audit_actions(url, PRODUCTION_KEY.encode()) == before
    verified = await chakong(
        "audit",
        "verify",
        cwd=tmp_path,
        env=production_env(url, bank, CHAKONG_AUDIT_KEY=PRODUCTION_KEY),
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # with the key it settles at once (the refused run left no lease behind)
    settled = await chakong(
        "reconcile", cwd=tmp_path, env=production_env(url, bank, CHAKONG_AUDIT_KEY=PRODUCTION_KEY)
    )
    assert settled.returncode == 0, settled.stdout + settled.stderr
    assert settled.stdout.splitlines() == [summary(1, 1, 0, 0, 0)]
    assert ledger(bank)[op.request_id]["deliveries"] == 1


async def test_without_the_audit_key_it_refuses_to_start(bank: MockServers, tmp_path: Path):
    await seed(bank, tmp_path, LOST, settings=production(bank, tmp_path))
    url = database_url(tmp_path)
    result = await chakong(
        "reconcile", "--passes", "1", cwd=tmp_path, env=production_env(url, bank)
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert "set CHAKONG_AUDIT_KEY" in result.stderr


async def test_a_control_under_another_lease_is_not_reported_settled(
    bank: MockServers, tmp_path: Path
):
    (lost_id,) = await seed(bank, tmp_path, LOST)
    url = database_url(tmp_path)
    engine = open_engine(url)
    try:
        store = Store(engine)
        async with store.read() as unit:
            (op,) = await unit.controls.many([lost_id])
        now = datetime.datetime.now(datetime.UTC)
        async with store.begin() as unit:  # a gateway's reconciler is working it
            assert await unit.controls.claim(op, now, now + datetime.timedelta(minutes=5))
    finally:
        await engine.dispose()
    result = await chakong("reconcile", "--passes", "1", cwd=tmp_path, env=cli_env(url, bank))
    (after,) = (await operations(url, [lost_id])).values()
    assert after.state is OperationState.UNKNOWN
    assert result.returncode != 0 or "0 left to settle" not in result.stdout


async def test_reconcile_forgets_the_idempotency_keys_past_their_retention(
    bank: MockServers, tmp_path: Path
):
    """With no reconciler in the gateways, the command is the one that forgets old keys."""
    await seed(bank, tmp_path, LOST, NEVER_SEEN)  # keys freeze-0 and freeze-1, made today
    select = "SELECT key FROM control_idempotency ORDER BY created_at"
    with contextlib.closing(sqlite3.connect(tmp_path / "gateway.db")) as db, db:
        older, newer = [key for (key,) in db.execute(select)]  # kept hashed
        # freeze-0's made long before any retention (SQLite keeps the UTC wall time as text)
        db.execute(
            "UPDATE control_idempotency SET created_at = '2000-01-01 00:00:00.000000'"
            " WHERE key = ?",
            (older,),
        )
    url = database_url(tmp_path)
    result = await chakong("reconcile", "--wait", "0", cwd=tmp_path, env=cli_env(url, bank))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        summary(2, 1, 1, 0, 0),
        "清除过期幂等键 1 个 / forgot 1 expired idempotency keys",
    ]
    with contextlib.closing(sqlite3.connect(tmp_path / "gateway.db")) as db:
        assert [key for (key,) in db.execute(select)] == [newer]

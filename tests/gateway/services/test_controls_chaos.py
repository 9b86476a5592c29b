"""A smaller chaos run in the default suite (bench/chaos_controls.py is the full one): a few
hundred controls against the bank mock with every control fault at a high rate, the controls
service stopped mid-run (its tasks cancelled, its resources closed) and opened again on the same
database, the clients retrying with their idempotency keys, the reconciler run; then the mock's
ledger is compared with the gateway's operations: zero duplicates, zero lost, every operation
terminal."""

from __future__ import annotations

import asyncio
import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from gateway.app import Resources, audit_key, open_resources
from gateway.auth.principal import Principal, Role
from gateway.domain.cases import parse_case_number
from gateway.domain.control_rules import ControlCheckError
from gateway.domain.controls import ControlAction, OperationState
from gateway.domain.register import Party, PartyRole, new_case
from gateway.domain.subjects import SubjectKind, parse_subject
from gateway.services.controls import ControlCommand
from gateway.services.inquiry import InquiryKey
from gateway.settings import ControlSettings, Settings
from mocks.faults import ControlFaultConfig
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import COURT, JUDGE, MOCK_TOKEN, gateway_settings

CASES = 75  # four controls each: 300
JUDGE_PRINCIPAL = Principal(Role.JUDGE, subject="judge:J001", court=COURT, judge=JUDGE)
SYSTEM = Principal(Role.COURT_SYSTEM, subject="system", court=COURT)
FAULTS = ControlFaultConfig(
    timeout_rate=0.08,
    lost_rate=0.10,
    error_after_rate=0.08,
    duplicate_rate=0.08,
    late_rate=0.06,
    late_ms=400,
    status_lag_rate=0.15,
    status_lag_lookups=2,
)
TERMINAL = {OperationState.APPLIED, OperationState.REJECTED}


def case_number(index: int) -> str:
    return f"(2026){COURT}执{5000 + index}号"


def steps(number: str, asset_id: str, today: datetime.date) -> list[ControlCommand]:
    case = parse_case_number(number)

    def command(action: ControlAction, amount: str | None, days: int | None) -> ControlCommand:
        until = None if days is None else today + datetime.timedelta(days=days)
        value = None if amount is None else Decimal(amount)
        return ControlCommand(
            action, case, f"{number}之一", f"{number}通知", "bank", asset_id, value, until
        )

    return [
        command(ControlAction.FREEZE, "50.00", 200),
        command(ControlAction.RENEW, None, 300),
        command(ControlAction.DEDUCT, "5.00", None),
        command(ControlAction.RELEASE, None, None),
    ]


async def prepare(resources: Resources, subject_id: str) -> str:
    """Register the cases and inquire in each; the deposit account the controls name."""
    subject = parse_subject(SubjectKind.NATURAL, subject_id)
    asset_id = ""
    for index in range(CASES):
        number = case_number(index)
        case = new_case(
            number,
            court=COURT,
            judges=[JUDGE],
            parties=[Party(PartyRole.DEBTOR, subject)],
            obligation="1000.00",
        )
        await resources.cases.save(case, principal=SYSTEM, request_id="chaos")
        options = resources.inquiries.options(number, ["bank"], 5000, False)
        (profile,) = await resources.inquiries.inquire([subject], options)
        await resources.auditor.inquiries(
            JUDGE_PRINCIPAL, "chaos", [(InquiryKey(subject, options), profile)]
        )
        if not asset_id:
            answers = await resources.controls.answers(options.case_number)
            deposits = [a for ans in answers for a in ans.assets if a.asset_class == "deposits"]
            assert deposits, "the rich example subject has deposits"
            asset_id = max(deposits, key=lambda a: a.value or 0).asset_id
    return asset_id


class Progress:
    """Answers seen by the clients; ``halfway`` is set once there are ``at`` of them."""

    def __init__(self, at: int) -> None:
        self.answers = 0
        self.at = at
        self.halfway = asyncio.Event()

    def answered(self) -> None:
        self.answers += 1
        if self.answers >= self.at:
            self.halfway.set()


async def run_chain(
    resources: Resources, number: str, commands: list[ControlCommand], progress: Progress
) -> None:
    for index, command in enumerate(commands):
        try:
            for _ in range(100):
                try:
                    await resources.controls.submit(
                        JUDGE_PRINCIPAL, "chaos", [command], idempotency_key=f"{number}-{index}"
                    )
                    break
                except ControlCheckError as exc:
                    if exc.code != "CONTROL_IN_FLIGHT":
                        raise
                # the freeze's or renewal's outcome is not known yet: as a client told to wait,
                # let the reconciler settle it, then send this one again
                await resources.controls.reconcile()
                await asyncio.sleep(0.05)
        except ControlCheckError:
            return  # e.g. nothing in force once the freeze was rejected: the chain ends
        finally:
            progress.answered()


async def test_controls_survive_faults_and_a_restart(tmp_path: Path):
    rich = example_subjects()["natural"][Tier.RICH]
    async with MockServers(
        ["bank"], token=MOCK_TOKEN, control_faults=FAULTS, fault_seed=11
    ) as mocks:
        settings: Settings = gateway_settings(
            mocks,
            tmp_path,
            controls=ControlSettings(
                reconcile_interval_s=0,
                attempt_timeout_s=0.3,
                approval_above=None,
                pending_grace_s=0.05,
            ),
        )
        key = audit_key(settings)
        today = datetime.date.today()
        async with open_resources(settings, key) as first:
            asset_id = await prepare(first, rich)
            plans = {case_number(i): steps(case_number(i), asset_id, today) for i in range(CASES)}
            progress = Progress(CASES * 2)
            tasks = [
                asyncio.ensure_future(run_chain(first, n, c, progress)) for n, c in plans.items()
            ]
            await progress.halfway.wait()
            for task in tasks:  # the service stops mid-run
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            interrupted = await count(first)
        async with open_resources(settings, key) as second:
            # the clients send again what they had not seen answered, with the same keys
            again = Progress(0)
            await asyncio.gather(*(run_chain(second, n, c, again) for n, c in plans.items()))
            for _ in range(100):
                report = await second.controls.reconcile()
                if not report.examined:
                    break
                await asyncio.sleep(0.1)
            async with second.store.read() as unit:
                operations = await unit.controls.all()
        ledger: dict[str, Any] = mocks.apps["bank"].state.mock.ledger.snapshot()["controls"]

    assert interrupted < len(operations)  # the restart came mid-run
    assert len(operations) >= CASES * 3
    assert {op.state for op in operations} <= TERMINAL  # every operation terminal
    ours = {op.request_id: op for op in operations}
    duplicates = [rid for rid, seen in ledger.items() if seen["applications"] > 1]
    lost = [
        rid
        for rid, op in ours.items()
        if (op.state is OperationState.APPLIED) != (ledger.get(rid, {}).get("applications") == 1)
    ]
    strays = [rid for rid in ledger if rid not in ours]
    assert duplicates == []
    assert lost == []
    assert strays == []
    applied = [op for op in operations if op.state is OperationState.APPLIED]
    assert (
        len(applied) > len(operations) // 2
    )  # the faults delayed controls, they did not stop them


async def count(resources: Resources) -> int:
    async with resources.store.read() as unit:
        return len(await unit.controls.all())

"""The gateway's own reconciler: a control whose answer was lost settles by itself, in the
lifespan's periodic task, without being sent again."""

from __future__ import annotations

import asyncio
import datetime
import logging
from pathlib import Path
from typing import cast

import pytest

from gateway.services.controls import ControlService, ReconcileReport
from gateway.services.reconciler import reconcile_forever
from gateway.settings import ControlSettings
from mocks.faults import ControlFaultConfig
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import CASE, MOCK_TOKEN, gateway_settings, run_gateway

RICH = example_subjects()["natural"][Tier.RICH]
INQUIRY = """query($id: String!, $case: String!) {
  debtor(subject: {kind: NATURAL, id: $id}, caseNumber: $case, agencies: [BANK]) {
    bank { deposits { accountNumber amount } } } }"""
FREEZE = """mutation($case: String!, $asset: String!) {
  freezeAsset(caseNumber: $case, rulingNumber: "r-1", noticeNumber: "n-1",
              asset: {agency: BANK, assetId: $asset}, amount: "10.00", until: "%s",
              idempotencyKey: "f-1") { id requestId state } }"""
CONTROLS = "query($case: String!) { controls(caseNumber: $case) { id state attempts } }"


async def test_the_lifespan_reconciles_a_lost_answer(tmp_path: Path):
    until = (datetime.date.today() + datetime.timedelta(days=100)).isoformat()
    faults = ControlFaultConfig(lost_rate=1.0)  # every answer lost after applying
    async with MockServers(["bank"], token=MOCK_TOKEN, control_faults=faults) as mocks:
        settings = gateway_settings(
            mocks,
            tmp_path,
            controls=ControlSettings(
                reconcile_interval_s=0.05, pending_grace_s=0.05, approval_above=None
            ),
        )
        async with run_gateway(settings) as gw:
            await gw.register([{"kind": "NATURAL", "id": RICH}])
            found = await gw.query(INQUIRY, {"id": RICH, "case": CASE})
            deposits = found["data"]["debtor"]["bank"]["deposits"]
            account = deposits[0]["accountNumber"]
            frozen = await gw.query(FREEZE % until, {"case": CASE, "asset": account})
            control = frozen["data"]["freezeAsset"]
            assert control["state"] == "UNKNOWN"
            state = "UNKNOWN"
            for _ in range(200):
                body = await gw.query(CONTROLS, {"case": CASE})
                (listed,) = body["data"]["controls"]
                state = listed["state"]
                if state != "UNKNOWN":
                    break
                await asyncio.sleep(0.05)
            assert state == "APPLIED"
            assert listed["attempts"] == 1  # adopted from the status lookup, not sent again
        seen = mocks.apps["bank"].state.mock.ledger.snapshot()["controls"][control["requestId"]]
        assert seen["applications"] == 1
        assert seen["deliveries"] == 1


class _Passes:
    """A control service whose passes each take ten seconds of a fake clock; the eighth is the
    lifespan's exit."""

    def __init__(self, failing_purges: int = 0, failing_passes: int = 0) -> None:
        self.now = 0.0
        self.passes = 0
        self.purged_at: list[int] = []
        self.failing_purges = failing_purges  # the first purges fail, as a busy database would
        self.failing_passes = failing_passes  # the first passes fail, as an agency's fault would

    def clock(self) -> float:
        return self.now

    async def reconcile(self) -> ReconcileReport:
        self.passes += 1
        if self.passes == 8:
            raise asyncio.CancelledError
        self.now += 10.0
        if self.passes <= self.failing_passes:
            raise RuntimeError("the agency answered nonsense")
        return ReconcileReport()

    async def purge_keys(self) -> int:
        self.purged_at.append(self.passes)
        if len(self.purged_at) <= self.failing_purges:
            raise OSError("the database is busy")
        return 2


async def _until_the_lifespan_exits(fake: _Passes, caplog: pytest.LogCaptureFixture) -> None:
    """The loop over ``fake``'s passes, a purge due every 25 s, its log captured, until the
    eighth pass stops it as the lifespan's exit does."""
    with (
        caplog.at_level(logging.INFO, logger="gateway.services.reconciler"),
        pytest.raises(asyncio.CancelledError),
    ):
        await reconcile_forever(cast(ControlService, fake), 0, purge_every_s=25, clock=fake.clock)


async def test_expired_keys_are_purged_after_the_first_pass_then_once_a_period(caplog):
    fake = _Passes()
    await _until_the_lifespan_exits(fake, caplog)
    assert fake.passes == 8
    # passes end at 10, 20, ... 70 s: purged at 10 s, then not before 35 s (40), then 65 s (70)
    assert fake.purged_at == [1, 4, 7]
    assert caplog.messages.count("forgot 2 expired idempotency keys") == 3


async def test_a_failed_purge_is_tried_again_on_the_next_pass(caplog):
    fake = _Passes(failing_purges=2)
    await _until_the_lifespan_exits(fake, caplog)
    # failed at 10 and 20 s, done at 30 s, then not before 55 s (60)
    assert fake.purged_at == [1, 2, 3, 6]
    assert (
        caplog.messages.count(
            "expired idempotency keys could not be purged; the next pass will try again"
        )
        == 2
    )
    assert caplog.messages.count("forgot 2 expired idempotency keys") == 2


async def test_a_failed_pass_does_not_hold_back_the_purge_that_is_due(caplog):
    fake = _Passes(failing_passes=4)
    await _until_the_lifespan_exits(fake, caplog)
    # the first four passes fail; the purges fall due as they would have: 10 s, 40 s, 70 s
    assert fake.purged_at == [1, 4, 7]
    assert caplog.messages.count("a reconciliation pass failed; the next one will try again") == 4
    assert caplog.messages.count("forgot 2 expired idempotency keys") == 3

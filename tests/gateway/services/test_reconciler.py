"""The gateway's own reconciler: a control whose answer was lost settles by itself, in the
lifespan's periodic task, without being sent again."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path

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

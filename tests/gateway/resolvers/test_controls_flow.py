"""The walkthrough of docs/controls.md, end to end over HTTP against the mock agencies: a judge
inquires, reads the freeze plan, applies it (replaying the same key changes nothing), asks for
a deduction that a second judge approves, and reads the register and the renewal list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import CASE, Gateway

RICH = example_subjects()["natural"][Tier.RICH]

INQUIRY = """
query($id: String!, $case: String!) {
  debtor(subject: {kind: NATURAL, id: $id}, caseNumber: $case,
         agencies: [BANK, FUND, SECURITIES, BUSINESS, LAND]) { sources { agency status } }
}"""
PLAN = """
query($case: String!) {
  freezePlan(caseNumber: $case) {
    unperformed fees alreadyHeld shortfall
    items { agency assetId assetClass value action amount until reason }
  }
}"""
APPLY = """
mutation($case: String!, $key: String!) {
  applyFreezePlan(caseNumber: $case, rulingNumber: "(2026)苏0812执123号之一",
                  noticeNumber: "(2026)苏0812执123号协助执行通知书", idempotencyKey: $key) {
    id requestId agency assetId action amount appliedAmount state until
  }
}"""
DEDUCT = """
mutation($case: String!, $asset: AssetInput!, $amount: Decimal!, $key: String!) {
  deductAsset(caseNumber: $case, rulingNumber: "(2026)苏0812执123号之二",
              noticeNumber: "(2026)苏0812执123号协助扣划通知书", asset: $asset,
              amount: $amount, idempotencyKey: $key) { id state requestedBy }
}"""
APPROVE = "mutation($id: String!) { approveDeduction(controlId: $id) { id state approvedBy } }"
CASE_PERFORMED = "query($case: String!) { case(caseNumber: $case) { performed unperformed } }"
REGISTER = "{ freezeRegister { endsOn held control { id agency assetId } } }"
EXPIRING = "{ expiringControls(withinDays: 400, mine: false) { endsOn daysLeft } }"


def data(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]
    return result


def applications(mocks: MockServers, agency: str, request_id: str) -> int:
    ledger = mocks.apps[agency].state.mock.ledger.snapshot()
    return int(ledger["controls"][request_id]["applications"])


async def test_a_judge_applies_a_freeze_plan_and_a_second_judge_approves_a_deduction(
    gateway: Gateway, mocks: MockServers
):
    data(await gateway.query(INQUIRY, {"id": RICH, "case": CASE}))

    plan = data(await gateway.query(PLAN, {"case": CASE}))["freezePlan"]
    assert plan["items"], plan
    assert plan["items"][0]["assetClass"] == "deposits"  # cash-like first
    planned = sum(Decimal(i["amount"] or i["value"] or 0) for i in plan["items"])
    ceiling = (Decimal(plan["unperformed"]) + Decimal(plan["fees"])) * Decimal("1.1")
    assert planned <= ceiling  # never beyond the debt (a house would be the exception)

    applied = data(await gateway.query(APPLY, {"case": CASE, "key": "plan-1"}))
    controls = applied["applyFreezePlan"]
    assert [c["assetId"] for c in controls] == [i["assetId"] for i in plan["items"]]
    assert {c["state"] for c in controls} == {"APPLIED"}
    for control in controls:
        assert applications(mocks, control["agency"].lower(), control["requestId"]) == 1

    # the same key again: the same controls, nothing sent again
    replayed = data(await gateway.query(APPLY, {"case": CASE, "key": "plan-1"}))
    assert [c["id"] for c in replayed["applyFreezePlan"]] == [c["id"] for c in controls]
    for control in controls:
        assert applications(mocks, control["agency"].lower(), control["requestId"]) == 1

    deposit = controls[0]
    amount = min(Decimal(deposit["appliedAmount"] or deposit["amount"]), Decimal("1000.00"))
    variables = {
        "case": CASE,
        "asset": {"agency": deposit["agency"], "assetId": deposit["assetId"]},
        "amount": str(amount),
        "key": "deduct-1",
    }
    asked = data(await gateway.query(DEDUCT, variables))["deductAsset"]
    assert asked["state"] == "AWAITING_APPROVAL"
    assert asked["requestedBy"] == "judge:苏0812:J001"  # the judge, not the token's sub

    own = await gateway.post(APPROVE, {"id": asked["id"]})  # the requester cannot approve
    assert own.status_code == 403
    assert own.json()["errors"][0]["extensions"]["code"] == "SELF_APPROVAL"
    # nor with another token of theirs, whatever its sub and however the id is written
    again = await gateway.post(APPROVE, {"id": asked["id"]}, who="judge-again")
    assert again.status_code == 403
    assert again.json()["errors"][0]["extensions"]["code"] == "SELF_APPROVAL"
    approved = data(await gateway.query(APPROVE, {"id": asked["id"]}, who="approver"))
    assert approved["approveDeduction"]["state"] == "APPLIED"
    assert approved["approveDeduction"]["approvedBy"] == "judge:苏0812:J002"

    case = data(await gateway.query(CASE_PERFORMED, {"case": CASE}))["case"]
    assert Decimal(case["performed"]) == amount

    register = data(await gateway.query(REGISTER))["freezeRegister"]
    assert {e["control"]["id"] for e in register} == {c["id"] for c in controls}
    held = {e["control"]["id"]: Decimal(e["held"]) for e in register}
    assert held[deposit["id"]] == Decimal(deposit["appliedAmount"] or deposit["amount"]) - amount
    expiring = data(await gateway.query(EXPIRING))["expiringControls"]
    assert expiring  # deposits are frozen for a year at most
    assert all(e["daysLeft"] <= 400 for e in expiring)

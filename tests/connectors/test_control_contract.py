"""The control side of the committed contracts against the connector (``connectors.control``).

For every agency that applies controls: the document has ``POST /v1/controls`` and
``GET /v1/controls/{requestId}`` with the agency's own actions; its examples follow its
schemas; what the connector sends for each action keeps the contract; the connector reads each
example answer; and a renamed field fails both the schema and the connector. The mocks' side
is checked against the same documents in ``tests/mocks`` and by the conformance kit.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from decimal import Decimal
from typing import Any

import httpx
import jsonschema
import pytest

from connectors.base import AgencyEndpoint
from connectors.control import control_body, post_control
from connectors.openapi import load_contract
from connectors.registry import AGENCIES
from connectors.spec import AgencySpec
from gateway.domain.controls import ControlAction, ControlOutcome, ControlRequest, ControlStatus

CONTROLLING = [spec for spec in AGENCIES if spec.controls]
TOKEN = "control-contract-token-5e1f"


def validator(contract: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{name}", "components": contract["components"]}
    return jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def operations(contract: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    paths = contract["paths"]
    return paths["/v1/controls"]["post"], paths["/v1/controls/{requestId}"]["get"]


def examples(operation: dict[str, Any], where: str) -> dict[str, Any]:
    if where == "request":
        content = operation["requestBody"]["content"]["application/json"]
    else:
        content = operation["responses"]["200"]["content"]["application/json"]
    return {name: example["value"] for name, example in content["examples"].items()}


def request(action: ControlAction) -> ControlRequest:
    money = action in (ControlAction.FREEZE, ControlAction.DEDUCT)
    dated = action in (ControlAction.FREEZE, ControlAction.SEIZE, ControlAction.RENEW)
    return ControlRequest(
        request_id="ctl-contract-1",
        action=action,
        case_number="(2026)苏0812执5号",
        ruling_number="(2026)苏0812执5号之一",
        notice_number="(2026)苏0812执5号协字第1号",
        asset_id="asset-1",
        amount=Decimal("1234.50") if money else None,
        until=datetime.date(2027, 1, 31) if dated else None,
    )


def test_exactly_the_controlling_agencies_have_control_paths() -> None:
    assert {s.name for s in CONTROLLING} == {"bank", "fund", "land", "business", "securities"}
    for spec in AGENCIES:
        paths = set(load_contract(spec)["paths"])
        expected = {"/v1/inquiries"}
        if spec.controls:
            expected |= {"/v1/controls", "/v1/controls/{requestId}"}
        assert paths == expected, spec.name


@pytest.mark.parametrize("spec", CONTROLLING, ids=lambda s: s.name)
def test_the_control_operations_name_the_agencys_actions_and_errors(
    spec: AgencySpec[Any],
) -> None:
    contract = load_contract(spec)
    post, get = operations(contract)
    action = contract["components"]["schemas"]["ControlBody"]["properties"]["action"]
    assert action["enum"] == sorted(spec.controls)
    assert {"200", "400", "401", "409", "500"} <= set(post["responses"])
    assert {"200", "404", "401"} <= set(get["responses"])
    for response in (post["responses"]["409"], get["responses"]["404"]):
        name = response["$ref"].rsplit("/", 1)[1]
        media = contract["components"]["responses"][name]["content"]
        assert list(media) == ["application/problem+json"]
    assert set(examples(post, "request")) == set(spec.controls)


@pytest.mark.parametrize("spec", CONTROLLING, ids=lambda s: s.name)
def test_the_control_examples_follow_the_schemas(spec: AgencySpec[Any]) -> None:
    contract = load_contract(spec)
    post, _ = operations(contract)
    for body in examples(post, "request").values():
        validator(contract, "ControlBody").validate(body)
    answers = examples(post, "answer")
    for answer in answers.values():
        validator(contract, "ControlAnswer").validate(answer)
    assert {a["status"] for a in answers.values()} == {"applied", "rejected"}


@pytest.mark.parametrize("spec", CONTROLLING, ids=lambda s: s.name)
def test_what_the_connector_sends_keeps_the_contract(spec: AgencySpec[Any]) -> None:
    contract = load_contract(spec)
    for action in spec.controls:
        sent = json.loads(control_body(request(ControlAction(action))))
        validator(contract, "ControlBody").validate(sent)
    # an action the agency does not apply is outside its contract
    others = {a.value for a in ControlAction} - spec.controls
    for action in others:
        sent = json.loads(control_body(request(ControlAction(action))))
        with pytest.raises(jsonschema.ValidationError):
            validator(contract, "ControlBody").validate(sent)


async def read(spec: AgencySpec[Any], answer: dict[str, Any]) -> ControlOutcome:
    """The connector's reading of ``answer`` to a control of ``spec``'s agency."""

    def agency(sent: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer)

    first = request(ControlAction(sorted(spec.controls)[0]))
    sent = dataclasses.replace(first, request_id=answer["requestId"])
    async with httpx.AsyncClient(transport=httpx.MockTransport(agency)) as client:
        endpoint = AgencyEndpoint("http://agency.test", TOKEN)
        return await post_control(client, endpoint, spec.name, sent)


@pytest.mark.parametrize("spec", CONTROLLING, ids=lambda s: s.name)
async def test_the_connector_reads_each_example_answer(spec: AgencySpec[Any]) -> None:
    post, _ = operations(load_contract(spec))
    for name, answer in examples(post, "answer").items():
        outcome = await read(spec, answer)
        if answer["status"] == "applied":
            assert outcome.status is ControlStatus.APPLIED, name
            assert outcome.reference == answer["reference"]
            amount = answer.get("appliedAmount")
            assert outcome.applied_amount == (None if amount is None else Decimal(amount))
            assert outcome.queue_position == answer.get("queuePosition")
        else:
            assert outcome.status is ControlStatus.REJECTED, name
            assert answer["reason"].split(" / ")[1] in outcome.message_en


@pytest.mark.parametrize("spec", CONTROLLING, ids=lambda s: s.name)
async def test_a_renamed_field_fails_the_schema_and_the_connector(spec: AgencySpec[Any]) -> None:
    contract = load_contract(spec)
    post, _ = operations(contract)
    answer = copy.deepcopy(examples(post, "answer")["applied"])
    answer["state"] = answer.pop("status")
    with pytest.raises(jsonschema.ValidationError):
        validator(contract, "ControlAnswer").validate(answer)
    outcome = await read(spec, answer)
    assert outcome.status is ControlStatus.UNKNOWN  # never taken for applied

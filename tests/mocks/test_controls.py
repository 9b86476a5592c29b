"""The mocks' control endpoints: an inquiry then a control, idempotency, errors, and each control
fault (in process where the answer is all that matters, over a real socket where the
connection is the point: a client giving up, a lost answer)."""

from __future__ import annotations

import asyncio
import datetime
import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mocks.contract.schemas import first_error
from mocks.documents import contract_document
from mocks.faults import (
    ControlFault,
    ControlFaultConfig,
    draw_control,
    parse_control_fault_header,
)
from mocks.ledger import AssetKind, AssetSeed
from mocks.registry import mock_spec
from mocks.runner import AppServer
from mocks.server import create_mock_app
from mocks.synthetic import Tier
from tests.mocks.helpers import AUTH, TOKEN, assert_problem, client_for, inquiry, subject

CONTROLLING = ("bank", "fund", "land", "business", "securities")
CASE = "(2026)苏0812执77号"
UNTIL = (datetime.date.today() + datetime.timedelta(days=180)).isoformat()


async def an_asset(client: httpx.AsyncClient, agency: str) -> AssetSeed:
    """An asset of the agency's richest example subject that nothing holds yet."""
    kinds = sorted(mock_spec(agency).subject_kinds)
    answer = await client.post(
        "/v1/inquiries", json=inquiry(subject(kinds[0], Tier.RICH)), headers=AUTH
    )
    records = answer.json()["results"][0]["records"]
    assets_for = mock_spec(agency).assets_for
    assert assets_for is not None
    return next(s for s in assets_for(records) if s.balance > 0 and not s.holds)


def first_control(agency: str, asset: AssetSeed, request_id: str = "ctl-1") -> dict[str, Any]:
    seize = asset.kind is AssetKind.PROPERTY
    body: dict[str, Any] = {
        "requestId": request_id,
        "action": "seize" if seize else "freeze",
        "caseNumber": CASE,
        "rulingNumber": "(2026)苏0812执77号之一",
        "noticeNumber": "(2026)苏0812执77号协字第1号",
        "assetId": asset.asset_id,
        "until": UNTIL,
    }
    if not seize:
        body["amount"] = "1"
    return body


def snapshot(app: Starlette) -> dict[str, Any]:
    result: dict[str, Any] = app.state.mock.ledger.snapshot()
    return result


@pytest.fixture
async def bank() -> AsyncIterator[tuple[Starlette, httpx.AsyncClient, AssetSeed]]:
    app = create_mock_app("bank", token=TOKEN)
    async with client_for(app) as client:
        yield app, client, await an_asset(client, "bank")


@pytest.mark.parametrize("agency", CONTROLLING)
async def test_an_asset_an_inquiry_returned_can_be_controlled(agency: str) -> None:
    app = create_mock_app(agency, token=TOKEN)
    contract = contract_document(agency)
    async with client_for(app) as client:
        asset = await an_asset(client, agency)
        posted = await client.post("/v1/controls", json=first_control(agency, asset), headers=AUTH)
        assert posted.status_code == 200
        assert posted.headers["X-Request-Id"] == "ctl-1"
        answer = posted.json()
        assert first_error(contract, "ControlAnswer", answer) is None
        assert answer["status"] == "applied", answer
        looked_up = await client.get("/v1/controls/ctl-1", headers=AUTH)
        assert looked_up.status_code == 200
        assert looked_up.json() == answer
    assert snapshot(app)["controls"]["ctl-1"]["applications"] == 1


async def test_a_repeat_replays_and_another_body_is_409(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    app, client, asset = bank
    control = first_control("bank", asset)
    first = await client.post("/v1/controls", json=control, headers=AUTH)
    again = await client.post("/v1/controls", json=control, headers=AUTH)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    conflict = await client.post("/v1/controls", json=control | {"amount": "2"}, headers=AUTH)
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == "application/problem+json"
    assert first_error(contract_document("bank"), "Problem", conflict.json()) is None
    entry = snapshot(app)["controls"]["ctl-1"]
    assert (entry["deliveries"], entry["applications"]) == (2, 1)


async def test_concurrent_duplicates_apply_once(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    app, client, asset = bank
    control = first_control("bank", asset)
    answers = await asyncio.gather(
        *(client.post("/v1/controls", json=control, headers=AUTH) for _ in range(20))
    )
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    assert sum("Idempotent-Replayed" not in a.headers for a in answers) == 1
    entry = snapshot(app)["controls"]["ctl-1"]
    assert (entry["deliveries"], entry["applications"]) == (20, 1)
    holds = snapshot(app)["assets"][asset.asset_id]["holds"]
    assert [h["requestId"] for h in holds] == ["ctl-1"]


@pytest.mark.parametrize(
    ("change", "status", "slug"),
    [
        ({"action": "seize"}, 400, "unsupported-action"),
        ({"rulingNumber": ""}, 400, "invalid-request"),
        ({"amount": "lots"}, 400, "invalid-request"),
        # what Python's Decimal reads and the contract's pattern does not
        ({"amount": "1e999"}, 400, "invalid-request"),
        ({"amount": 1}, 400, "invalid-request"),
        ({"amount": "-1"}, 400, "invalid-request"),
        ({"amount": "１"}, 400, "invalid-request"),
        ({"amount": "01"}, 400, "invalid-request"),
        ({"until": "2027-02-30"}, 400, "invalid-request"),
    ],
)
async def test_a_body_outside_the_contract_is_a_problem(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
    change: dict[str, Any],
    status: int,
    slug: str,
) -> None:
    app, client, asset = bank
    answer = await client.post(
        "/v1/controls", json=first_control("bank", asset) | change, headers=AUTH
    )
    assert answer.status_code == status
    assert answer.json()["type"].endswith(slug)
    assert snapshot(app)["controls"] == {}  # not remembered: the same id may come again


async def test_the_token_is_checked_and_an_unknown_request_is_404(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    _, client, asset = bank
    denied = await client.post("/v1/controls", json=first_control("bank", asset))
    assert denied.status_code == 401
    assert (await client.get("/v1/controls/ctl-1")).status_code == 401
    unknown = await client.get("/v1/controls/never-sent", headers=AUTH)
    assert unknown.status_code == 404
    assert first_error(contract_document("bank"), "Problem", unknown.json()) is None


async def test_an_agency_without_controls_serves_none() -> None:
    async with client_for(create_mock_app("tax", token=TOKEN)) as client:
        answer = await client.post("/v1/controls", json={}, headers=AUTH)
        assert answer.status_code == 404


async def test_the_harness_resets_the_ledger_and_sets_its_date(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    app, client, asset = bank
    await client.post("/v1/controls", json=first_control("bank", asset), headers=AUTH)
    ledger = await client.get("/_mock/ledger", headers=AUTH)
    assert list(ledger.json()["controls"]) == ["ctl-1"]
    moved = await client.put("/_mock/clock", json={"today": "2030-01-01"}, headers=AUTH)
    assert moved.json() == {"today": "2030-01-01"}
    (hold,) = (await client.get("/_mock/ledger", headers=AUTH)).json()["assets"][asset.asset_id][
        "holds"
    ]
    assert hold["state"] == "lapsed"
    await client.post("/_mock/reset", headers=AUTH)
    assert (await client.get("/_mock/ledger", headers=AUTH)).json()["controls"] == {}
    # the assets are learnt again from the next inquiry
    assert (await an_asset(client, "bank")).asset_id in app.state.mock.ledger.assets


# --- faults ------------------------------------------------------------------------------


def test_control_fault_rates_add_up_to_at_most_one() -> None:
    with pytest.raises(ValueError, match="add up"):
        ControlFaultConfig(lost_rate=0.6, late_rate=0.5)


def test_the_control_fault_draws_are_reproducible_and_follow_the_rates() -> None:
    config = ControlFaultConfig(
        timeout_rate=0.1, lost_rate=0.2, error_after_rate=0.1, late_rate=0.1, status_lag_rate=0.3
    )
    plans = [draw_control(config, random.Random(7)) for _ in range(2)]
    assert plans[0] == plans[1]
    rng = random.Random(11)
    drawn = [draw_control(config, rng) for _ in range(4000)]
    lost = sum(p.fault is ControlFault.LOST for p in drawn) / len(drawn)
    lagging = sum(p.lag_lookups > 0 for p in drawn) / len(drawn)
    assert 0.17 < lost < 0.23
    assert 0.27 < lagging < 0.33
    assert all(draw_control(ControlFaultConfig(), rng).fault is None for _ in range(50))


async def test_configured_faults_apply_to_controls(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    app, client, asset = bank
    put = await client.put("/_mock/control-faults", json={"error_after_rate": 1.0}, headers=AUTH)
    assert put.json()["error_after_rate"] == 1.0
    answer = await client.post("/v1/controls", json=first_control("bank", asset), headers=AUTH)
    assert answer.status_code == 500
    assert snapshot(app)["controls"]["ctl-1"]["applications"] == 1  # applied all the same
    assert (await client.get("/v1/controls/ctl-1", headers=AUTH)).json()["status"] == "applied"
    stats = (await client.get("/_mock/stats", headers=AUTH)).json()
    assert stats["controlFaults"] == {"error-after": 1}  # what the chaos run counts


async def test_a_duplicate_delivery_is_applied_once(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    app, client, asset = bank
    headers = AUTH | {"X-Mock-Fault": "duplicate"}
    answer = await client.post("/v1/controls", json=first_control("bank", asset), headers=headers)
    assert answer.json()["status"] == "applied"
    entry = snapshot(app)["controls"]["ctl-1"]
    assert (entry["deliveries"], entry["applications"]) == (2, 1)


async def test_a_lagging_status_lookup_answers_404_before_found(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    _, client, asset = bank
    headers = AUTH | {"X-Mock-Fault": "status-lag=2"}
    posted = await client.post("/v1/controls", json=first_control("bank", asset), headers=headers)
    assert posted.status_code == 200
    lookups = [(await client.get("/v1/controls/ctl-1", headers=AUTH)).status_code for _ in range(4)]
    stats = (await client.get("/_mock/stats", headers=AUTH)).json()
    assert stats["controlFaults"] == {"status-lag": 1}
    assert lookups == [404, 404, 200, 200]
    # the write side knows it all along: a resend is a replay, not a second freeze
    again = await client.post("/v1/controls", json=first_control("bank", asset), headers=AUTH)
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_a_bad_control_fault_header_is_a_problem(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    _, client, asset = bank
    headers = AUTH | {"X-Mock-Fault": "explode"}
    answer = await client.post("/v1/controls", json=first_control("bank", asset), headers=headers)
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("bad-fault-header")


@pytest.mark.parametrize(
    ("header", "zh", "en"),
    [
        ("late=-1", "late 应为非负的毫秒数", "late must be a non-negative number of milliseconds"),
        (
            "late=soon",
            "late 应为非负的毫秒数",
            "late must be a non-negative number of milliseconds",
        ),
        ("status-lag=99999", "0 到 1000 之间的整数", "a whole number of lookups from 0 to 1000"),
        ("status-lag=-1", "0 到 1000 之间的整数", "a whole number of lookups from 0 to 1000"),
        ("status-lag=two", "0 到 1000 之间的整数", "a whole number of lookups from 0 to 1000"),
    ],
    ids=["late-negative", "late-words", "lag-too-many", "lag-negative", "lag-words"],
)
async def test_a_control_fault_value_out_of_range_is_refused_saying_the_range(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed], header: str, zh: str, en: str
) -> None:
    app, client, asset = bank
    headers = AUTH | {"X-Mock-Fault": header}
    answer = await client.post("/v1/controls", json=first_control("bank", asset), headers=headers)
    problem = assert_problem(answer, 400, "bank")
    assert problem["type"].endswith("bad-fault-header")
    assert zh in problem["detail"]
    assert en in problem["detail"]
    assert "latency" not in problem["detail"]
    assert snapshot(app)["controls"] == {}


@pytest.mark.parametrize(("header", "lookups"), [("status-lag=1000", 1000), ("status-lag", 7)])
def test_a_status_lag_in_range_or_left_out_is_taken(header: str, lookups: int) -> None:
    plan = parse_control_fault_header(header, ControlFaultConfig(status_lag_lookups=7))
    assert plan.lag_lookups == lookups


@pytest.fixture
async def bank_server() -> AsyncIterator[tuple[Starlette, str, AssetSeed]]:
    app = create_mock_app("bank", token=TOKEN)
    async with AppServer(app) as server, httpx.AsyncClient(base_url=server.url) as client:
        yield app, server.url, await an_asset(client, "bank")


async def test_a_timeout_before_applying_never_applies(
    bank_server: tuple[Starlette, str, AssetSeed],
) -> None:
    app, url, asset = bank_server
    async with httpx.AsyncClient(base_url=url, timeout=0.3) as client:
        headers = AUTH | {"X-Mock-Fault": "timeout"}
        control = first_control("bank", asset)
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/v1/controls", json=control, headers=headers)
        assert (await client.get("/v1/controls/ctl-1", headers=AUTH)).status_code == 404
    assert snapshot(app)["controls"] == {}


async def test_a_lost_answer_was_applied(bank_server: tuple[Starlette, str, AssetSeed]) -> None:
    app, url, asset = bank_server
    async with httpx.AsyncClient(base_url=url) as client:
        headers = AUTH | {"X-Mock-Fault": "lost"}
        control = first_control("bank", asset)
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/v1/controls", json=control, headers=headers)
        looked_up = await client.get("/v1/controls/ctl-1", headers=AUTH)
    assert looked_up.json()["status"] == "applied"
    assert snapshot(app)["controls"]["ctl-1"]["applications"] == 1


async def test_a_late_control_applies_after_the_client_gave_up(
    bank_server: tuple[Starlette, str, AssetSeed],
) -> None:
    app, url, asset = bank_server
    async with httpx.AsyncClient(base_url=url, timeout=0.2) as client:
        headers = AUTH | {"X-Mock-Fault": "late=3000"}
        control = first_control("bank", asset)
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/v1/controls", json=control, headers=headers)
        # not applied yet: the agency says it never saw it
        assert (await client.get("/v1/controls/ctl-1", headers=AUTH)).status_code == 404
        for _ in range(400):  # then it applies, whoever is still waiting
            await asyncio.sleep(0.05)
            if app.state.mock.ledger.status("ctl-1") is not None:
                break
        assert (await client.get("/v1/controls/ctl-1", headers=AUTH)).json()["status"] == "applied"
    assert snapshot(app)["controls"]["ctl-1"]["applications"] == 1


async def test_a_status_lag_in_time_holds_whatever_the_lookups(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    app, client, asset = bank
    app.state.mock.control_faults = ControlFaultConfig(
        status_lag_rate=1.0, status_lag_lookups=0, status_lag_ms=600_000
    )
    posted = await client.post("/v1/controls", json=first_control("bank", asset), headers=AUTH)
    assert posted.json()["status"] == "applied"
    lookups = [(await client.get("/v1/controls/ctl-1", headers=AUTH)).status_code for _ in range(5)]
    assert lookups == [404] * 5


async def test_an_invalid_control_fault_config_is_refused(
    bank: tuple[Starlette, httpx.AsyncClient, AssetSeed],
) -> None:
    app, client, _ = bank
    refused = await client.put("/_mock/control-faults", json={"lost_rate": 2}, headers=AUTH)
    assert refused.status_code == 400
    unknown = await client.put("/_mock/control-faults", json={"explode_rate": 1}, headers=AUTH)
    assert unknown.status_code == 400
    assert app.state.mock.control_faults == ControlFaultConfig()

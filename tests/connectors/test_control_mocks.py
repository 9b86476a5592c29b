"""``post_control`` and ``get_control_status`` against the mock agencies: an inquiry's asset
controlled at each controlling agency, and each control fault mapped to its outcome over a real
socket with the gateway's transport (httpx-aiohttp), then settled the way the reconciler does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from httpx_aiohttp import AiohttpTransport
from starlette.applications import Starlette

from connectors.base import AgencyEndpoint
from connectors.control import get_control_status, post_control
from connectors.registry import AGENCIES
from connectors.registry import spec as agency_spec
from gateway.domain.controls import ControlAction, ControlRequest, ControlStatus
from gateway.domain.records import wire_adapter
from gateway.domain.subjects import SubjectKind
from mocks.faults import ControlFaultConfig
from mocks.runner import AppServer
from mocks.server import create_mock_app
from mocks.synthetic import Tier, example_subjects

TOKEN = "control-mock-token-3c9b1d"
CONTROLLING = [spec.name for spec in AGENCIES if spec.controls]
UNTIL = datetime.date.today() + datetime.timedelta(days=200)


async def an_asset_id(client: httpx.AsyncClient, agency: str) -> str:
    """The first asset the connector's spec finds in the mock's answer for its rich subject."""
    spec = agency_spec(agency)
    kind = SubjectKind.NATURAL if SubjectKind.NATURAL in spec.subject_kinds else SubjectKind.LEGAL
    subject = example_subjects()[kind.value][Tier.RICH]
    answer = await client.post(
        "/v1/inquiries",
        json={
            "requestId": "inq-1",
            "caseNumber": "(2026)苏0812执9号",
            "court": "苏0812",
            "subjects": [{"kind": kind.value, "id": subject}],
        },
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    records = wire_adapter(spec.records).validate_python(answer.json()["results"][0]["records"])
    assert spec.assets is not None
    free = [a for a in spec.assets(records) if not a.held_for and (a.value is None or a.value > 0)]
    return free[0].asset_id


def control(agency: str, asset_id: str, request_id: str = "ctl-m-1") -> ControlRequest:
    seize = "seize" in agency_spec(agency).controls
    return ControlRequest(
        request_id=request_id,
        action=ControlAction.SEIZE if seize else ControlAction.FREEZE,
        case_number="(2026)苏0812执9号",
        ruling_number="(2026)苏0812执9号之一",
        notice_number="(2026)苏0812执9号协字第1号",
        asset_id=asset_id,
        amount=None if seize else Decimal(1),
        until=UNTIL,
    )


def endpoint(url: str) -> AgencyEndpoint:
    return AgencyEndpoint(url, TOKEN)


@pytest.mark.parametrize("agency", CONTROLLING)
async def test_a_control_on_an_inquirys_asset_is_applied_once(agency: str) -> None:
    app = create_mock_app(agency, token=TOKEN)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        sent = control(agency, await an_asset_id(client, agency))
        first = await post_control(client, endpoint("http://mock"), agency, sent)
        assert first.status is ControlStatus.APPLIED, first.safe_message
        assert first.reference
        assert first.applied_amount == sent.amount  # 1 is available on a free asset
        assert first.queue_position is None
        again = await post_control(client, endpoint("http://mock"), agency, sent)
        assert (again.status, again.reference) == (ControlStatus.APPLIED, first.reference)
        status = await get_control_status(client, endpoint("http://mock"), agency, sent.request_id)
        assert status is not None
        assert (status.status, status.reference) == (ControlStatus.APPLIED, first.reference)
        assert await get_control_status(client, endpoint("http://mock"), agency, "never") is None
        other = dataclasses.replace(sent, ruling_number="(2026)苏0812执9号之二")
        conflict = await post_control(client, endpoint("http://mock"), agency, other)
        assert (conflict.status, conflict.http_status) == (ControlStatus.REJECTED, 409)
        unknown = dataclasses.replace(sent, request_id="ctl-m-2", asset_id="no-such-asset")
        refused = await post_control(client, endpoint("http://mock"), agency, unknown)
        assert refused.status is ControlStatus.REJECTED
        assert (refused.message_zh, refused.message_en) == (
            f"{agency} 拒绝执行：查无此财产",
            f"{agency} rejected it: no such asset",
        )
    entry = app.state.mock.ledger.snapshot()["controls"][sent.request_id]
    assert entry["applications"] == 1


@pytest.fixture
async def bank() -> AsyncIterator[tuple[Starlette, str, ControlRequest]]:
    app = create_mock_app("bank", token=TOKEN)
    async with AppServer(app) as server, httpx.AsyncClient(base_url=server.url) as client:
        yield app, server.url, control("bank", await an_asset_id(client, "bank"))


def gateway_client(read_timeout: float = 5.0) -> httpx.AsyncClient:
    """The gateway's transport: httpx over aiohttp."""
    return httpx.AsyncClient(
        transport=AiohttpTransport(), timeout=httpx.Timeout(5.0, read=read_timeout)
    )


def faults(app: Starlette, **rates: Any) -> None:
    app.state.mock.control_faults = ControlFaultConfig(**rates)


def applications(app: Starlette, request_id: str) -> int:
    count: int = app.state.mock.ledger.snapshot()["controls"][request_id]["applications"]
    return count


async def test_a_timeout_before_applying_is_unknown_and_the_agency_never_saw_it(
    bank: tuple[Starlette, str, ControlRequest],
) -> None:
    app, url, sent = bank
    faults(app, timeout_rate=1.0)
    async with gateway_client(read_timeout=0.3) as client:
        outcome = await post_control(client, endpoint(url), "bank", sent)
        assert outcome.status is ControlStatus.UNKNOWN
        assert "did not answer in time" in outcome.message_en
        assert await get_control_status(client, endpoint(url), "bank", sent.request_id) is None
        faults(app)  # the reconciler sends it again, under the same id
        retried = await post_control(client, endpoint(url), "bank", sent)
    assert retried.status is ControlStatus.APPLIED
    assert applications(app, sent.request_id) == 1


@pytest.mark.parametrize(
    ("rates", "http_status"),
    [({"lost_rate": 1.0}, None), ({"error_after_rate": 1.0}, 500)],
    ids=["lost", "error-after"],
)
async def test_an_answer_lost_after_applying_is_unknown_then_found(
    bank: tuple[Starlette, str, ControlRequest], rates: dict[str, float], http_status: int | None
) -> None:
    app, url, sent = bank
    faults(app, **rates)
    async with gateway_client() as client:
        outcome = await post_control(client, endpoint(url), "bank", sent)
        assert outcome.status is ControlStatus.UNKNOWN
        assert outcome.may_have_been_sent
        assert outcome.http_status == http_status
        found = await get_control_status(client, endpoint(url), "bank", sent.request_id)
    assert found is not None
    assert found.status is ControlStatus.APPLIED
    assert applications(app, sent.request_id) == 1


async def test_a_duplicate_delivery_is_applied_once(
    bank: tuple[Starlette, str, ControlRequest],
) -> None:
    app, url, sent = bank
    faults(app, duplicate_rate=1.0)
    async with gateway_client() as client:
        outcome = await post_control(client, endpoint(url), "bank", sent)
    assert outcome.status is ControlStatus.APPLIED
    entry = app.state.mock.ledger.snapshot()["controls"][sent.request_id]
    assert (entry["deliveries"], entry["applications"]) == (2, 1)


async def test_a_late_original_after_a_resend_is_a_replay(
    bank: tuple[Starlette, str, ControlRequest],
) -> None:
    app, url, sent = bank
    faults(app, late_rate=1.0, late_ms=3000)
    async with gateway_client(read_timeout=0.3) as client:
        outcome = await post_control(client, endpoint(url), "bank", sent)
        assert outcome.status is ControlStatus.UNKNOWN
        assert await get_control_status(client, endpoint(url), "bank", sent.request_id) is None
        faults(app)
        resent = await post_control(client, endpoint(url), "bank", sent)
        assert resent.status is ControlStatus.APPLIED
    ledger = app.state.mock.ledger
    for _ in range(400):  # the original arrives at last
        if ledger.snapshot()["controls"][sent.request_id]["deliveries"] == 2:
            break
        await asyncio.sleep(0.05)
    entry = ledger.snapshot()["controls"][sent.request_id]
    assert (entry["deliveries"], entry["applications"]) == (2, 1)


async def test_a_lagging_status_is_not_found_for_a_while_then_found(
    bank: tuple[Starlette, str, ControlRequest],
) -> None:
    app, url, sent = bank
    faults(app, status_lag_rate=1.0, status_lag_lookups=3)
    async with gateway_client() as client:
        outcome = await post_control(client, endpoint(url), "bank", sent)
        assert outcome.status is ControlStatus.APPLIED
        seen = [
            await get_control_status(client, endpoint(url), "bank", sent.request_id)
            for _ in range(4)
        ]
    assert seen[:3] == [None, None, None]
    assert seen[3] is not None
    assert seen[3].status is ControlStatus.APPLIED


async def test_a_partial_freeze_and_a_queued_seizure_arrive_in_the_outcome() -> None:
    for agency in ("bank", "land"):
        app = create_mock_app(agency, token=TOKEN)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            sent = control(agency, await an_asset_id(client, agency))
            if agency == "bank":
                sent = dataclasses.replace(sent, amount=Decimal("999999999999.99"))
            first = await post_control(client, endpoint("http://mock"), agency, sent)
            second = dataclasses.replace(
                sent, request_id="ctl-m-2", case_number="(2026)苏0812执10号"
            )
            later = await post_control(client, endpoint("http://mock"), agency, second)
        assert first.status is ControlStatus.APPLIED
        if agency == "bank":  # all there was: the second freeze finds nothing left
            assert first.applied_amount is not None
            assert Decimal(0) < first.applied_amount < sent.amount  # type: ignore[operator]
            assert later.status is ControlStatus.REJECTED
            assert later.safe_message == (
                "bank 拒绝执行：无可冻结的余额 / bank rejected it: nothing is available to freeze"
            )
        else:
            assert (first.queue_position, later.queue_position) == (None, 1)
            assert later.status is ControlStatus.APPLIED

"""The conformance kit: passes on every mock over a real socket, fails on broken endpoints."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mocks.contract import check_endpoint
from mocks.faults import ControlFaultConfig, FaultConfig
from mocks.registry import MOCK_AGENCIES
from mocks.runner import AppServer, MockServers
from mocks.server import create_mock_app
from tests.mocks.helpers import TOKEN, client_for, failures

CONTROL_CHECKS = [
    "control-applied",
    "control-repeat",
    "control-conflict",
    "control-status",
    "control-status-unknown",
    "control-unknown-asset",
    "control-auth",
    "control-release",
]
EXPECTED_CHECKS = [
    "openapi",
    "found-natural",  # the found-<kind> checks: only the kinds the agency keeps records on
    "found-legal",
    "x-request-id",
    "not-found",
    "batch-order",
    "full-batch",
    "auth-missing",
    "auth-wrong",
    "bad-request",
    "too-many-subjects",
    *CONTROL_CHECKS,  # only for an agency that applies controls
    "no-secret-in-errors",
]


def expected_checks(agency: str) -> list[str]:
    """The kit's checks for ``agency``: a found-<kind> check for each kind it serves, the
    control checks where it applies controls."""
    served = MOCK_AGENCIES[agency].subject_kinds
    controls = bool(MOCK_AGENCIES[agency].controls)
    return [
        name
        for name in EXPECTED_CHECKS
        if (not name.startswith("found-") or name.removeprefix("found-") in served)
        and (controls or name not in CONTROL_CHECKS)
    ]


async def test_every_mock_passes_the_kit_over_a_real_socket() -> None:
    async with MockServers(token=TOKEN) as mocks:
        assert set(mocks.urls) == set(MOCK_AGENCIES)
        for agency, url in mocks.urls.items():
            results = await check_endpoint(url, TOKEN, agency)
            assert [r.name for r in results] == expected_checks(agency)
            assert any(r.name.startswith("found-") for r in results), agency
            assert failures(results) == {}, agency
            assert all(TOKEN not in r.detail for r in results)


async def test_the_kit_takes_a_caller_client_and_leaves_it_open() -> None:
    async with client_for(create_mock_app("land", token=TOKEN)) as client:
        results = await check_endpoint("http://mock/", TOKEN, "land", client=client)
        assert failures(results) == {}
        assert not client.is_closed


async def test_a_mock_answering_malformed_bodies_fails_the_kit() -> None:
    app = create_mock_app("bank", token=TOKEN, faults=FaultConfig(malformed_rate=1.0), fault_seed=1)
    async with AppServer(app) as server:
        failed = failures(await check_endpoint(server.url, TOKEN, "bank"))
    assert {"found-natural", "found-legal", "not-found", "batch-order"} <= set(failed)
    # the control checks need the inquiry's answer: the first fails on it, the rest follow
    assert failed["control-repeat"] == "no control was applied (see control-applied)"
    assert all(
        "contract" in detail
        for name, detail in failed.items()
        if name == "control-applied" or name not in CONTROL_CHECKS
    )


async def test_a_wrong_token_fails_without_showing_it() -> None:
    async with AppServer(create_mock_app("police", token=TOKEN)) as server:
        results = await check_endpoint(server.url, "not-the-right-token-123", "police")
    failed = failures(results)
    assert failed["found-natural"] == "answered HTTP 401"
    assert "openapi" not in failed
    assert all("not-the-right-token-123" not in r.detail for r in results)


async def test_an_endpoint_echoing_credentials_fails_the_secret_check() -> None:
    """A homemade endpoint whose 401 quotes the Authorization header back."""

    async def leaky(request: Request) -> JSONResponse:
        problem = {
            "title": "Unauthorized",
            "status": 401,
            "detail": f"bad credentials: {request.headers.get('authorization')}",
        }
        return JSONResponse(
            problem,
            status_code=401,
            media_type="application/problem+json",
            headers={"WWW-Authenticate": "Bearer"},
        )

    app = Starlette(routes=[Route("/v1/inquiries", leaky, methods=["POST"])])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://leaky"
    ) as client:
        results = await check_endpoint("http://leaky", TOKEN, "police", client=client)
    failed = failures(results)
    assert "auth-wrong" not in failed  # a proper 401 problem...
    assert failed["no-secret-in-errors"] == "an HTTP 401 echoes a token"  # ...that leaks
    assert failed["openapi"] == "GET /openapi.json answered 404"
    assert all(TOKEN not in r.detail for r in results)


async def test_an_unreachable_endpoint_fails_every_check() -> None:
    server = AppServer(create_mock_app("land", token=TOKEN))
    await server.start()
    url = server.url
    await server.stop()
    results = await check_endpoint(url, TOKEN, "land")
    assert [r.name for r in results] == EXPECTED_CHECKS
    assert not any(r.passed for r in results)
    assert failures(results)["openapi"].startswith("transport: ConnectError")


async def test_the_control_checks_leave_nothing_held() -> None:
    app = create_mock_app("land", token=TOKEN)
    async with AppServer(app) as server:
        assert failures(await check_endpoint(server.url, TOKEN, "land")) == {}
    controls = app.state.mock.ledger.snapshot()["controls"].values()
    actions = sorted((c["action"], c["answer"]["status"]) for c in controls)
    assert actions == [("release", "applied"), ("seize", "applied"), ("seize", "rejected")]
    assert all(c["applications"] <= 1 for c in controls)


async def test_an_agency_that_fails_after_applying_fails_the_control_checks() -> None:
    faults = ControlFaultConfig(error_after_rate=1.0)
    app = create_mock_app("fund", token=TOKEN, control_faults=faults)
    async with AppServer(app) as server:
        failed = failures(await check_endpoint(server.url, TOKEN, "fund"))
    assert failed["control-applied"] == "answered HTTP 500"
    assert failed["control-repeat"] == "no control was applied (see control-applied)"
    assert "control-status-unknown" not in failed


async def test_a_status_lookup_that_stays_404_fails_the_kit() -> None:
    faults = ControlFaultConfig(status_lag_rate=1.0, status_lag_lookups=50)
    app = create_mock_app("bank", token=TOKEN, control_faults=faults)
    async with AppServer(app) as server:
        failed = failures(await check_endpoint(server.url, TOKEN, "bank"))
    assert set(failed) == {"control-status"}
    assert failed["control-status"] == "an applied control was 404 on 5 lookups"

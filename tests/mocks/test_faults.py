"""Faults: the configuration, the header, the draws, and what each fault does in process."""

from __future__ import annotations

import json
import random
import statistics
import time

import pydantic
import pytest

from mocks.faults import (
    FaultConfig,
    FaultHeaderError,
    FaultKind,
    FaultPlan,
    MalformedKind,
    draw,
    parse_fault_header,
)
from mocks.server import create_mock_app
from tests.mocks.helpers import AUTH, TOKEN, assert_problem, client_for, contract_errors, inquiry


@pytest.mark.parametrize(
    "config",
    [
        {"error_rate": 1.01},
        {"hang_rate": -0.1},
        {"latency_ms": -1},
        {"tail_ms": 600_001},
        {"error_rate": 0.5, "reset_rate": 0.3, "malformed_rate": 0.3},
        {"errors": 0.1},
    ],
)
def test_fault_config_rejects_nonsense(config: dict[str, float]) -> None:
    with pytest.raises(pydantic.ValidationError):
        FaultConfig.model_validate(config)


def test_fault_config_is_json_and_immutable() -> None:
    config = FaultConfig(latency_ms=10, error_rate=0.25, malformed_rate=0.75)
    assert FaultConfig.model_validate_json(config.model_dump_json()) == config
    with pytest.raises(pydantic.ValidationError):
        config.error_rate = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("header", "plan"),
    [
        ("", FaultPlan()),
        ("none", FaultPlan()),
        ("latency=200", FaultPlan(0.2)),
        ("error", FaultPlan(fault=FaultKind.ERROR)),
        ("Unavailable", FaultPlan(fault=FaultKind.UNAVAILABLE)),
        ("rate-limit", FaultPlan(fault=FaultKind.RATE_LIMIT)),
        ("rate_limit", FaultPlan(fault=FaultKind.RATE_LIMIT)),
        ("hang", FaultPlan(fault=FaultKind.HANG)),
        ("reset", FaultPlan(fault=FaultKind.RESET)),
        ("malformed", FaultPlan(fault=FaultKind.MALFORMED, malformed=MalformedKind.NOT_JSON)),
        ("malformed=shape", FaultPlan(fault=FaultKind.MALFORMED, malformed=MalformedKind.SHAPE)),
        (
            " latency = 50 ; malformed=truncated ;",
            FaultPlan(0.05, FaultKind.MALFORMED, MalformedKind.TRUNCATED),
        ),
    ],
)
def test_fault_header_parses(header: str, plan: FaultPlan) -> None:
    assert parse_fault_header(header) == plan


@pytest.mark.parametrize(
    "header",
    [
        "explode",
        "error;hang",
        "latency=abc",
        "latency=-5",
        "latency=nan",
        "latency=700000",
        "malformed=xml",
        "error=1",
        "latency=1;" * 30,
    ],
)
def test_fault_header_errors_are_bilingual(header: str) -> None:
    with pytest.raises(FaultHeaderError) as caught:
        parse_fault_header(header)
    assert caught.value.message_zh
    assert caught.value.message_en


def test_draws_are_reproducible_and_follow_the_rates() -> None:
    config = FaultConfig(error_rate=0.3, hang_rate=0.1, malformed_rate=0.2)
    first = [draw(config, random.Random(7)) for _ in range(3)]
    rng_a, rng_b = random.Random(42), random.Random(42)
    plans_a = [draw(config, rng_a) for _ in range(10_000)]
    assert plans_a == [draw(config, rng_b) for _ in range(10_000)]
    assert first[0] == first[1] == first[2]
    share = {kind: sum(p.fault is kind for p in plans_a) / 10_000 for kind in FaultKind}
    assert share[FaultKind.ERROR] == pytest.approx(0.3, abs=0.03)
    assert share[FaultKind.HANG] == pytest.approx(0.1, abs=0.02)
    assert share[FaultKind.MALFORMED] == pytest.approx(0.2, abs=0.03)
    assert share[FaultKind.RESET] == share[FaultKind.UNAVAILABLE] == 0
    kinds = {p.malformed for p in plans_a if p.fault is FaultKind.MALFORMED}
    assert kinds == set(MalformedKind)
    assert all(p.malformed is None for p in plans_a if p.fault is not FaultKind.MALFORMED)


def test_latency_is_fixed_plus_a_long_tail() -> None:
    rng = random.Random(3)
    assert draw(FaultConfig(latency_ms=120), rng) == FaultPlan(0.12)
    delays = sorted(
        draw(FaultConfig(latency_ms=10, tail_ms=100), rng).delay_s for _ in range(20_000)
    )
    extra_ms = [d * 1000 - 10 for d in delays]
    assert min(extra_ms) > 0
    assert statistics.median(extra_ms) == pytest.approx(100, rel=0.1)
    p99 = extra_ms[int(len(extra_ms) * 0.99)]
    assert 700 < p99 < 1400
    assert max(extra_ms) <= 100 * 100


@pytest.mark.parametrize(
    ("fault", "status"), [("error", 500), ("unavailable", 503), ("rate-limit", 429)]
)
async def test_error_faults_by_header_and_by_config(fault: str, status: int) -> None:
    field = {"error": "error_rate", "unavailable": "unavailable_rate"}.get(fault, "rate_limit_rate")
    by_header = create_mock_app("bank", token=TOKEN)
    by_config = create_mock_app("bank", token=TOKEN, faults=FaultConfig(**{field: 1.0}))
    for app, headers in ((by_header, {**AUTH, "X-Mock-Fault": fault}), (by_config, AUTH)):
        async with client_for(app) as client:
            response = await client.post("/v1/inquiries", json=inquiry(), headers=headers)
        assert_problem(response, status, "bank")
        assert response.headers["x-request-id"] == "req-0001"
        assert response.headers.get("retry-after") == ("1" if status == 429 else None)
        assert app.state.mock.stats.inquiries == 1


async def _malformed(kind: str) -> tuple[bytes, bytes]:
    """The real answer and the malformed one, for the same request."""
    app = create_mock_app("bank", token=TOKEN)
    async with client_for(app) as client:
        good = await client.post("/v1/inquiries", json=inquiry(), headers=AUTH)
        headers = {**AUTH, "X-Mock-Fault": f"malformed={kind}"}
        bad = await client.post("/v1/inquiries", json=inquiry(), headers=headers)
    assert good.status_code == bad.status_code == 200
    assert bad.headers["content-type"] == "application/json"
    return good.content, bad.content


async def test_malformed_json_is_not_json() -> None:
    _, bad = await _malformed("json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad)


async def test_malformed_shape_is_json_of_another_shape() -> None:
    _, bad = await _malformed("shape")
    assert isinstance(json.loads(bad), dict)
    assert contract_errors("bank", "InquiryResponse", json.loads(bad))


async def test_malformed_truncated_is_the_answer_cut_short() -> None:
    good, bad = await _malformed("truncated")
    assert contract_errors("bank", "InquiryResponse", json.loads(good)) == []
    assert good.startswith(bad)
    assert 0 < len(bad) < len(good)
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad)


async def test_malformed_by_config_varies_its_kind() -> None:
    app = create_mock_app("bank", token=TOKEN, faults=FaultConfig(malformed_rate=1), fault_seed=5)
    seen = set()
    async with client_for(app) as client:
        for _ in range(30):
            response = await client.post("/v1/inquiries", json=inquiry(), headers=AUTH)
            assert response.status_code == 200
            try:
                document = json.loads(response.content)
            except json.JSONDecodeError:
                seen.add("truncated" if response.content.startswith(b"{") else "json")
            else:  # JSON, but not the contract's answer
                assert contract_errors("bank", "InquiryResponse", document)
                seen.add("shape" if isinstance(document, dict) else "other")
    assert seen == {"json", "shape", "truncated"}


async def test_latency_by_header_and_by_config_delays_the_answer() -> None:
    for headers, faults in (
        ({**AUTH, "X-Mock-Fault": "latency=200"}, None),
        (AUTH, FaultConfig(latency_ms=200)),
    ):
        app = create_mock_app("land", token=TOKEN, faults=faults)
        async with client_for(app) as client:
            started = time.monotonic()
            response = await client.post("/v1/inquiries", json=inquiry(), headers=headers)
            assert time.monotonic() - started >= 0.19
        assert response.status_code == 200


async def test_invalid_fault_header_is_a_400_problem_not_a_crash() -> None:
    app = create_mock_app("land", token=TOKEN)
    async with client_for(app) as client:
        for header in ("explode", "latency=x", "malformed=xml", "error;reset"):
            headers = {**AUTH, "X-Mock-Fault": header}
            response = await client.post("/v1/inquiries", json=inquiry(), headers=headers)
            assert_problem(response, 400, "land")
            assert TOKEN not in response.text


async def test_seeded_mocks_fault_alike_and_the_header_overrides() -> None:
    config = FaultConfig(error_rate=0.25, unavailable_rate=0.25, rate_limit_rate=0.25)

    async def statuses(seed: int, interleave: bool) -> list[int]:
        app = create_mock_app("police", token=TOKEN, faults=config, fault_seed=seed)
        found = []
        async with client_for(app) as client:
            for _ in range(40):
                response = await client.post("/v1/inquiries", json=inquiry(), headers=AUTH)
                found.append(response.status_code)
                if interleave:  # forced requests do not consume the mock's random stream
                    forced = {**AUTH, "X-Mock-Fault": "none"}
                    response = await client.post("/v1/inquiries", json=inquiry(), headers=forced)
                    assert response.status_code == 200
        return found

    first = await statuses(11, interleave=False)
    assert first == await statuses(11, interleave=True)
    assert first != await statuses(12, interleave=False)
    assert set(first) == {200, 429, 500, 503}


async def test_reset_restarts_the_fault_draws() -> None:
    app = create_mock_app("police", token=TOKEN, faults=FaultConfig(error_rate=0.5), fault_seed=9)
    async with client_for(app) as client:
        runs = []
        for _ in range(2):
            codes = [
                (await client.post("/v1/inquiries", json=inquiry(), headers=AUTH)).status_code
                for _ in range(20)
            ]
            runs.append(codes)
            await client.post("/_mock/reset", headers=AUTH)
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 500}

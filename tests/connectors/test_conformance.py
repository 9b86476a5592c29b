"""One conformance suite for every connector in the registry, run against its mock over HTTP.

found, not found, batch, 401, 429, 5xx, timeout, reset, malformed body, and no secret in any
error text. A new connector is covered by adding it to ``connectors.registry`` and its mock to
``mocks.registry``. Every test runs twice, over real sockets: the reads on the gateway's own
HTTP/1.1 connections, as it sends them (``gateway.app.agency_reads``), and through an httpx
client, as a connector given only that reads. (Reads straight on an aiohttp session, the
gateway's way until December 2026, are still one of ``connectors.client``'s ways and tested with
the others in ``test_client.py``.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

import httpx
import pytest
from httpx_aiohttp import AiohttpTransport

from connectors.base import AgencyEndpoint, Connector, Inquiry
from connectors.client import HttpxReads, ReadClient
from connectors.errors import (
    AgencyAuthenticationError,
    AgencyRateLimitedError,
    ConnectorError,
    MalformedResponseError,
    SourceUnavailableError,
)
from connectors.http import HttpConnector
from connectors.registry import AGENCIES, UnknownAgencyError
from connectors.resilience import CircuitBreaker
from connectors.wire import WireReads
from gateway.app import agency_http, agency_reads
from gateway.domain.cases import parse_case_number
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import Subject, SubjectKind
from gateway.services.cache import RecordCache
from gateway.services.fanout import FanOut, Source, SourcePolicy
from mocks.faults import FaultConfig
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects

TOKEN = "conformance-secret-7d1e"
CASE = parse_case_number("(2026)苏0802执123号")
EXAMPLES = example_subjects()


@dataclasses.dataclass
class Harness:
    agency: str
    connector: Connector
    mocks: MockServers

    @property
    def mock(self) -> Any:
        return self.mocks.apps[self.agency].state.mock

    def faults(self, **rates: float) -> None:
        self.mock.faults = FaultConfig(**rates)


NAMES = sorted(AGENCIES.names())


@pytest.fixture(params=["wire", "httpx"])
def way(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=NAMES)
async def harness(request: pytest.FixtureRequest, way: str) -> AsyncIterator[Harness]:
    agency: str = request.param
    async with MockServers([agency], token=TOKEN, fault_seed=7) as mocks:
        endpoint = AgencyEndpoint(mocks.urls[agency], TOKEN)
        wire: WireReads | None = None
        if way == "wire":
            client, _ = agency_http()
            wire = agency_reads()
            reads: ReadClient = wire
        else:
            client = httpx.AsyncClient(transport=AiohttpTransport(), timeout=5)
            reads = HttpxReads(client)
        try:
            connector = HttpConnector(AGENCIES.spec(agency), endpoint, client, reads)
            assert connector.reads is reads
            yield Harness(agency, connector, mocks)
        finally:
            await client.aclose()
            if wire is not None:
                await wire.close()


def subject(tier: Tier, kind: Literal["natural", "legal"] = "natural") -> Subject:
    kinds = {"natural": SubjectKind.NATURAL, "legal": SubjectKind.LEGAL}
    return Subject(kinds[kind], EXAMPLES[kind][tier])


def served(connector: Any, tier: Tier, *prefer: Literal["natural", "legal"]) -> Subject:
    """The example subject of ``tier`` of the first kind in ``prefer`` the connector serves."""
    return next(s for kind in prefer if connector.applies_to(s := subject(tier, kind)))


def inquiry(*subjects: Subject) -> Inquiry:
    return Inquiry(uuid.uuid4().hex, CASE, "苏0802", subjects)


def assert_no_secret(exc: BaseException) -> None:
    texts = [str(exc), repr(exc)]
    if isinstance(exc, ConnectorError):
        texts += [exc.safe_message, exc.message_zh, exc.message_en]
    assert all(TOKEN not in text for text in texts)


async def test_found_subject_has_records(harness: Harness):
    rich = served(harness.connector, Tier.RICH, "natural", "legal")
    answers = await harness.connector.query(inquiry(rich))
    records = answers[rich.key]
    assert records is not None
    assert records.count() > 0


async def test_unknown_subject_is_not_found(harness: Harness):
    unknown = subject(Tier.UNKNOWN)
    answers = await harness.connector.query(inquiry(unknown))
    assert answers == {unknown.key: None}


async def test_known_subject_without_assets_is_found_and_empty(harness: Harness):
    empty = served(harness.connector, Tier.EMPTY, "legal", "natural")
    records = (await harness.connector.query(inquiry(empty)))[empty.key]
    assert records is not None
    # found, and nothing worth controlling (a household or a marriage is a record, not an asset)
    plan = AGENCIES.summary_plan()
    summary = plan.summarize([SourceResult(harness.agency, SourceStatus.OK, records=records)])
    assert [(c.asset_class, c.count) for c in summary.classes if c.count] == []
    if empty.kind is SubjectKind.LEGAL:
        assert records.count() == 0


async def test_a_batch_is_one_call_with_one_answer_per_subject(harness: Harness):
    batch = [subject(t, k) for t in Tier for k in ("natural", "legal")]
    batch = [s for s in batch if harness.connector.applies_to(s)]
    answers = await harness.connector.query(inquiry(*batch))
    assert set(answers) == {s.key for s in batch}
    assert harness.mock.stats.inquiries == 1
    assert harness.mock.stats.subjects == len(batch)


async def test_same_subject_gives_the_same_records_every_time(harness: Harness):
    rich = subject(Tier.RICH)
    first = await harness.connector.query(inquiry(rich))
    second = await harness.connector.query(inquiry(rich))
    assert first == second


async def test_wrong_token_is_an_authentication_error_without_the_token(harness: Harness):
    harness.mock.token = "another-token"
    with pytest.raises(AgencyAuthenticationError) as caught:
        await harness.connector.query(inquiry(subject(Tier.RICH)))
    assert_no_secret(caught.value)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"rate_limit_rate": 1.0}, AgencyRateLimitedError),
        ({"error_rate": 1.0}, SourceUnavailableError),
        ({"unavailable_rate": 1.0}, SourceUnavailableError),
        ({"reset_rate": 1.0}, SourceUnavailableError),
        ({"malformed_rate": 1.0}, MalformedResponseError),
    ],
    ids=["429", "500", "503", "reset", "malformed"],
)
async def test_faults_map_to_the_error_tree(harness: Harness, fault, error):
    harness.faults(**fault)
    for _ in range(3):  # malformed varies between not-JSON, wrong shape and truncated
        with pytest.raises(error) as caught:
            await harness.connector.query(inquiry(subject(Tier.RICH)))
        assert_no_secret(caught.value)
        if isinstance(caught.value, AgencyRateLimitedError):
            assert caught.value.retry_after == 1.0


async def test_a_hanging_agency_is_a_timeout_through_the_fanout(harness: Harness):
    harness.faults(hang_rate=1.0)
    policy = SourcePolicy(attempt_timeout_s=0.2, max_attempts=2, backoff_base_s=0.001)
    source = Source(harness.connector, policy, CircuitBreaker(5, 30))
    fanout = FanOut({harness.agency: source}, RecordCache.from_url("memory://"))
    (profile,) = await asyncio.wait_for(
        fanout.inquire(
            [served(harness.connector, Tier.RICH, "natural", "legal")],
            CASE,
            court="苏0802",
            agencies=[harness.agency],
            deadline_s=3,
        ),
        timeout=10,
    )
    (result,) = profile.results
    assert result.status is SourceStatus.TIMEOUT
    assert result.attempts == 2
    assert TOKEN not in (result.message or "")


async def test_a_refused_connection_is_unavailable(harness: Harness):
    await harness.mocks.stop(harness.agency)
    with pytest.raises(SourceUnavailableError) as caught:
        await harness.connector.query(inquiry(subject(Tier.RICH)))
    assert_no_secret(caught.value)


def test_registry_fails_loudly_on_an_unknown_agency():
    assert AGENCIES.spec("POLICE") is AGENCIES.spec("police")
    with pytest.raises(UnknownAgencyError, match="known"):
        AGENCIES.spec("weather")

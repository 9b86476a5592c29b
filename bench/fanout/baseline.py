"""The baseline of figure (b): strawberry executing the same query over records held in memory.

The records of all ten agencies are fetched once, in process, through the gateway's own
connectors and fan-out from the same mock data (each mock app behind ``httpx.ASGITransport``),
and converted once with ``DebtorProfile.from_domain`` (the summary included). A schema whose
``debtor`` resolver returns that pre-built profile then executes ``PROFILE_QUERY`` with the same
variables: what is timed is strawberry's parsing, validation, execution and serialisation of the
full profile, nothing else (no token, no case lookup, no agency call, no audit entry).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import strawberry
from pydantic import SecretStr
from strawberry import Info

from gateway.api import build_schema
from gateway.app import build_sources, inquiry_limits
from gateway.domain.subjects import SubjectKind
from gateway.runtime import tune_gc
from gateway.schema.common import AgencyEnum, SubjectInput
from gateway.schema.debtor import DebtorProfile
from gateway.schema.plain_fields import read_plain_fields_directly
from gateway.services.cache import RecordCache
from gateway.services.fanout import FanOut, SubjectProfile
from gateway.services.inquiry import InquiryOptions, InquiryService
from gateway.settings import AgencySettings, Settings
from mocks.registry import MOCK_AGENCIES
from mocks.server import create_mock_app


@dataclass(frozen=True, slots=True)
class BaselineContext:
    profile: DebtorProfile
    profiles: tuple[DebtorProfile, ...] = ()  # what ``debtors`` answers


@strawberry.type
class BaselineQuery:
    @strawberry.field
    async def debtor(
        self,
        info: Info[BaselineContext, None],
        subject: SubjectInput,
        case_number: str,
        agencies: list[AgencyEnum] | None = None,
        deadline_ms: int | None = None,
        fresh: bool = False,
    ) -> DebtorProfile:
        return info.context.profile

    @strawberry.field
    async def debtors(
        self,
        info: Info[BaselineContext, None],
        subjects: list[SubjectInput],
        case_number: str,
        agencies: list[AgencyEnum] | None = None,
        deadline_ms: int | None = None,
        fresh: bool = False,
    ) -> list[DebtorProfile]:
        return list(info.context.profiles)


def baseline_schema(
    *, gateway_extensions: bool = False, plain_fields: bool = False
) -> strawberry.Schema:
    """The gateway's ``DebtorProfile`` types under a root that answers from memory.

    Plain strawberry by default: "strawberry executing the same query" as it comes. With
    ``gateway_extensions``, the extensions of the gateway's own schema too (its parser and
    validation caches among them) and its execution context class (an execution freed by
    reference counting, ``gateway.schema.execution``); with ``plain_fields``, its plain
    attribute fields read with one ``getattr`` as the gateway's are, and those of a scalar or
    enum type completed in one step by that class as the gateway's are
    (``gateway.schema.plain_fields``). Both together: the same treatment as the gateway's
    schema, the honest baseline.
    """
    if gateway_extensions:
        gateway = build_schema()
        schema = strawberry.Schema(
            query=BaselineQuery,
            extensions=list(gateway.extensions),
            execution_context_class=gateway.execution_context_class,
        )
    else:
        schema = strawberry.Schema(query=BaselineQuery)
    if plain_fields:
        read_plain_fields_directly(schema)
    return schema


def tune_gc_like_the_gateway() -> None:
    """The garbage collector as ``chakong serve`` sets it (``gateway.runtime``, the settings'
    defaults), in this process: a baseline run with Python's defaults would pay for collections
    the gateway does not, and look slower than it is."""
    defaults = Settings.model_fields
    tune_gc(
        freeze=bool(defaults["gc_freeze"].default),
        young_threshold=int(defaults["gc_young_threshold"].default),
    )


async def build_profile(subject: dict[str, str], case_number: str) -> DebtorProfile:
    """Fetch ``subject``'s records from in-process mocks through the gateway's fan-out, once."""
    profile, options = await fetch_profile(subject, case_number)
    return DebtorProfile.from_domain(profile, options)


async def fetch_profile(
    subject: dict[str, str], case_number: str
) -> tuple[SubjectProfile, InquiryOptions]:
    """What the gateway's fan-out gets for ``subject`` from in-process mocks, once."""
    (profile,), options = await fetch_profiles([subject], case_number)
    missing = set(MOCK_AGENCIES) - {r.agency for r in profile.results}
    if missing:
        raise RuntimeError(f"the baseline's profile lacks {sorted(missing)}")
    return profile, options


async def fetch_profiles(
    subjects: list[dict[str, str]], case_number: str
) -> tuple[list[SubjectProfile], InquiryOptions]:
    """What the gateway's fan-out gets for ``subjects`` from in-process mocks, once."""
    token = "bench-in-process"  # noqa: S105 - in-process mocks only
    mounts: dict[str, httpx.AsyncBaseTransport] = {}
    agencies: dict[str, AgencySettings] = {}
    for agency in MOCK_AGENCIES:
        host = f"{agency}.mock"
        mounts[f"all://{host}"] = httpx.ASGITransport(app=create_mock_app(agency, token=token))
        agencies[agency] = AgencySettings(url=f"http://{host}", token=SecretStr(token))
    settings = Settings(
        agencies=agencies,
        database_url="sqlite+aiosqlite:///:memory:",
        max_batch_subjects=max(len(subjects), 1),
        default_deadline_ms=120_000,
        max_deadline_ms=120_000,
    )
    async with httpx.AsyncClient(mounts=mounts, timeout=120) as http:
        sources, connectors = build_sources(settings, http)
        cache = RecordCache.from_url("memory://")
        fanout = FanOut(sources, cache)
        service = InquiryService(fanout, inquiry_limits(settings))
        try:
            options = service.options(case_number, None, None, True)
            parsed = service.subjects(
                [(SubjectKind[s["kind"]], s["id"], s.get("name")) for s in subjects]
            )
            profiles = await service.inquire(parsed, options)
        finally:
            await fanout.aclose()
            for connector in connectors:
                await connector.aclose()
            await cache.aclose()
    return list(profiles), options


@dataclass(frozen=True, slots=True)
class BaselineRun:
    iterations: int
    cpu_s: float  # time.process_time() over the iterations
    wall_s: float
    data: dict[str, Any]  # the last execution's data


async def run_baseline(
    schema: strawberry.Schema,
    profile: DebtorProfile,
    query: str,
    variables: dict[str, Any],
    iterations: int,
    profiles: tuple[DebtorProfile, ...] = (),
) -> BaselineRun:
    context = BaselineContext(profile, profiles)
    data: dict[str, Any] | None = None
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(iterations):
        result = await schema.execute(query, variable_values=variables, context_value=context)
        if result.errors:
            raise RuntimeError(f"the baseline query failed: {result.errors}")
        data = result.data
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    if data is None:
        raise RuntimeError("the baseline query returned no data")
    return BaselineRun(iterations, cpu, wall, data)

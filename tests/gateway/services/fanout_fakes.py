"""Fakes for the fan-out's tests: a connector that answers from memory, and the engine over it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from connectors.base import Inquiry
from connectors.police.records import PoliceRecords
from connectors.resilience import CircuitBreaker
from gateway.domain.cases import parse_case_number
from gateway.domain.records import AgencyRecords
from gateway.domain.subjects import Subject, SubjectKind
from gateway.services.cache import RecordCache
from gateway.services.fanout import FanOut, Source, SourcePolicy

CASE = parse_case_number("(2026)苏0802执123号")
ALICE = Subject(SubjectKind.NATURAL, "320802198503150017")
BOB = Subject(SubjectKind.NATURAL, "320803199001011234")
ACME = Subject(SubjectKind.LEGAL, "91320800MA1N7B5K3A")
EMPTY = PoliceRecords(household=None, travel_documents=(), vehicles=())

Behaviour = Callable[[Inquiry, int], "asyncio.Future[None] | None"]


class FakeConnector:
    """Answers every subject with ``EMPTY`` records, after running ``behaviour`` if given."""

    def __init__(
        self,
        agency: str,
        *,
        behaviour: Callable[[Inquiry, int], object] | None = None,
        kinds: frozenset[SubjectKind] = frozenset(SubjectKind),
        unknown: frozenset[str] = frozenset(),
    ) -> None:
        self._agency = agency
        self.behaviour = behaviour
        self.kinds = kinds
        self.unknown = unknown
        self.calls: list[Inquiry] = []

    @property
    def agency(self) -> str:
        return self._agency

    def applies_to(self, subject: Subject) -> bool:
        return subject.kind in self.kinds

    async def query(self, inquiry: Inquiry) -> Mapping[str, AgencyRecords | None]:
        self.calls.append(inquiry)
        if self.behaviour is not None:
            result = self.behaviour(inquiry, len(self.calls))
            if asyncio.iscoroutine(result):
                await result
        return {s.key: None if s.id in self.unknown else EMPTY for s in inquiry.subjects}

    async def aclose(self) -> None:
        pass


def make_fanout(
    *connectors: FakeConnector,
    policy: SourcePolicy | None = None,
    breaker: Callable[[], CircuitBreaker] | None = None,
    cache: RecordCache | None = None,
) -> FanOut:
    policy = policy or SourcePolicy(attempt_timeout_s=1.0, backoff_base_s=0.001)
    sources = {
        c.agency: Source(c, policy, breaker() if breaker else CircuitBreaker(5, 30))
        for c in connectors
    }
    return FanOut(sources, cache or RecordCache.from_url("memory://"))


async def ask(fanout: FanOut, subjects=(ALICE,), agencies=None, deadline_s=2.0, fresh=False):
    return await fanout.inquire(
        list(subjects),
        CASE,
        court="苏0802",
        agencies=agencies or list(fanout.sources),
        deadline_s=deadline_s,
        fresh=fresh,
    )

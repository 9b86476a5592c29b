"""The fan-out engine: one inquiry about many subjects, to many agencies, at once.

For each agency, concurrently: subjects the agency does not serve are ``NOT_APPLICABLE``; the
rest are looked up in the cache (unless ``fresh``); misses already being fetched by another
request are joined (single-flight), the others go out in **one** batched call (split only past
the agency's ``max_batch``), through the circuit breaker, bounded retries and timeouts:

* the request deadline bounds everything (``asyncio.timeout_at``): a slow agency costs its own
  status, never the others' data;
* each attempt has the agency's own timeout inside it, enforced with ``asyncio.timeout``
  (httpx's timeouts are per read, and a slow drip defeats them). It grows with the batch:
  ``attempt_timeout_s`` plus ``attempt_timeout_per_subject_s`` for each subject of the call, as
  an agency's answer about 500 people takes longer to produce, send and check than one about
  one; a fixed timeout would fail big batches that are merely big, and then retry them whole.

Every outcome is a ``SourceResult``: failures are data, never exceptions.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from connectors.base import Inquiry, SourceConnector
from connectors.errors import (
    AgencyRateLimitedError,
    ConnectorError,
    RequestRejectedError,
    SourceTimeoutError,
    SourceUnavailableError,
    TransientError,
)
from connectors.registry import AGENCIES
from connectors.resilience import CircuitBreaker, LatencyTracker, hedged, read_retrying
from gateway.domain.cases import CaseNumber
from gateway.domain.errors import INTERNAL_ERROR_MESSAGE
from gateway.domain.records import AgencyRecords
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import Subject
from gateway.services.cache import CacheEntry, RecordCache
from gateway.services.turns import TURN, in_turns

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SourcePolicy:
    attempt_timeout_s: float = 3.0
    attempt_timeout_per_subject_s: float = 0.01  # added to the attempt timeout per subject
    max_attempts: int = 3
    backoff_base_s: float = 0.05
    cache_ttl_s: float = 300.0
    max_batch: int = 500
    hedge: bool = False  # send a second, identical read after the source's observed p95

    def attempt_timeout(self, subjects: int) -> float:
        """The timeout of one attempt of a call about ``subjects`` subjects (the request's
        deadline still bounds it)."""
        return self.attempt_timeout_s + self.attempt_timeout_per_subject_s * subjects


@dataclass(slots=True)
class Source:
    """One agency as the fan-out sees it."""

    connector: SourceConnector
    policy: SourcePolicy
    breaker: CircuitBreaker
    latency: LatencyTracker = field(default_factory=LatencyTracker)

    def hedge_delay(self) -> float | None:
        return self.latency.p95() if self.policy.hedge else None


@dataclass(frozen=True, slots=True)
class SubjectProfile:
    """Everything the agencies said about one subject, one ``SourceResult`` per agency asked."""

    subject: Subject
    case_number: CaseNumber
    results: tuple[SourceResult, ...]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one fetch produced for one subject, shared by every request waiting on it."""

    status: SourceStatus
    records: AgencyRecords | None = None
    fetched_at: datetime.datetime | None = None
    message: str | None = None
    attempts: int = 0


@dataclass(eq=False, slots=True)
class _Flight:
    """One fetch from one agency, shared by every request that asks the agency about one of
    its subjects before that subject is settled: each subject's outcome and when it settled
    (the event loop's clock; each request waiting counts its latency from its own start), and
    one future, done once every subject is settled. One future per fetch, not per subject: a
    1,000-debtor batch waits on nine, not 9,000."""

    done: asyncio.Future[None]
    size: int = 0  # subjects, known once every one of them has joined
    settled: dict[str, tuple[_Outcome, float]] = field(default_factory=dict)

    def settle(self, key: str, outcome: _Outcome, at: float) -> None:
        self.settled[key] = (outcome, at)
        if len(self.settled) == self.size:
            self.done.set_result(None)


@dataclass(slots=True)
class _Ask:
    """One agency's part of one request: the answers known, the subjects still to be
    answered, and the flight that answers each of those."""

    agency: str
    source: Source | None
    answers: dict[str, SourceResult] = field(default_factory=dict)
    pending: list[Subject] = field(default_factory=list)
    waits: dict[str, _Flight] = field(default_factory=dict)

    @property
    def cache_ttl_s(self) -> float:
        return 0.0 if self.source is None else self.source.policy.cache_ttl_s

    def take_cached(self, entries: Sequence[CacheEntry | None], elapsed_s: float) -> None:
        """Answer the pending subjects found in the cache; the rest stay pending."""
        still: list[Subject] = []
        for subject, entry in zip(self.pending, entries, strict=True):
            if entry is None:
                still.append(subject)
            else:
                self.answers[subject.key] = _from_cache(self.agency, entry, elapsed_s)
        self.pending = still

    def results(self, started: float, now: float) -> dict[str, SourceResult]:
        """Every subject's answer, once the wait is over (at ``now``): the agency's latency is
        until the last of its subjects settled, or until ``now`` if one had not."""
        if not self.waits:
            return self.answers
        # as they stood at ``now``: one settled since, while the request gave the event loop a
        # turn (``gateway.services.turns``), is late all the same
        settled = [
            known if known is not None and known[1] <= now else None
            for known in (flight.settled.get(key) for key, flight in self.waits.items())
        ]
        times = [known[1] for known in settled if known is not None]
        ended = max(times) if len(times) == len(settled) else now
        latency = (ended - started) * 1000
        late = _timed_out(self.agency)
        for key, known in zip(self.waits, settled, strict=True):
            self.answers[key] = _result(self.agency, late if known is None else known[0], latency)
        return self.answers


class FanOut:
    def __init__(self, sources: Mapping[str, Source], cache: RecordCache) -> None:
        self.sources = dict(sources)
        self.cache = cache
        self._inflight: dict[tuple[str, str], _Flight] = {}
        self._fetches: set[asyncio.Future[None]] = set()

    async def inquire(
        self,
        subjects: Sequence[Subject],
        case_number: CaseNumber,
        *,
        court: str,
        agencies: Sequence[str],
        deadline_s: float,
        fresh: bool = False,
    ) -> list[SubjectProfile]:
        """Ask every agency in ``agencies`` about every subject, within ``deadline_s`` seconds.

        In three steps, all agencies at once: what each agency cannot or need not be asked
        (not configured, not applicable, cached unless ``fresh``); the fetches, shared with any
        request already asking an agency about a subject (single flight), started as tasks of
        their own that outlive a cancelled caller; then one wait for all of them, bounded by
        the deadline."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + deadline_s
        unique = list(dict.fromkeys(subjects))
        asks = [self._plan(agency, unique) for agency in agencies]
        if not fresh:
            cached = [a for a in asks if a.pending and a.cache_ttl_s > 0]
            if cached:
                entries = await asyncio.gather(
                    *(self.cache.get_many(a.agency, [s.key for s in a.pending]) for a in cached)
                )
                elapsed = loop.time() - started
                for ask, found in zip(cached, entries, strict=True):
                    ask.take_cached(found, elapsed)
        flights: set[asyncio.Future[None]] = set()
        for ask in asks:
            if ask.pending:
                flights.update(self._join(ask, case_number, court, deadline))
        if flights:
            # one timer for every agency and subject; the flights are shared with other
            # requests, so they are waited for, never cancelled here
            await asyncio.wait(flights, timeout=max(0.0, deadline - loop.time()))
        now = loop.time()
        # a batch's results and profiles in slices, the event loop free in between
        # (gateway/services/turns.py): an agency's results are about as many as its subjects
        per_agency: list[dict[str, SourceResult]] = []
        async for some in in_turns(asks, max(1, TURN // (len(unique) or 1))):
            per_agency.extend(ask.results(started, now) for ask in some)
        profiles: list[SubjectProfile] = []
        async for group in in_turns(subjects):
            profiles.extend(
                SubjectProfile(
                    subject=subject,
                    case_number=case_number,
                    results=tuple(answers[subject.key] for answers in per_agency),
                )
                for subject in group
            )
        return profiles

    def _plan(self, agency: str, subjects: list[Subject]) -> _Ask:
        """What ``agency`` is to be asked of ``subjects``: the answers known without asking
        (not configured, not applicable) and the subjects pending."""
        source = self.sources.get(agency)
        ask = _Ask(agency, source)
        if source is None:
            ask.answers = {s.key: _not_configured(agency) for s in subjects}
            return ask
        for subject in subjects:
            if source.connector.applies_to(subject):
                ask.pending.append(subject)
            else:
                ask.answers[subject.key] = SourceResult(agency, SourceStatus.NOT_APPLICABLE)
        return ask

    def _join(
        self, ask: _Ask, case_number: CaseNumber, court: str, deadline: float
    ) -> set[asyncio.Future[None]]:
        """The flights of ``ask``'s pending subjects: joined where another request is already
        asking, started (one fetch for all the others) where none is; the futures to wait on."""
        owned: list[Subject] = []
        started: _Flight | None = None
        joined: set[asyncio.Future[None]] = set()
        for subject in ask.pending:
            flight = self._inflight.get((ask.agency, subject.key))
            if flight is None:
                if started is None:
                    started = _Flight(asyncio.get_running_loop().create_future())
                # in the map at once: a second subject with this key (another name) joins it
                flight = self._inflight[(ask.agency, subject.key)] = started
                owned.append(subject)
            ask.waits[subject.key] = flight
            joined.add(flight.done)
        if started is not None and ask.source is not None:
            started.size = len(owned)
            # the fetch outlives a cancelled caller: others may be waiting on it (bounded by
            # the deadline); aclose() cancels what is left at shutdown
            call = _Call(ask.agency, ask.source, case_number, court, deadline)
            fetch = asyncio.ensure_future(self._fetch(call, owned, started))
            self._fetches.add(fetch)
            fetch.add_done_callback(self._fetch_done)
        return joined

    async def aclose(self) -> None:
        """Cancel the fetches still running (at shutdown)."""
        for fetch in list(self._fetches):
            fetch.cancel()
        await asyncio.gather(*self._fetches, return_exceptions=True)

    def _fetch_done(self, fetch: asyncio.Future[None]) -> None:
        self._fetches.discard(fetch)
        if not fetch.cancelled() and fetch.exception() is not None:
            log.error("fan-out fetch failed", exc_info=fetch.exception())

    async def _fetch(self, call: _Call, subjects: list[Subject], flight: _Flight) -> None:
        """Fetch for ``subjects`` and settle them in ``flight``, whatever happens."""
        size = call.source.policy.max_batch
        chunks = [subjects[i : i + size] for i in range(0, len(subjects), size)]
        try:
            if len(chunks) == 1:  # one call (almost always): no task of its own
                await self._fetch_chunk(call, chunks[0], flight)
            else:
                await asyncio.gather(*(self._fetch_chunk(call, c, flight) for c in chunks))
        finally:
            if not flight.done.done():  # a subject the calls did not settle: a bug, or shutdown
                failed = _Outcome(SourceStatus.ERROR, message=INTERNAL_ERROR_MESSAGE)
                self._settle(call.agency, flight, {s.key: failed for s in subjects})

    async def _fetch_chunk(self, call: _Call, subjects: list[Subject], flight: _Flight) -> None:
        outcomes = await _call_agency(call, subjects)
        to_cache = [
            (key, CacheEntry(outcome.fetched_at, outcome.records))
            for key, outcome in outcomes.items()
            if outcome.status.answered and outcome.fetched_at is not None
        ]
        # settled before the cache is written: those waiting need not wait for the cache
        self._settle(call.agency, flight, outcomes)
        await self.cache.set_many(call.agency, to_cache, call.source.policy.cache_ttl_s)

    def _settle(self, agency: str, flight: _Flight, outcomes: Mapping[str, _Outcome]) -> None:
        """Settle each subject of ``outcomes`` not yet settled: a request asking about it from
        now on starts a fetch of its own."""
        at = asyncio.get_running_loop().time()
        for key, outcome in outcomes.items():
            if key not in flight.settled:
                del self._inflight[(agency, key)]
                flight.settle(key, outcome, at)


@dataclass(frozen=True, slots=True)
class _Call:
    """One fetch from one agency: who, with which policies, for which case, until when."""

    agency: str
    source: Source
    case_number: CaseNumber
    court: str
    deadline: float


async def _call_agency(call: _Call, subjects: list[Subject]) -> dict[str, _Outcome]:
    """One batched call with breaker, retries and timeouts; never raises (but cancellation)."""
    agency, source, policy = call.agency, call.source, call.source.policy
    if not source.breaker.allow():
        return _failed(subjects, SourceStatus.CIRCUIT_OPEN, _circuit_open(agency), 0)
    # a new id for every call, as the agency contract asks: 128 random bits, as uuid4().hex has 122
    inquiry = Inquiry(os.urandom(16).hex(), call.case_number, call.court, tuple(subjects))
    timeout = policy.attempt_timeout(len(subjects))
    attempts = 0

    def send() -> Awaitable[Mapping[str, AgencyRecords | None]]:
        nonlocal attempts
        attempts += 1
        return source.connector.query(inquiry)

    try:
        try:
            # the first attempt's one timer is the earlier of its timeout and the deadline
            answers = await _attempt(source, send, timeout, call.deadline)
        except TransientError as first:
            async with asyncio.timeout_at(call.deadline):
                answers = await _retry(call, send, timeout, first)
    except ConnectorError as exc:
        if isinstance(exc, RequestRejectedError):
            source.breaker.record_success()  # the agency is up; it refused this request
        else:
            source.breaker.record_failure()
        return _failed(subjects, _status_of(exc), exc.safe_message, attempts)
    except TimeoutError:
        source.breaker.record_failure()
        return _failed(subjects, SourceStatus.TIMEOUT, _late(agency), attempts)
    except asyncio.CancelledError:
        source.breaker.release_probe()
        raise
    except Exception:  # a bug in a connector must not fail the query
        log.exception("connector %s raised an unexpected error", agency)
        source.breaker.record_failure()
        return _failed(subjects, SourceStatus.ERROR, INTERNAL_ERROR_MESSAGE, attempts)
    source.breaker.record_success()
    now = datetime.datetime.now(datetime.UTC)
    return {
        s.key: _Outcome(
            SourceStatus.NOT_FOUND if answers[s.key] is None else SourceStatus.OK,
            records=answers[s.key],
            fetched_at=now,
            attempts=attempts,
        )
        for s in subjects
    }


async def _retry(
    call: _Call,
    send: Callable[[], Awaitable[Mapping[str, AgencyRecords | None]]],
    attempt_timeout_s: float,
    first: TransientError,
) -> Mapping[str, AgencyRecords | None]:
    """The attempts after a first one that failed with ``first``.

    The retry machinery is built only here, once a call has failed: a call that succeeds the
    first time (almost all of them) pays for none of it. The controller sees the first attempt
    as its own (it is replayed, not sent again), so its limits and backoff are those of one
    policy over all the call's attempts."""
    policy = call.source.policy
    replay: list[TransientError] = [first]
    answers: Mapping[str, AgencyRecords | None] = {}
    async for attempt in read_retrying(
        max_attempts=policy.max_attempts,
        backoff_base_s=policy.backoff_base_s,
        deadline=call.deadline,
    ):
        with attempt:
            if replay:
                raise replay.pop()
            answers = await _attempt(call.source, send, attempt_timeout_s, call.deadline)
    return answers


async def _attempt(
    source: Source,
    send: Callable[[], Awaitable[Mapping[str, AgencyRecords | None]]],
    attempt_timeout_s: float,
    deadline: float,
) -> Mapping[str, AgencyRecords | None]:
    """One attempt (hedged, if the source's policy says so), bounded by the attempt timeout
    and the request's deadline, on one timer: ``SourceTimeoutError`` (which may be retried)
    when the attempt's own timeout ran out first, ``TimeoutError`` when the deadline did."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    own_end = started + attempt_timeout_s
    try:
        async with asyncio.timeout_at(min(own_end, deadline)):
            answers = await hedged(send, source.hedge_delay())
    except TimeoutError as exc:
        if own_end >= deadline:
            raise
        agency = source.connector.agency
        raise SourceTimeoutError(
            f"{agency} 在 {attempt_timeout_s:g} 秒内未响应",
            f"{agency} did not answer within {attempt_timeout_s:g} s",
        ) from exc
    source.latency.record(loop.time() - started)
    return answers


def _timed_out(agency: str) -> _Outcome:
    """A shared fetch that had not ended by this request's own deadline."""
    return _Outcome(SourceStatus.TIMEOUT, message=_late(agency))


def _status_of(exc: ConnectorError) -> SourceStatus:
    if isinstance(exc, SourceTimeoutError):
        return SourceStatus.TIMEOUT
    if isinstance(exc, SourceUnavailableError | AgencyRateLimitedError):
        return SourceStatus.UNAVAILABLE
    if isinstance(exc, RequestRejectedError):
        return SourceStatus.REJECTED
    return SourceStatus.ERROR


def _failed(
    subjects: list[Subject], status: SourceStatus, message: str, attempts: int
) -> dict[str, _Outcome]:
    outcome = _Outcome(status, message=message, attempts=attempts)
    return {s.key: outcome for s in subjects}


def _result(agency: str, outcome: _Outcome, latency_ms: float) -> SourceResult:
    return SourceResult(
        agency=agency,
        status=outcome.status,
        latency_ms=round(latency_ms, 1),
        cached=False,
        fetched_at=outcome.fetched_at,
        message=outcome.message,
        records=outcome.records,
        attempts=outcome.attempts,
    )


def _from_cache(agency: str, entry: CacheEntry, elapsed_s: float) -> SourceResult:
    return SourceResult(
        agency=agency,
        status=SourceStatus.NOT_FOUND if entry.records is None else SourceStatus.OK,
        latency_ms=round(elapsed_s * 1000, 1),
        cached=True,
        fetched_at=entry.fetched_at,
        records=entry.records,
    )


def _not_configured(agency: str) -> SourceResult:
    return SourceResult(
        agency,
        SourceStatus.NOT_CONFIGURED,
        message=f"本系统尚未接入{_name_zh(agency)} / no connector for {agency} is configured",
    )


def _late(agency: str) -> str:
    return f"{agency} 未在期限内响应 / {agency} did not answer before the deadline"


def _circuit_open(agency: str) -> str:
    return (
        f"{agency} 近期连续失败，暂停调用（熔断） / "
        f"{agency} failed repeatedly just now; calls are paused (circuit open)"
    )


def _name_zh(agency: str) -> str:
    return AGENCIES.spec(agency).name_zh if agency in AGENCIES else agency

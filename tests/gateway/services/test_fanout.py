"""The fan-out engine with fake connectors: partial failure, deadlines, retries, breaker, cache."""

from __future__ import annotations

import asyncio

import pytest

from connectors.base import Inquiry
from connectors.errors import (
    AgencyRateLimitedError,
    MalformedResponseError,
    RequestRejectedError,
    SourceUnavailableError,
)
from connectors.resilience import CircuitBreaker
from gateway.domain.sources import SourceStatus
from gateway.domain.subjects import Subject, SubjectKind
from gateway.services import fanout as fanout_module
from gateway.services.cache import RecordCache
from gateway.services.fanout import SourcePolicy, _Ask, _Flight, _Outcome
from gateway.services.turns import TURN, in_turns
from tests.gateway.services.fanout_fakes import (
    ACME,
    ALICE,
    BOB,
    EMPTY,
    FakeConnector,
    ask,
    make_fanout,
)


def statuses(profile) -> dict[str, SourceStatus]:
    return {r.agency: r.status for r in profile.results}


def raising(exc: Exception, times: int | None = None):
    def behaviour(_inquiry: Inquiry, call: int) -> None:
        if times is None or call <= times:
            raise exc

    return behaviour


def sleeping(seconds: float):
    def behaviour(_inquiry: Inquiry, _call: int):
        return asyncio.sleep(seconds)

    return behaviour


async def test_one_agency_down_leaves_the_others_intact():
    police = FakeConnector("police")
    land = FakeConnector("land", behaviour=raising(SourceUnavailableError("挂了", "down")))
    bank = FakeConnector("bank")
    (profile,) = await ask(make_fanout(police, land, bank))
    assert statuses(profile) == {
        "police": SourceStatus.OK,
        "land": SourceStatus.UNAVAILABLE,
        "bank": SourceStatus.OK,
    }
    by_agency = {r.agency: r for r in profile.results}
    assert by_agency["police"].records == EMPTY
    assert by_agency["land"].records is None
    assert "down" in (by_agency["land"].message or "")


async def test_unknown_subject_is_not_found_and_agencies_without_connector_not_configured():
    police = FakeConnector("police", unknown=frozenset({ALICE.id}))
    (profile,) = await ask(make_fanout(police), agencies=["police", "tax"])
    assert statuses(profile) == {
        "police": SourceStatus.NOT_FOUND,
        "tax": SourceStatus.NOT_CONFIGURED,
    }


async def test_subject_kinds_the_agency_does_not_serve_are_not_applicable_without_a_call():
    police = FakeConnector("police", kinds=frozenset({SubjectKind.NATURAL}))
    (profile,) = await ask(make_fanout(police), subjects=[ACME])
    assert statuses(profile) == {"police": SourceStatus.NOT_APPLICABLE}
    assert police.calls == []


async def test_the_request_deadline_bounds_a_slow_agency_and_keeps_the_fast_ones():
    slow = FakeConnector("land", behaviour=sleeping(30))
    fast = FakeConnector("bank")
    policy = SourcePolicy(attempt_timeout_s=60, max_attempts=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    (profile,) = await ask(make_fanout(slow, fast, policy=policy), deadline_s=0.3)
    assert loop.time() - started < 5  # the 30 s agency did not hold the query
    assert statuses(profile) == {"land": SourceStatus.TIMEOUT, "bank": SourceStatus.OK}


async def test_each_attempt_is_bounded_by_the_source_timeout_and_retried():
    def slow_then_fast(_inquiry: Inquiry, call: int):
        return asyncio.sleep(30 if call == 1 else 0)

    land = FakeConnector("land", behaviour=slow_then_fast)
    policy = SourcePolicy(attempt_timeout_s=0.1, max_attempts=3, backoff_base_s=0.001)
    (profile,) = await ask(make_fanout(land, policy=policy), deadline_s=5)
    (result,) = profile.results
    assert result.status is SourceStatus.OK
    assert result.attempts == 2


async def test_transient_errors_are_retried_up_to_the_attempt_limit():
    flaky = FakeConnector("bank", behaviour=raising(SourceUnavailableError("x", "x"), 2))
    (profile,) = await ask(make_fanout(flaky))
    assert profile.results[0].status is SourceStatus.OK
    assert profile.results[0].attempts == 3

    dead = FakeConnector("bank", behaviour=raising(AgencyRateLimitedError("x", "x", None)))
    (profile,) = await ask(make_fanout(dead))
    assert profile.results[0].status is SourceStatus.UNAVAILABLE
    assert len(dead.calls) == 3


async def test_the_retry_machinery_is_built_only_after_a_failed_attempt(monkeypatch):
    from connectors import resilience
    from gateway.services import fanout as module

    built: list[int] = []
    real = resilience.read_retrying

    def counting(**kwargs):
        built.append(kwargs["max_attempts"])
        return real(**kwargs)

    monkeypatch.setattr(module, "read_retrying", counting)
    healthy = FakeConnector("bank")
    (profile,) = await ask(make_fanout(healthy))
    assert (profile.results[0].status, profile.results[0].attempts) == (SourceStatus.OK, 1)
    assert built == []  # a call that succeeds the first time pays for no retrying controller

    once = FakeConnector("bank", behaviour=raising(SourceUnavailableError("x", "x"), 1))
    (profile,) = await ask(make_fanout(once))
    assert (profile.results[0].status, profile.results[0].attempts) == (SourceStatus.OK, 2)
    assert len(once.calls) == 2  # the first failure is replayed to the controller, not resent
    assert built == [3]


async def test_subjects_waiting_on_one_agency_share_one_deadline():
    hang = FakeConnector("land", behaviour=sleeping(30))
    fanout = make_fanout(hang, policy=SourcePolicy(attempt_timeout_s=60, max_attempts=1))
    profiles = await ask(fanout, subjects=[ALICE, BOB, ACME], deadline_s=0.2)
    assert [p.results[0].status for p in profiles] == [SourceStatus.TIMEOUT] * 3
    assert len(hang.calls) == 1
    await fanout.aclose()


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (RequestRejectedError("拒绝", "rejected"), SourceStatus.REJECTED),
        (MalformedResponseError("坏", "garbage"), SourceStatus.ERROR),
        (RuntimeError("connector bug"), SourceStatus.ERROR),
    ],
)
async def test_non_transient_errors_are_not_retried_and_become_a_status(error, status):
    fake = FakeConnector("bank", behaviour=raising(error))
    (profile,) = await ask(make_fanout(fake))
    assert profile.results[0].status is status
    assert len(fake.calls) == 1
    assert "connector bug" not in (profile.results[0].message or "")


async def test_a_cancelled_caller_does_not_cancel_the_fetch_others_wait_on():
    started = asyncio.Event()

    def slow(_inquiry: Inquiry, _call: int):
        started.set()
        return asyncio.sleep(0.2)

    fake = FakeConnector("bank", behaviour=slow)
    fanout = make_fanout(fake)
    first = asyncio.create_task(ask(fanout))
    await started.wait()
    second = asyncio.create_task(ask(fanout))
    await asyncio.sleep(0)
    first.cancel()
    (profile,) = await second
    assert profile.results[0].status is SourceStatus.OK
    assert len(fake.calls) == 1
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_aclose_cancels_fetches_still_running():
    started = asyncio.Event()

    def block(_inquiry: Inquiry, _call: int):
        started.set()
        return asyncio.sleep(30)

    fake = FakeConnector("bank", behaviour=block)
    fanout = make_fanout(fake)
    caller = asyncio.create_task(ask(fanout, deadline_s=30))
    await started.wait()
    await asyncio.wait_for(fanout.aclose(), timeout=5)
    (profile,) = await asyncio.wait_for(caller, timeout=5)
    assert profile.results[0].status is SourceStatus.ERROR
    assert len(fake.calls) == 1  # cancellation was not retried


async def test_the_breaker_opens_after_consecutive_failures_and_probes_after_the_cooldown():
    now = [0.0]
    down = [True]

    def maybe_down(_inquiry: Inquiry, _call: int) -> None:
        if down[0]:
            raise SourceUnavailableError("x", "x")

    fake = FakeConnector("bank", behaviour=maybe_down)
    policy = SourcePolicy(max_attempts=1, cache_ttl_s=0)
    fanout = make_fanout(fake, policy=policy, breaker=lambda: CircuitBreaker(3, 10, lambda: now[0]))
    for _ in range(3):
        (profile,) = await ask(fanout)
        assert profile.results[0].status is SourceStatus.UNAVAILABLE
    (profile,) = await ask(fanout)
    assert profile.results[0].status is SourceStatus.CIRCUIT_OPEN
    assert len(fake.calls) == 3  # the open circuit made no call

    now[0] = 11.0  # cooldown over: one probe goes out; the agency is back
    down[0] = False
    (profile,) = await ask(fanout)
    assert profile.results[0].status is SourceStatus.OK
    assert len(fake.calls) == 4


def test_breaker_half_open_lets_one_probe_and_reopens_on_its_failure():
    now = [0.0]
    breaker = CircuitBreaker(1, 5, lambda: now[0])
    breaker.record_failure()
    assert not breaker.allow()
    now[0] = 6
    assert breaker.allow()
    assert not breaker.allow()  # one probe at a time
    breaker.record_failure()
    assert not breaker.allow()
    now[0] = 12
    assert breaker.allow()
    breaker.record_success()
    assert breaker.allow()
    assert breaker.allow()


async def test_answers_are_cached_per_subject_and_fresh_bypasses_the_cache():
    fake = FakeConnector("police", unknown=frozenset({BOB.id}))
    fanout = make_fanout(fake)
    first = await ask(fanout, subjects=[ALICE, BOB])
    assert [p.results[0].cached for p in first] == [False, False]
    second = await ask(fanout, subjects=[ALICE, BOB])
    assert [p.results[0].cached for p in second] == [True, True]
    assert [p.results[0].status for p in second] == [SourceStatus.OK, SourceStatus.NOT_FOUND]
    assert second[0].results[0].fetched_at == first[0].results[0].fetched_at
    assert len(fake.calls) == 1

    third = await ask(fanout, subjects=[ALICE], fresh=True)
    assert third[0].results[0].cached is False
    assert len(fake.calls) == 2


async def test_failures_are_not_cached():
    fake = FakeConnector("bank", behaviour=raising(SourceUnavailableError("x", "x"), 1))
    fanout = make_fanout(fake, policy=SourcePolicy(max_attempts=1))
    (first,) = await ask(fanout)
    assert first.results[0].status is SourceStatus.UNAVAILABLE
    (second,) = await ask(fanout)
    assert second.results[0].status is SourceStatus.OK
    assert second.results[0].cached is False


async def test_concurrent_misses_make_one_call_stampede_protection():
    fake = FakeConnector("police", behaviour=sleeping(0.05))
    fanout = make_fanout(fake)
    profiles = await asyncio.gather(*(ask(fanout) for _ in range(20)))
    assert len(fake.calls) == 1
    assert all(p[0].results[0].status is SourceStatus.OK for p in profiles)


async def test_one_subject_under_two_names_is_asked_once_and_both_are_answered_at_once():
    """The same number under two names is one subject to the agency (its key): one call for
    it, and the request's wait ends with that call's answer, not at the deadline."""
    named = Subject(ALICE.kind, ALICE.id, "张三")
    fake = FakeConnector("police")
    profiles = await ask(make_fanout(fake), subjects=[ALICE, named], deadline_s=30)
    assert [p.results[0].status for p in profiles] == [SourceStatus.OK] * 2
    assert [len(c.subjects) for c in fake.calls] == [1]
    assert profiles[0].results[0].latency_ms < 15_000  # not the 30 s deadline


async def test_a_split_call_answers_what_came_back_and_times_out_only_the_rest():
    """One fetch split in two calls (``max_batch``): the part that answered before the
    deadline is answered, the part still out is a timeout."""

    def bob_hangs(inquiry: Inquiry, _call: int):
        return asyncio.sleep(30) if BOB in inquiry.subjects else None

    fake = FakeConnector("police", behaviour=bob_hangs)
    policy = SourcePolicy(attempt_timeout_s=60, max_attempts=1, max_batch=1)
    fanout = make_fanout(fake, policy=policy)
    profiles = await ask(fanout, subjects=[ALICE, BOB], deadline_s=0.3)
    assert [p.results[0].status for p in profiles] == [SourceStatus.OK, SourceStatus.TIMEOUT]
    assert len(fake.calls) == 2
    await fanout.aclose()


async def test_a_batch_is_one_call_per_agency_and_split_only_past_max_batch():
    subjects = [Subject(SubjectKind.NATURAL, f"{i:018d}") for i in range(200)]
    police, bank = FakeConnector("police"), FakeConnector("bank")
    profiles = await ask(make_fanout(police, bank), subjects=subjects)
    assert len(profiles) == 200
    assert len(police.calls) == 1
    assert len(bank.calls) == 1
    assert len(police.calls[0].subjects) == 200

    small = FakeConnector("police")
    await ask(make_fanout(small, policy=SourcePolicy(max_batch=64)), subjects=subjects)
    assert sorted(len(c.subjects) for c in small.calls) == [8, 64, 64, 64]


def test_the_attempt_timeout_grows_with_the_batch():
    policy = SourcePolicy(attempt_timeout_s=3.0, attempt_timeout_per_subject_s=0.01)
    assert policy.attempt_timeout(1) == pytest.approx(3.01)
    assert policy.attempt_timeout(200) == pytest.approx(5.0)
    assert SourcePolicy(attempt_timeout_per_subject_s=0).attempt_timeout(500) == 3.0


def never_answers(_inquiry: Inquiry, _call: int):
    return asyncio.Event().wait()


@pytest.mark.parametrize(("count", "given"), [(1, "0.051"), (200, "0.25")])
async def test_each_call_is_given_the_timeout_of_its_batch_size(count, given):
    # the agency never answers: the attempt ends at the timeout it was given, which the
    # status message states (a fact of the call, not of the machine's speed)
    subjects = [Subject(SubjectKind.NATURAL, f"{i:018d}") for i in range(count)]
    land = FakeConnector("land", behaviour=never_answers)
    policy = SourcePolicy(
        attempt_timeout_s=0.05, attempt_timeout_per_subject_s=0.001, max_attempts=1
    )
    profiles = await ask(make_fanout(land, policy=policy), subjects=subjects, deadline_s=30)
    assert len(land.calls) == 1
    assert len(land.calls[0].subjects) == count
    for profile in profiles:
        (result,) = profile.results
        assert result.status is SourceStatus.TIMEOUT
        assert f"did not answer within {given} s" in (result.message or "")


async def test_the_request_deadline_still_bounds_a_big_batchs_timeout():
    subjects = [Subject(SubjectKind.NATURAL, f"{i:018d}") for i in range(200)]
    land = FakeConnector("land", behaviour=never_answers)
    policy = SourcePolicy(attempt_timeout_s=1, attempt_timeout_per_subject_s=0.05)  # 11 s
    profiles = await ask(make_fanout(land, policy=policy), subjects=subjects, deadline_s=0.2)
    assert len(land.calls) == 1  # the deadline came first: no second attempt
    (result,) = profiles[0].results
    assert result.status is SourceStatus.TIMEOUT
    assert "before the deadline" in (result.message or "")


async def test_a_cache_outage_degrades_to_asking_the_agency():
    class BrokenBackend:
        async def multi_get(self, keys):
            raise ConnectionError("cache down")

        async def multi_set(self, pairs, ttl=None):
            raise ConnectionError("cache down")

        async def close(self):
            pass

    fake = FakeConnector("police")
    fanout = make_fanout(fake, cache=RecordCache(BrokenBackend(), serialize=True))
    (profile,) = await ask(fanout)
    assert profile.results[0].status is SourceStatus.OK


async def test_hedging_sends_a_twin_after_the_observed_p95_and_the_first_answer_wins():
    def first_call_hangs(_inquiry: Inquiry, call: int):
        return asyncio.sleep(30 if call == 21 else 0.001)

    fake = FakeConnector("land", behaviour=first_call_hangs)
    policy = SourcePolicy(attempt_timeout_s=5, max_attempts=1, cache_ttl_s=0, hedge=True)
    fanout = make_fanout(fake, policy=policy)
    for _ in range(20):  # 20 quick answers make the p95 known
        await ask(fanout)
    (profile,) = await asyncio.wait_for(ask(fanout, deadline_s=5), timeout=3)
    (result,) = profile.results
    assert result.status is SourceStatus.OK
    assert result.attempts == 2
    assert len(fake.calls) == 22


async def test_without_hedging_the_same_hang_is_a_timeout():
    def first_call_hangs(_inquiry: Inquiry, call: int):
        return asyncio.sleep(30 if call == 21 else 0.001)

    fake = FakeConnector("land", behaviour=first_call_hangs)
    policy = SourcePolicy(attempt_timeout_s=0.3, max_attempts=1, cache_ttl_s=0)
    fanout = make_fanout(fake, policy=policy)
    for _ in range(20):
        await ask(fanout)
    (profile,) = await ask(fanout)
    assert profile.results[0].status is SourceStatus.TIMEOUT
    assert len(fake.calls) == 21


async def test_a_batchs_results_and_profiles_are_made_in_slices(monkeypatch):
    # the event loop's turn between slices is in_turns' own test (test_turns.py); here, that the
    # fan-out hands its loops over to it: an agency's results a slice, profiles TURN a slice
    sliced: list[tuple[int, int]] = []

    def recording(items, every=TURN):
        sliced.append((len(items), every))
        return in_turns(items, every)

    monkeypatch.setattr(fanout_module, "in_turns", recording)
    subjects = [Subject(SubjectKind.NATURAL, f"{i:018d}") for i in range(120)]
    profiles = await ask(make_fanout(FakeConnector("police"), FakeConnector("bank")), subjects)
    assert sliced == [(2, 1), (120, TURN)]
    assert [p.subject for p in profiles] == subjects
    both = {"police": SourceStatus.OK, "bank": SourceStatus.OK}
    assert all(statuses(p) == both for p in profiles)
    sliced.clear()
    await ask(make_fanout(FakeConnector("police"), FakeConnector("bank")))
    assert sliced == [(2, TURN), (1, TURN)]  # one slice each


async def test_results_are_as_they_stood_when_the_wait_ended():
    # a subject settled after the wait ended (while the request gave the loop a turn) is late
    loop = asyncio.get_running_loop()
    flight = _Flight(loop.create_future(), size=2)
    flight.settle("early", _Outcome(SourceStatus.OK, records=EMPTY), at=10.2)
    flight.settle("late", _Outcome(SourceStatus.OK, records=EMPTY), at=10.9)
    asked = _Ask("police", None, waits={"early": flight, "late": flight})
    results = asked.results(started=10.0, now=10.5)
    assert results["early"].status is SourceStatus.OK
    assert results["late"].status is SourceStatus.TIMEOUT
    # the agency's latency runs until the wait ended, as for any subject not settled by then
    assert results["early"].latency_ms == pytest.approx(500)

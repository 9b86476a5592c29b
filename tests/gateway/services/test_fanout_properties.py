"""Fan-out invariants under any mix of agency behaviours (hypothesis)."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import (
    AgencyAuthenticationError,
    AgencyRateLimitedError,
    MalformedResponseError,
    RequestRejectedError,
    SourceUnavailableError,
)
from connectors.registry import AGENCIES
from gateway.domain.sources import SourceStatus
from gateway.domain.subjects import Subject, SubjectKind
from gateway.services.fanout import SourcePolicy
from tests.gateway.services.fanout_fakes import FakeConnector, ask, make_fanout

BEHAVIOURS = {
    "ok": (None, SourceStatus.OK),
    "unavailable": (SourceUnavailableError("x", "x"), SourceStatus.UNAVAILABLE),
    "rate_limited": (AgencyRateLimitedError("x", "x", None), SourceStatus.UNAVAILABLE),
    "rejected": (RequestRejectedError("x", "x"), SourceStatus.REJECTED),
    "auth": (AgencyAuthenticationError("x", "x"), SourceStatus.ERROR),
    "malformed": (MalformedResponseError("x", "x"), SourceStatus.ERROR),
    "bug": (ZeroDivisionError("bug"), SourceStatus.ERROR),
    "slow": ("slow", SourceStatus.TIMEOUT),
}
CONNECTED = ["police", "land", "bank", "fund"]


def behaviour_of(name: str):
    effect, _ = BEHAVIOURS[name]

    def run(_inquiry, _call):
        if effect == "slow":
            return asyncio.sleep(5)
        if isinstance(effect, BaseException):
            raise effect
        return None

    return run


subjects_strategy = st.lists(
    st.builds(
        Subject,
        st.sampled_from(list(SubjectKind)),
        st.from_regex(r"[0-9]{18}", fullmatch=True),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    behaviours=st.lists(st.sampled_from(sorted(BEHAVIOURS)), min_size=4, max_size=4),
    subjects=subjects_strategy,
    unknown_share=st.sampled_from([0, 1, 2]),
    asked=st.lists(st.sampled_from(list(AGENCIES.names())), min_size=1, max_size=10, unique=True),
)
def test_every_subject_gets_one_result_per_agency_asked_whatever_the_agencies_do(
    behaviours, subjects, unknown_share, asked
):
    unknown = frozenset(s.id for s in subjects[::3]) if unknown_share else frozenset()
    connectors = [
        FakeConnector(
            agency,
            behaviour=behaviour_of(name),
            kinds=frozenset({SubjectKind.NATURAL}) if agency == "fund" else frozenset(SubjectKind),
            unknown=unknown,
        )
        for agency, name in zip(CONNECTED, behaviours, strict=True)
    ]
    policy = SourcePolicy(attempt_timeout_s=0.05, max_attempts=2, backoff_base_s=0.001)
    fanout = make_fanout(*connectors, policy=policy)
    profiles = asyncio.run(ask(fanout, subjects=subjects, agencies=asked, deadline_s=0.5))

    expected_by_agency = dict(zip(CONNECTED, behaviours, strict=True))
    assert [p.subject for p in profiles] == subjects
    for profile in profiles:
        assert [r.agency for r in profile.results] == asked
        for result in profile.results:
            if result.agency not in expected_by_agency:
                assert result.status is SourceStatus.NOT_CONFIGURED
                continue
            if result.agency == "fund" and profile.subject.kind is SubjectKind.LEGAL:
                assert result.status is SourceStatus.NOT_APPLICABLE
                continue
            _, status = BEHAVIOURS[expected_by_agency[result.agency]]
            if status is SourceStatus.OK and profile.subject.id in unknown:
                status = SourceStatus.NOT_FOUND
            assert result.status is status, (result, expected_by_agency[result.agency])
            assert (result.records is not None) == (status is SourceStatus.OK)
            assert "bug" not in (result.message or "")
    for connector in connectors:  # a batch is one call per attempt, retries only if transient
        name = expected_by_agency[connector.agency]
        if connector.agency not in asked:
            assert connector.calls == []
        elif connector.calls:
            assert len(connector.calls) <= policy.max_attempts
            if name in ("rejected", "auth", "malformed", "bug", "ok"):
                assert len(connector.calls) == 1

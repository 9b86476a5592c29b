"""Every agency's records, generically: mock JSON -> records -> cache JSON -> GraphQL.

For every agency in ``connectors.registry`` and every example subject of a kind it serves, the
mock's answer (over its HTTP contract) is read as the connector reads it, then checked: the
records are the agency's declared type, ``count()`` counts what was sent, every field arrives
typed as declared, the cache's JSON gives the same object back, and the GraphQL type serves
every leaf. Per-agency specifics are in ``test_<agency>_connector.py``.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.base import AgencyEndpoint, Inquiry
from connectors.http import HttpConnector
from connectors.registry import AGENCIES
from gateway.domain.cases import parse_case_number
from gateway.domain.records import wire_adapter
from gateway.domain.subjects import Subject, SubjectKind
from gateway.schema.debtor import AGENCY_FIELDS
from mocks.synthetic import Tier
from tests.connectors.helpers import (
    EXAMPLES,
    assert_same_as_wire,
    assert_served,
    example,
    mock_answer,
    records_of,
    sent_count,
    shown,
    wire_json,
)

TIERS = (Tier.ORDINARY, Tier.RICH, Tier.EMPTY)
CASES = [
    (spec.name, kind.value, tier)
    for spec in AGENCIES
    for kind in sorted(spec.subject_kinds, key=lambda k: k.value)
    for tier in TIERS
]
TOKEN = "records-test-token-3e81"


def test_the_example_cases_cover_every_agency() -> None:
    assert {agency for agency, _, _ in CASES} == set(AGENCIES.names())
    assert AGENCIES.names() == AGENCY_FIELDS  # the debtor profile has a field per agency


@pytest.mark.parametrize("spec", list(AGENCIES), ids=lambda s: s.name)
def test_each_agency_declares_its_own_records_type(spec: Any) -> None:
    others = [s.records for s in AGENCIES if s is not spec]
    assert spec.records not in others
    assert dataclasses.is_dataclass(spec.records)
    assert getattr(spec.records, "__dataclass_params__").frozen  # noqa: B009


@pytest.mark.parametrize(
    ("agency", "kind", "tier"), CASES, ids=[f"{a}-{k}-{t.value}" for a, k, t in CASES]
)
async def test_mock_records_read_cache_and_serve(agency: str, kind: str, tier: Tier) -> None:
    wire = await wire_json(agency, kind, EXAMPLES[kind][tier])  # type: ignore[index]
    assert wire is not None
    records = records_of(agency, wire)

    assert type(records) is AGENCIES.spec(agency).records
    sent = sent_count(wire)
    assert records.count() == sent
    assert_same_as_wire(wire, records)  # every field, typed as declared
    hash(records)  # frozen all the way down: usable as a cache value

    adapter = wire_adapter(type(records))
    cached = json.loads(json.dumps(adapter.dump_python(records, mode="json", by_alias=True)))
    assert adapter.validate_python(cached) == records  # through real JSON, as Redis keeps it

    leaves = assert_served(shown(records), records)
    assert (leaves > 0) == (sent > 0)


async def test_values_have_the_declared_types() -> None:
    records = await example("bank", "natural", Tier.RICH)
    account = records.accounts[0]
    assert isinstance(account.balance, Decimal)
    assert isinstance(account.opened_on, datetime.date)
    assert isinstance(records.accounts, tuple)


async def test_rich_examples_have_records_somewhere() -> None:
    # guards the generic test above against an agency whose examples are all empty
    for spec in AGENCIES:
        counts = [
            (await example(spec.name, k.value, Tier.RICH)).count() for k in spec.subject_kinds
        ]
        assert max(counts) > 0, spec.name


@pytest.mark.parametrize("agency", AGENCIES.names())
async def test_the_connector_answers_a_batch_with_these_records(agency: str) -> None:
    """The connector's own call (``post_inquiry``) gives what reading the mock's JSON gives."""
    calls: list[httpx.Request] = []
    spec = AGENCIES.spec(agency)
    subjects = [Subject(SubjectKind(k), EXAMPLES[k][t]) for k in ("natural", "legal") for t in Tier]
    served = [s for s in subjects if s.kind in spec.subject_kinds]
    answer = await mock_answer(agency, [(s.kind.value, s.id) for s in served])

    def agency_call(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        assert request.url.path == "/v1/inquiries"
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        return httpx.Response(200, json=answer)

    async with httpx.AsyncClient(transport=httpx.MockTransport(agency_call)) as client:
        connector = HttpConnector(spec, AgencyEndpoint("http://agency.test", TOKEN), client)
        assert connector.agency == agency
        assert {s for s in subjects if connector.applies_to(s)} == set(served)
        case = parse_case_number("(2025)苏0812执1号")
        answers = await connector.query(Inquiry("tests-" + agency, case, "苏0812", tuple(served)))
    assert len(calls) == 1
    expected = {
        f"{r['kind']}:{r['id']}": None
        if r.get("records") is None
        else records_of(agency, r["records"])
        for r in answer["results"]
    }
    assert answers == expected
    unknown = {s.key for s in served if s.id == EXAMPLES[s.kind.value][Tier.UNKNOWN]}
    assert {key for key, records in answers.items() if records is None} == unknown

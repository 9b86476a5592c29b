"""Every agency's records, generically: mock JSON -> contract model -> domain -> cache -> GraphQL.

For every connector in ``connectors.registry`` and every example subject of a kind its mock
serves (``mocks.registry``), the mock's records are dumped as wire JSON, parsed with the
agency's response envelope and mapped as ``connectors.http.post_inquiry`` does, then checked:
the domain type is the agency's registered one, ``count()`` counts what was sent, every field
arrives, the cache codec gives the same object back and the GraphQL type serves every leaf.

The helpers (``wire_json``, ``wire_model``, ``mapped``, ``example``, ``shown``) serve the
per-agency tests, which keep only what is particular to their agency.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import importlib
import json
import re
import typing
from collections.abc import Callable
from typing import Any

import graphql
import httpx
import pytest
import strawberry

from connectors.base import AgencyEndpoint, Connector, Inquiry
from connectors.envelope import ContractModel, SubjectKindName
from connectors.registry import CONNECTORS
from gateway.domain import codec
from gateway.domain.agencies import Agency
from gateway.domain.cases import parse_case_number
from gateway.domain.records import AgencyRecords
from gateway.domain.subjects import Subject, SubjectKind
from gateway.schema.debtor import _FIELDS
from mocks.registry import MOCK_AGENCIES
from mocks.synthetic import Tier, example_subjects
from mocks.wire import SubjectRef as MockSubject
from tests.connectors.test_mapping import assert_same

EXAMPLES = example_subjects()
AGENCIES = sorted(CONNECTORS, key=lambda a: a.value)
TIERS = (Tier.ORDINARY, Tier.RICH, Tier.EMPTY)
CASES = [
    (agency, kind, tier)
    for agency in AGENCIES
    for kind in sorted(MOCK_AGENCIES[agency.value].subject_kinds)
    for tier in TIERS
]
TOKEN = "records-test-token-3e81"


# --- helpers for every agency's tests -----------------------------------------------------


def to_domain(agency: Agency) -> Callable[[Any], AgencyRecords]:
    """The agency connector's mapping (``connectors/<agency>/mapping.py``)."""
    mapping: Callable[[Any], AgencyRecords] = importlib.import_module(
        f"connectors.{agency.value}.mapping"
    ).to_domain
    return mapping


def wire_json(agency: Agency, kind: SubjectKindName, subject_id: str) -> dict[str, Any] | None:
    """The records the agency's mock sends for a subject, as JSON; ``None`` if it knows none."""
    return MOCK_AGENCIES[agency.value].records_for(MockSubject(kind=kind, id=subject_id))


def parse(agency: Agency, kind: SubjectKindName, records: dict[str, Any]) -> ContractModel:
    """One found subject's records, parsed inside the response envelope as the connector does."""
    envelope = {
        "requestId": "req-records",
        "agency": agency.value,
        "results": [{"kind": kind, "id": "x", "status": "found", "records": records}],
    }
    models = importlib.import_module(f"connectors.{agency.value}.models")
    (response_model,) = [
        v
        for k, v in vars(models).items()
        if k.endswith("InquiryResponse") and k != "InquiryResponse"
    ]
    parsed = response_model.model_validate_json(json.dumps(envelope))
    model = parsed.results[0].records
    assert model is not None
    return typing.cast(ContractModel, model)


def wire_model(agency: Agency, kind: SubjectKindName, subject_id: str) -> Any:
    """The connector's contract model of the mock's JSON for a subject the mock knows."""
    doc = wire_json(agency, kind, subject_id)
    assert doc is not None, f"the {agency.value} mock does not know {kind} {subject_id}"
    return parse(agency, kind, doc)


def mapped(agency: Agency, kind: SubjectKindName, subject_id: str) -> Any:
    """The domain records the connector makes of the mock's JSON for a subject it knows."""
    return to_domain(agency)(wire_model(agency, kind, subject_id))


def example(agency: Agency, kind: SubjectKindName, tier: Tier) -> Any:
    """``mapped`` for an example subject of ``tier``."""
    return mapped(agency, kind, EXAMPLES[kind][tier])


# --- a small schema serving each agency's GraphQL type, as the debtor profile does ---------


def _schema_types() -> dict[str, type]:
    """Profile field name -> the GraphQL type its converter returns."""
    return {name: typing.get_type_hints(convert)["return"] for name, convert in _FIELDS.values()}


_SHOWN = _schema_types()
_Query = strawberry.type(
    type(
        "Query",
        (),
        {"__annotations__": {n: t | None for n, t in _SHOWN.items()}, **dict.fromkeys(_SHOWN)},
    ),
    description="测试 / Test",
)
SCHEMA = strawberry.Schema(query=_Query)


def _selection(graphql_type: graphql.GraphQLNamedType) -> str:
    """Every field of an object type down to its scalar leaves."""
    if not isinstance(graphql_type, graphql.GraphQLObjectType):
        return ""
    parts = []
    for name, field in graphql_type.fields.items():
        if any(graphql.is_required_argument(arg) for arg in field.args.values()):
            continue
        parts.append(f"{name} {_selection(graphql.get_named_type(field.type))}".strip())
    return "{ " + " ".join(parts) + " }"


def shown(records: AgencyRecords) -> dict[str, Any]:
    """The records as GraphQL serves them: the profile's converter, every leaf queried."""
    name, convert = _FIELDS[type(records)]
    query_type = SCHEMA._schema.query_type
    assert query_type is not None
    leaves = _selection(graphql.get_named_type(query_type.fields[name].type))
    result = SCHEMA.execute_sync(
        f"{{ {name} {leaves} }}", root_value=_Query(**{name: convert(records)})
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    data: dict[str, Any] = result.data[name]
    return data


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _as_json(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # a datetime is a date
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.name
    return value


def assert_served(data: Any, value: Any) -> int:
    """Every domain field is served with its value; returns how many values (not nulls) it saw."""
    if isinstance(value, tuple):
        assert isinstance(data, list)
        assert len(data) == len(value)
        return sum(assert_served(d, v) for d, v in zip(data, value, strict=True))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        assert isinstance(data, dict)
        by_field = {_snake(key): item for key, item in data.items()}
        compared = 0
        for field in dataclasses.fields(value):
            assert field.name in by_field, f"{type(value).__name__}.{field.name} is not served"
            compared += assert_served(by_field[field.name], getattr(value, field.name))
        return compared
    assert data == _as_json(value)
    return int(value is not None)


# --- the checks -----------------------------------------------------------------------------


def declared_records_type(agency: Agency) -> type:
    """The ``RecordsT`` of ``Connector[RecordsT]`` that the agency's connector subclasses."""
    bases = getattr(CONNECTORS[agency], "__orig_bases__", ())
    (base,) = [b for b in bases if typing.get_origin(b) is Connector]
    (records_type,) = typing.get_args(base)
    assert isinstance(records_type, type)
    return records_type


def test_the_example_cases_cover_every_agency() -> None:
    assert {agency for agency, _, _ in CASES} == set(CONNECTORS)
    assert set(MOCK_AGENCIES) >= {agency.value for agency in CONNECTORS}


@pytest.mark.parametrize("agency", AGENCIES, ids=lambda a: a.value)
def test_each_agency_has_its_own_registered_records_type(agency: Agency) -> None:
    records_type = declared_records_type(agency)
    assert codec.RECORD_TYPES[records_type.__name__] is records_type
    assert _FIELDS[records_type][0] == agency.value  # the debtor profile's field of the agency
    assert MOCK_AGENCIES[agency.value].subject_kinds == {
        k.value for k in CONNECTORS[agency].subject_kinds
    }


@pytest.mark.parametrize(
    ("agency", "kind", "tier"), CASES, ids=[f"{a.value}-{k}-{t.value}" for a, k, t in CASES]
)
def test_mock_records_map_cache_and_serve(
    agency: Agency, kind: SubjectKindName, tier: Tier
) -> None:
    doc = wire_json(agency, kind, EXAMPLES[kind][tier])
    assert doc is not None
    model = parse(agency, kind, doc)
    records = to_domain(agency)(model)

    assert type(records) is declared_records_type(agency)
    assert codec.RECORD_TYPES[type(records).__name__] is type(records)
    sent = sum(len(v) if isinstance(v, list) else v is not None for v in doc.values())
    assert records.count() == sent
    assert_same(model, records)  # every field, typed as the domain says
    hash(records)  # frozen all the way down: usable as a cache value

    document = json.loads(json.dumps(codec.dump_records(records)))  # through real JSON
    assert document["type"] == type(records).__name__
    assert codec.load_records(document) == records

    leaves = assert_served(shown(records), records)
    assert (leaves > 0) == (sent > 0)


def test_rich_examples_have_records_somewhere() -> None:
    # guards the generic test above against an agency whose examples are all empty
    for agency in AGENCIES:
        counts = [
            example(agency, k, Tier.RICH).count() for k in MOCK_AGENCIES[agency.value].subject_kinds
        ]
        assert max(counts) > 0, agency


@pytest.mark.parametrize("agency", AGENCIES, ids=lambda a: a.value)
async def test_the_connector_answers_a_batch_with_these_records(agency: Agency) -> None:
    """The connector's own parsing and mapping (``post_inquiry``) give what ``mapped`` gives."""
    calls: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        assert request.url.path == "/v1/inquiries"
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        body = json.loads(request.content)
        results = []
        for s in body["subjects"]:
            records = wire_json(agency, s["kind"], s["id"])
            status = "not_found" if records is None else "found"
            results.append({"kind": s["kind"], "id": s["id"], "status": status, "records": records})
        doc = {"requestId": body["requestId"], "agency": agency.value, "results": results}
        return httpx.Response(200, json=doc)

    subjects = [Subject(SubjectKind(k), EXAMPLES[k][t]) for k in ("natural", "legal") for t in Tier]
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        connector = CONNECTORS[agency](AgencyEndpoint("http://agency.test", TOKEN), client)
        assert connector.agency is agency
        served = [s for s in subjects if connector.applies_to(s)]
        assert {s.kind.value for s in served} == MOCK_AGENCIES[agency.value].subject_kinds
        case = parse_case_number("(2025)苏0812执1号")
        answers = await connector.query(Inquiry("req-1", case, "苏0812", tuple(served)))
    assert len(calls) == 1
    assert answers == {
        s.key: None
        if s.id == EXAMPLES[s.kind.value][Tier.UNKNOWN]
        else mapped(agency, s.kind.value, s.id)
        for s in served
    }

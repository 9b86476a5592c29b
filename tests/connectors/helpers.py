"""Helpers for the connectors' tests: records from wire JSON, the mocks' answers, GraphQL.

Wire JSON is read the way the connector reads it (the agency's ``@record`` classes through
pydantic); the mocks are asked over their HTTP contract, in process, so these tests never
reach into a mock's own data code; GraphQL serves records through the gateway's own types.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import re
from typing import Any

import graphql
import httpx
import strawberry

from connectors.base import AgencyEndpoint
from connectors.http import HttpConnector
from connectors.registry import AGENCIES
from gateway.domain.records import AgencyRecords, wire_adapter
from gateway.domain.subjects import Subject, SubjectKind
from gateway.schema.records import record_type
from mocks.synthetic import Tier, example_subjects

EXAMPLES = example_subjects()
MOCK_TOKEN = "connector-tests-token-51c2"


def records_of(agency: str, wire: dict[str, Any]) -> Any:
    """One subject's records as the agency's connector reads them from its JSON."""
    return wire_adapter(AGENCIES.spec(agency).records).validate_python(wire)


def answer_body(agency: str, subjects: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "requestId": f"tests-{agency}",
        "caseNumber": "(2026)苏0812执1号",
        "court": "苏0812",
        "subjects": [{"kind": kind, "id": subject_id} for kind, subject_id in subjects],
    }


async def mock_answer(agency: str, subjects: list[tuple[str, str]]) -> dict[str, Any]:
    """What the agency's mock answers about ``subjects`` (``(kind, id)`` pairs), as JSON."""
    from mocks.server import create_mock_app

    app = create_mock_app(agency, token=MOCK_TOKEN)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        response = await client.post(
            "/v1/inquiries",
            json=answer_body(agency, subjects),
            headers={"Authorization": f"Bearer {MOCK_TOKEN}"},
        )
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


async def wire_json(agency: str, kind: str, subject_id: str) -> dict[str, Any] | None:
    """The records the agency's mock sends for one subject; ``None`` when it knows none."""
    (result,) = (await mock_answer(agency, [(kind, subject_id)]))["results"]
    if result["status"] == "not_found":
        return None
    records: dict[str, Any] = result["records"]
    return records


async def example(agency: str, kind: str, tier: Tier) -> Any:
    """The records the connector reads from the mock's answer about an example subject."""
    wire = await wire_json(agency, kind, EXAMPLES[kind][tier])  # type: ignore[index]
    assert wire is not None, f"the {agency} mock does not know its {kind} {tier} example"
    return records_of(agency, wire)


async def served_kinds(agency: str) -> set[SubjectKind]:
    """The kinds of subject the agency's connector asks about (the rich example of each kind)."""
    async with httpx.AsyncClient() as client:
        endpoint = AgencyEndpoint(f"http://{agency}.test", "t")
        connector = HttpConnector(AGENCIES.spec(agency), endpoint, client)
        assert connector.agency == agency
        return {
            kind
            for kind in SubjectKind
            if connector.applies_to(Subject(kind, EXAMPLES[kind.value][Tier.RICH]))
        }


def sent_count(wire: dict[str, Any]) -> int:
    """How many records an agency's JSON holds: list items and present objects, counted apart
    from the connector's own ``count()``."""
    return sum(len(v) if isinstance(v, list) else v is not None for v in wire.values())


# --- GraphQL: each agency's records served by the gateway's own types -------------------------

_FIELDS = {spec.name: record_type(spec.records) for spec in AGENCIES}
_Query = strawberry.type(
    type(
        "Query",
        (),
        {"__annotations__": {n: t | None for n, t in _FIELDS.items()}, **dict.fromkeys(_FIELDS)},
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
    """The records as GraphQL serves them, every leaf queried."""
    (name,) = [s.name for s in AGENCIES if s.records is type(records)]
    query_type = SCHEMA._schema.query_type
    assert query_type is not None
    leaves = _selection(graphql.get_named_type(query_type.fields[name].type))
    result = SCHEMA.execute_sync(f"{{ {name} {leaves} }}", root_value=_Query(**{name: records}))
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
    """Every record field is served with its value; returns how many values (not nulls) it saw."""
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


def assert_same_as_wire(wire: Any, value: Any) -> None:
    """Every record field equals its JSON value (camelCase key), typed as the record says."""
    if isinstance(value, tuple):
        assert isinstance(wire, list)
        assert len(wire) == len(value)
        for item, wire_item in zip(value, wire, strict=True):
            assert_same_as_wire(wire_item, item)
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        assert isinstance(wire, dict)
        by_field = {_snake(key): item for key, item in wire.items()}
        for field in dataclasses.fields(value):
            assert_same_as_wire(by_field.get(field.name), getattr(value, field.name))
        return
    assert json.loads(json.dumps(_as_json(value))) == wire

"""Permit offices specifics; ``test_records`` checks what every agency's records share."""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx

from connectors.base import AgencyEndpoint, Inquiry
from connectors.http import HttpConnector
from connectors.permits.records import (
    InspectionCredit,
    PermitRecords,
    ProductRegistration,
    SafetyPermit,
)
from connectors.registry import AGENCIES
from gateway.domain.cases import parse_case_number
from gateway.domain.records import wire_adapter
from gateway.domain.subjects import Subject, SubjectKind
from mocks.synthetic import Tier, tier_of
from tests.connectors.helpers import (
    EXAMPLES,
    assert_same_as_wire,
    example,
    mock_answer,
    records_of,
    served_kinds,
    shown,
    wire_json,
)
from tests.mocks.helpers import uscc_ids


def firms(count: int) -> list[str]:
    return [i for i in uscc_ids(count) if tier_of(i) is not Tier.UNKNOWN]


async def many_wires(count: int) -> list[dict[str, Any]]:
    """What the permits mock sends about many firms, asked in one batch."""
    answer = await mock_answer("permits", [("legal", i) for i in firms(count)])
    assert all(r["status"] == "found" for r in answer["results"])  # none of the unknown tier
    return [r["records"] for r in answer["results"]]


async def test_the_wire_is_camel_case() -> None:
    doc = await wire_json("permits", "legal", EXAMPLES["legal"][Tier.RICH])
    assert doc is not None
    assert set(doc) == {"safetyPermits", "productRegistrations", "inspectionCredit"}
    assert set(doc["inspectionCredit"]) == {"customsCode", "rating", "ratedOn", "authority"}


async def test_the_rich_example_reads_as_the_expected_records() -> None:
    # 淮安市洪泽湖置业有限公司: a developer holds no permit, but a rich one imports
    assert await example("permits", "legal", Tier.RICH) == PermitRecords(
        safety_permits=(),
        product_registrations=(),
        inspection_credit=InspectionCredit(
            customs_code="3208933089",
            rating="一般信用企业",
            rated_on=datetime.date(2023, 8, 3),
            authority="淮安海关",
        ),
    )


async def test_the_empty_example_reads_as_no_records() -> None:
    # 淮安市华瑞盐化有限公司, of the empty tier: nothing, though salt works need permits
    records = await example("permits", "legal", Tier.EMPTY)
    assert records == PermitRecords()
    assert records.count() == 0


async def test_every_field_arrives_typed_as_the_records_say() -> None:
    seen = {"permits": 0, "products": 0, "credit": 0}
    for wire in await many_wires(600):
        records = records_of("permits", wire)
        assert isinstance(records.safety_permits, tuple)
        assert_same_as_wire(wire, records)  # every field equals what the mock sent
        assert all(isinstance(p, SafetyPermit) for p in records.safety_permits)
        assert all(isinstance(p, ProductRegistration) for p in records.product_registrations)
        assert (records.inspection_credit is None) == (wire["inspectionCredit"] is None)
        assert records.count() == (
            len(wire["safetyPermits"])
            + len(wire["productRegistrations"])
            + (wire["inspectionCredit"] is not None)
        )
        seen["permits"] += len(records.safety_permits)
        seen["products"] += len(records.product_registrations)
        seen["credit"] += records.inspection_credit is not None
        hash(records)  # frozen all the way down
    assert min(seen.values()) > 5


async def test_many_firms_records_round_trip_through_the_cache() -> None:
    # the examples (see test_records) hold no permit or registration: these firms do
    adapter = wire_adapter(PermitRecords)
    with_expiry_none = 0
    for wire in await many_wires(400):
        records = records_of("permits", wire)
        doc = json.loads(json.dumps(adapter.dump_python(records, mode="json", by_alias=True)))
        assert adapter.validate_python(doc) == records  # through real JSON, as Redis keeps it
        with_expiry_none += sum(p.expires_on is None for p in records.product_registrations)
    assert with_expiry_none > 0  # optional dates survive as None


async def test_the_schema_renders_the_records() -> None:
    permit = SafetyPermit(
        permit_number="(苏)FM安许证字〔2023〕080123号",
        scope="岩盐（钻井水溶）开采",
        issued_by="江苏省应急管理厅",
        issued_on=datetime.date(2023, 4, 10),
        expires_on=datetime.date(2026, 4, 9),
        status="有效",
    )
    filing = ProductRegistration(
        category="第一类医疗器械",
        registration_number="苏淮械备20230045",
        product_name="医用冷敷贴",
        issued_by="淮安市市场监督管理局",
        issued_on=datetime.date(2023, 5, 6),
        expires_on=None,
        status="有效",
    )
    rendered = shown(PermitRecords(safety_permits=(permit,), product_registrations=(filing,)))
    assert [p["permitNumber"] for p in rendered["safetyPermits"]] == [permit.permit_number]
    assert rendered["productRegistrations"][0]["expiresOn"] is None
    assert rendered["inspectionCredit"] is None
    rich = shown(await example("permits", "legal", Tier.RICH))
    assert rich["inspectionCredit"]["customsCode"] == "3208933089"


async def test_the_connector_asks_for_legal_persons_only() -> None:
    assert await served_kinds("permits") == {SubjectKind.LEGAL}  # permits are held by firms


async def test_an_answer_of_empty_records_reads_as_no_permit_records() -> None:
    subject = Subject(SubjectKind.LEGAL, EXAMPLES["legal"][Tier.ORDINARY])
    answer = {
        "requestId": "r",
        "agency": "permits",
        "results": [{"kind": "legal", "id": subject.id, "status": "found", "records": {}}],
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    async with httpx.AsyncClient(transport=transport) as client:
        endpoint = AgencyEndpoint("http://permits.test", "t")
        connector = HttpConnector(AGENCIES.spec("permits"), endpoint, client)
        case = parse_case_number("(2025)苏0812执1号")
        answers = await connector.query(Inquiry("r", case, "苏0812", (subject,)))
    assert answers == {subject.key: PermitRecords(inspection_credit=None)}

"""Permit offices: the mock's JSON, parsed and mapped, is the domain record, cached and shown."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

import httpx
import pytest

from connectors.base import AgencyEndpoint, Inquiry
from connectors.envelope import SubjectRef
from connectors.permits import PermitConnector
from connectors.permits.mapping import to_domain
from connectors.permits.models import PermitInquiryResponse, PermitRecordsModel
from gateway.domain import codec
from gateway.domain.agencies import Agency
from gateway.domain.cases import parse_case_number
from gateway.domain.permits import (
    InspectionCredit,
    PermitRecords,
    ProductRegistration,
    SafetyPermit,
)
from gateway.domain.subjects import Subject, SubjectKind, uscc_check_character
from gateway.schema.permits import PermitRecords as PermitRecordsType
from mocks.permits import records_for
from mocks.synthetic import Tier, example_subjects, tier_of

EXAMPLES = example_subjects()


def wire(subject_id: str) -> PermitRecordsModel | None:
    """What the connector reads: the mock's JSON, parsed by the connector's own model."""
    model = records_for(SubjectRef(kind="legal", id=subject_id))
    if model is None:
        return None
    return PermitRecordsModel.model_validate_json(
        json.dumps(model.model_dump(mode="json", by_alias=True))
    )


def mapped(subject_id: str) -> PermitRecords:
    model = wire(subject_id)
    assert model is not None
    return to_domain(model)


def firms(count: int) -> list[str]:
    ids = [(f := f"91320804MA{n:07d}") + uscc_check_character(f) for n in range(count)]
    return [i for i in ids if tier_of(i) is not Tier.UNKNOWN]


def test_the_wire_is_camel_case() -> None:
    model = records_for(SubjectRef(kind="legal", id=EXAMPLES["legal"][Tier.RICH]))
    assert model is not None
    doc = model.model_dump(mode="json", by_alias=True)
    assert set(doc) == {"safetyPermits", "productRegistrations", "inspectionCredit"}
    assert set(doc["inspectionCredit"]) == {"customsCode", "rating", "ratedOn", "authority"}


def test_the_rich_example_maps_to_the_expected_records() -> None:
    # 淮安市洪泽湖置业有限公司: a developer holds no permit, but a rich one imports
    assert mapped(EXAMPLES["legal"][Tier.RICH]) == PermitRecords(
        safety_permits=(),
        product_registrations=(),
        inspection_credit=InspectionCredit(
            customs_code="3208933089",
            rating="一般信用企业",
            rated_on=datetime.date(2023, 8, 3),
            authority="淮安海关",
        ),
    )


def test_the_empty_example_maps_to_no_records() -> None:
    # 淮安市华瑞盐化有限公司, of the empty tier: nothing, though salt works need permits
    records = mapped(EXAMPLES["legal"][Tier.EMPTY])
    assert records == PermitRecords((), (), None)
    assert records.count() == 0


def test_every_field_arrives_typed_as_the_domain_says() -> None:
    seen = {"permits": 0, "products": 0, "credit": 0}
    for subject_id in firms(600):
        model = wire(subject_id)
        assert model is not None
        records = to_domain(model)
        assert isinstance(records.safety_permits, tuple)
        assert [dataclasses.asdict(p) for p in records.safety_permits] == [
            p.model_dump() for p in model.safety_permits
        ]
        assert [dataclasses.asdict(p) for p in records.product_registrations] == [
            p.model_dump() for p in model.product_registrations
        ]
        if model.inspection_credit is None:
            assert records.inspection_credit is None
        else:
            assert records.inspection_credit == InspectionCredit(
                **model.inspection_credit.model_dump()
            )
        assert all(isinstance(p, SafetyPermit) for p in records.safety_permits)
        assert all(isinstance(p, ProductRegistration) for p in records.product_registrations)
        assert records.count() == (
            len(model.safety_permits)
            + len(model.product_registrations)
            + (model.inspection_credit is not None)
        )
        seen["permits"] += len(records.safety_permits)
        seen["products"] += len(records.product_registrations)
        seen["credit"] += records.inspection_credit is not None
        hash(records)  # frozen all the way down
    assert min(seen.values()) > 5


def test_records_round_trip_through_the_cache_codec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(codec.RECORD_TYPES, "PermitRecords", PermitRecords)
    with_expiry_none = 0
    for subject_id in firms(400):
        records = mapped(subject_id)
        doc = json.loads(json.dumps(codec.dump_records(records)))  # through real JSON
        assert doc["type"] == "PermitRecords"
        assert codec.load_records(doc) == records
        with_expiry_none += sum(p.expires_on is None for p in records.product_registrations)
    assert with_expiry_none > 0  # optional dates survive as None


def test_the_schema_renders_the_records() -> None:
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
    rendered = PermitRecordsType.from_domain(PermitRecords((permit,), (filing,), None))
    assert [p.permit_number for p in rendered.safety_permits] == [permit.permit_number]
    assert rendered.product_registrations[0].expires_on is None
    assert rendered.inspection_credit is None
    rich = PermitRecordsType.from_domain(mapped(EXAMPLES["legal"][Tier.RICH]))
    assert rich.inspection_credit is not None
    assert rich.inspection_credit.customs_code == "3208933089"


def mock_transport() -> httpx.MockTransport:
    """An agency answering from the permits mock's generator, as the contract says."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        results: list[dict[str, Any]] = []
        for subject in body["subjects"]:
            model = records_for(SubjectRef.model_validate(subject))
            records = None if model is None else model.model_dump(mode="json", by_alias=True)
            results.append(
                {
                    "kind": subject["kind"],
                    "id": subject["id"],
                    "status": "not_found" if records is None else "found",
                    "records": records,
                }
            )
        return httpx.Response(
            200, json={"requestId": body["requestId"], "agency": "permits", "results": results}
        )

    return httpx.MockTransport(answer)


async def test_the_connector_asks_for_legal_persons_only() -> None:
    rich = Subject(SubjectKind.LEGAL, EXAMPLES["legal"][Tier.RICH])
    unknown = Subject(SubjectKind.LEGAL, EXAMPLES["legal"][Tier.UNKNOWN])
    person = Subject(SubjectKind.NATURAL, EXAMPLES["natural"][Tier.RICH])
    async with httpx.AsyncClient(transport=mock_transport()) as client:
        connector = PermitConnector(AgencyEndpoint("http://permits.test", "token-x"), client)
        assert connector.agency is Agency.PERMITS
        assert connector.applies_to(rich)
        assert not connector.applies_to(person)
        case = parse_case_number("(2025)苏0812执1号")
        answers = await connector.query(Inquiry("r-1", case, "苏0812", (rich, unknown)))
    assert answers == {rich.key: mapped(EXAMPLES["legal"][Tier.RICH]), unknown.key: None}


def test_the_response_model_is_the_envelope_of_permit_records() -> None:
    doc = {
        "requestId": "r",
        "agency": "permits",
        "results": [{"kind": "legal", "id": "x", "status": "found", "records": {}}],
    }
    records = PermitInquiryResponse.model_validate(doc).results[0].records
    assert records == PermitRecordsModel()
    assert records is not None
    assert to_domain(records) == PermitRecords((), (), None)

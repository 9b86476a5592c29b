"""Permit offices specifics; ``test_records`` checks what every agency's records share."""

from __future__ import annotations

import dataclasses
import datetime
import json

from connectors.permits.mapping import to_domain
from connectors.permits.models import PermitInquiryResponse, PermitRecordsModel
from gateway.domain.permits import (
    InspectionCredit,
    PermitRecords,
    ProductRegistration,
    SafetyPermit,
)

from connectors.permits import PermitConnector
from gateway.domain import codec
from gateway.domain.subjects import SubjectKind
from mocks.synthetic import Tier, example_subjects, tier_of
from tests.connectors.test_records import example, mapped, shown, wire_json, wire_model
from tests.mocks.helpers import uscc_ids

EXAMPLES = example_subjects()


def firms(count: int) -> list[str]:
    return [i for i in uscc_ids(count) if tier_of(i) is not Tier.UNKNOWN]


def test_the_wire_is_camel_case() -> None:
    doc = wire_json("permits", "legal", EXAMPLES["legal"][Tier.RICH])
    assert doc is not None
    assert set(doc) == {"safetyPermits", "productRegistrations", "inspectionCredit"}
    assert set(doc["inspectionCredit"]) == {"customsCode", "rating", "ratedOn", "authority"}


def test_the_rich_example_maps_to_the_expected_records() -> None:
    # 淮安市洪泽湖置业有限公司: a developer holds no permit, but a rich one imports
    assert example("permits", "legal", Tier.RICH) == PermitRecords(
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
    records = example("permits", "legal", Tier.EMPTY)
    assert records == PermitRecords((), (), None)
    assert records.count() == 0


def test_every_field_arrives_typed_as_the_domain_says() -> None:
    seen = {"permits": 0, "products": 0, "credit": 0}
    for subject_id in firms(600):
        model = wire_model("permits", "legal", subject_id)
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


def test_many_firms_records_round_trip_through_the_cache_codec() -> None:
    # the examples (see test_records) hold no permit or registration: these firms do
    with_expiry_none = 0
    for subject_id in firms(400):
        records = mapped("permits", "legal", subject_id)
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
    rendered = shown(PermitRecords((permit,), (filing,), None))
    assert [p["permitNumber"] for p in rendered["safetyPermits"]] == [permit.permit_number]
    assert rendered["productRegistrations"][0]["expiresOn"] is None
    assert rendered["inspectionCredit"] is None
    rich = shown(example("permits", "legal", Tier.RICH))
    assert rich["inspectionCredit"]["customsCode"] == "3208933089"


def test_the_connector_asks_for_legal_persons_only() -> None:
    assert PermitConnector.agency == "permits"
    assert PermitConnector.subject_kinds == {SubjectKind.LEGAL}  # permits are held by firms


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

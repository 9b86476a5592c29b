"""Tax: the mock's JSON, parsed and mapped, is the domain; the domain caches and shows."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Literal

import httpx
import pytest

from connectors.base import AgencyEndpoint, Inquiry
from connectors.envelope import SubjectRef
from connectors.tax import TaxConnector
from connectors.tax.mapping import to_domain
from connectors.tax.models import TaxRecordsModel
from gateway.domain import codec
from gateway.domain.agencies import Agency
from gateway.domain.cases import parse_case_number
from gateway.domain.subjects import Subject, SubjectKind
from gateway.domain.tax import TaxArrears, TaxPayment, TaxPenalty, TaxRecords, TaxRegistration
from gateway.schema.tax import TaxRecords as TaxRecordsType
from mocks.synthetic import Tier, example_subjects
from mocks.tax import records_for
from tests.connectors.test_mapping import assert_same

EXAMPLES = example_subjects()
Kind = Literal["natural", "legal"]

WIRE = {
    "registration": {
        "taxpayerId": "91320812MA00020007",
        "taxpayerName": "淮安市洪泽湖置业有限公司",
        "taxAuthority": "国家税务总局淮安市清江浦区税务局",
        "registeredOn": "2020-08-16",
        "taxpayerType": "一般纳税人",
        "creditRating": "C",
        "status": "正常",
    },
    "payments": [
        {"taxType": "增值税", "period": "2025-05", "amount": "460158.23", "paidOn": "2025-06-01"},
        {
            "taxType": "个人所得税",
            "period": "2025-04",
            "amount": "57.08",
            "paidOn": "2025-05-14",
            "withholder": "淮安市清江浦区人民医院",
        },
    ],
    "arrears": [
        {
            "taxType": "增值税",
            "period": "2025-02",
            "amount": "467130.32",
            "lateFee": "24991.47",
            "since": "2025-03-16",
        }
    ],
    "penalties": [
        {
            "decisionNumber": "淮税稽罚〔2024〕37号",
            "authority": "国家税务总局淮安市税务局第一稽查局",
            "reason": "虚开增值税专用发票",
            "amount": "120000.00",
            "decidedOn": "2024-09-12",
            "status": "未缴纳",
        }
    ],
}

EXPECTED = TaxRecords(
    registration=TaxRegistration(
        taxpayer_id="91320812MA00020007",
        taxpayer_name="淮安市洪泽湖置业有限公司",
        tax_authority="国家税务总局淮安市清江浦区税务局",
        registered_on=datetime.date(2020, 8, 16),
        taxpayer_type="一般纳税人",
        credit_rating="C",
        status="正常",
    ),
    payments=(
        TaxPayment("增值税", "2025-05", Decimal("460158.23"), datetime.date(2025, 6, 1), None),
        TaxPayment(
            "个人所得税",
            "2025-04",
            Decimal("57.08"),
            datetime.date(2025, 5, 14),
            "淮安市清江浦区人民医院",
        ),
    ),
    arrears=(
        TaxArrears(
            "增值税",
            "2025-02",
            Decimal("467130.32"),
            Decimal("24991.47"),
            datetime.date(2025, 3, 16),
        ),
    ),
    penalties=(
        TaxPenalty(
            decision_number="淮税稽罚〔2024〕37号",
            authority="国家税务总局淮安市税务局第一稽查局",
            reason="虚开增值税专用发票",
            amount=Decimal("120000.00"),
            decided_on=datetime.date(2024, 9, 12),
            status="未缴纳",
        ),
    ),
)

CASES = [(kind, tier) for kind in ("natural", "legal") for tier in (Tier.RICH, Tier.ORDINARY)]


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(codec.RECORD_TYPES, "TaxRecords", TaxRecords)


def mock_records(kind: Kind, tier: Tier) -> TaxRecordsModel:
    model = records_for(SubjectRef(kind=kind, id=EXAMPLES[kind][tier]))
    assert model is not None
    return model


def from_wire(model: TaxRecordsModel) -> TaxRecords:
    """The mock's JSON, as the connector reads it."""
    wire = model.model_dump(mode="json", by_alias=True)
    return to_domain(TaxRecordsModel.model_validate_json(json.dumps(wire)))


def test_the_wire_document_maps_to_the_expected_records() -> None:
    records = to_domain(TaxRecordsModel.model_validate(WIRE))
    assert records == EXPECTED
    assert records.count() == 5


def test_a_person_without_a_registration_maps_to_none() -> None:
    records = to_domain(TaxRecordsModel.model_validate({"payments": WIRE["payments"]}))
    assert records.registration is None
    assert records.count() == 2


@pytest.mark.parametrize(("kind", "tier"), CASES)
def test_mock_records_map_field_for_field(kind: Kind, tier: Tier) -> None:
    model = mock_records(kind, tier)
    records = from_wire(model)
    assert_same(model, records)
    assert records.registration is not None
    assert records.registration.taxpayer_id == EXAMPLES[kind][tier]
    assert records.count() == 1 + len(model.payments) + len(model.arrears) + len(model.penalties)
    hash(records)


@pytest.mark.parametrize("kind", ["natural", "legal"])
def test_empty_tier_maps_to_no_records(kind: Kind) -> None:
    records = from_wire(mock_records(kind, Tier.EMPTY))
    assert records == TaxRecords(None, (), (), ())
    assert records.count() == 0


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize(("kind", "tier"), [*CASES, ("legal", Tier.EMPTY)])
def test_records_round_trip_through_the_cache_codec(kind: Kind, tier: Tier) -> None:
    records = from_wire(mock_records(kind, tier))
    doc = json.loads(json.dumps(codec.dump_records(records)))
    assert doc["type"] == "TaxRecords"
    assert codec.load_records(doc) == records
    assert codec.load_records(codec.dump_records(EXPECTED)) == EXPECTED


def test_the_schema_shows_the_records() -> None:
    shown = TaxRecordsType.from_domain(EXPECTED)
    assert shown.registration is not None
    assert shown.registration.credit_rating == "C"
    assert [p.withholder for p in shown.payments] == [None, "淮安市清江浦区人民医院"]
    assert shown.arrears[0].late_fee == Decimal("24991.47")
    assert shown.penalties[0].decision_number == "淮税稽罚〔2024〕37号"
    assert TaxRecordsType.from_domain(TaxRecords(None, (), (), ())).registration is None
    rich = from_wire(mock_records("legal", Tier.RICH))
    shown = TaxRecordsType.from_domain(rich)
    assert [(p.tax_type, p.period, p.amount) for p in shown.payments] == [
        (p.tax_type, p.period, p.amount) for p in rich.payments
    ]


async def test_connector_serves_both_kinds_and_maps_the_answer() -> None:
    assert TaxConnector.agency is Agency.TAX
    subjects = (
        Subject(SubjectKind.LEGAL, EXAMPLES["legal"][Tier.RICH]),
        Subject(SubjectKind.NATURAL, EXAMPLES["natural"][Tier.ORDINARY]),
        Subject(SubjectKind.NATURAL, EXAMPLES["natural"][Tier.UNKNOWN]),
    )

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert request.headers["Authorization"] == "Bearer tax-token"
        results = []
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
            200, json={"requestId": body["requestId"], "agency": "tax", "results": results}
        )

    inquiry = Inquiry("req-1", parse_case_number("(2025)苏0812执1号"), "苏0812", subjects)
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        connector = TaxConnector(AgencyEndpoint("http://tax.test", "tax-token"), client)
        assert all(connector.applies_to(s) for s in subjects)
        answers = await connector.query(inquiry)
    assert answers == {
        subjects[0].key: from_wire(mock_records("legal", Tier.RICH)),
        subjects[1].key: from_wire(mock_records("natural", Tier.ORDINARY)),
        subjects[2].key: None,
    }

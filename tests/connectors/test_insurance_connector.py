"""The insurance connector: the agency's JSON becomes the domain records the gateway serves."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
import strawberry

from connectors.base import AgencyEndpoint, Inquiry
from connectors.envelope import SubjectRef
from connectors.insurance import InsuranceConnector
from connectors.insurance.mapping import to_domain
from connectors.insurance.models import InsuranceRecordsModel
from gateway.domain import codec
from gateway.domain.agencies import Agency
from gateway.domain.cases import parse_case_number
from gateway.domain.insurance import (
    InsuranceRecords,
    InsuranceWealthProduct,
    Policy,
    PolicyFreeze,
)
from gateway.domain.subjects import Subject, SubjectKind
from gateway.schema import insurance as schema
from mocks.insurance import records_for
from mocks.server import create_mock_app
from mocks.synthetic import Tier, example_subjects

EXAMPLES = example_subjects()
TOKEN = "insurance-test-token-9a0e"

ANSWER = {  # one subject's records as an agency would send them
    "policies": [
        {
            "policyNumber": "P32201832081212345678",
            "insurer": "中国人寿保险股份有限公司淮安分公司",
            "productName": "国寿鑫享传家终身寿险",
            "policyType": "终身寿险",
            "role": "投保人",
            "policyholder": "王伟",
            "insured": "王伟",
            "sumInsured": "650000.00",
            "cashValue": "512345.67",
            "premium": "100000.00",
            "paymentYears": 5,
            "effectiveOn": "2018-03-15",
            "status": "冻结",
        },
        {
            "policyNumber": "PDAA202532081287654321",
            "insurer": "中国人民财产保险股份有限公司淮安市分公司",
            "productName": "人保机动车商业保险",
            "policyType": "车险",
            "role": "投保人",
            "policyholder": "王伟",
            "insured": "王伟",
            "insuredObject": "苏H·A12B3",
            "sumInsured": "2150000.00",
            "cashValue": "0.00",
            "premium": "4320.10",
            "paymentYears": 1,
            "effectiveOn": "2025-01-02",
            "expiresOn": "2026-01-01",
            "status": "有效",
        },
    ],
    "wealthProducts": [
        {
            "insurer": "泰康人寿保险有限责任公司淮安中心支公司",
            "productCode": "TKU123456",
            "productName": "泰康金账户年金保险（万能型）",
            "productType": "万能账户",
            "accountValue": "300000.00",
            "purchasedOn": "2021-09-09",
        }
    ],
    "freezes": [
        {
            "policyNumber": "P32201832081212345678",
            "insurer": "中国人寿保险股份有限公司淮安分公司",
            "court": "淮安市淮阴区人民法院",
            "caseNumber": "(2025)苏0804执恢12号",
            "frozenFrom": "2025-02-10",
            "frozenUntil": "2028-02-09",
        }
    ],
}


def day(value: str | None) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value)


def expected_from_json(doc: dict[str, Any]) -> InsuranceRecords:
    """The domain records a JSON answer means, built straight from its camelCase keys."""
    return InsuranceRecords(
        policies=tuple(
            Policy(
                policy_number=p["policyNumber"],
                insurer=p["insurer"],
                product_name=p["productName"],
                policy_type=p["policyType"],
                role=p["role"],
                policyholder=p["policyholder"],
                insured=p["insured"],
                insured_object=p.get("insuredObject"),
                sum_insured=Decimal(p["sumInsured"]),
                cash_value=Decimal(p["cashValue"]),
                premium=Decimal(p["premium"]),
                payment_years=p["paymentYears"],
                effective_on=datetime.date.fromisoformat(p["effectiveOn"]),
                expires_on=day(p.get("expiresOn")),
                status=p["status"],
            )
            for p in doc["policies"]
        ),
        wealth_products=tuple(
            InsuranceWealthProduct(
                insurer=w["insurer"],
                product_code=w["productCode"],
                product_name=w["productName"],
                product_type=w["productType"],
                account_value=Decimal(w["accountValue"]),
                purchased_on=datetime.date.fromisoformat(w["purchasedOn"]),
            )
            for w in doc["wealthProducts"]
        ),
        freezes=tuple(
            PolicyFreeze(
                policy_number=f["policyNumber"],
                insurer=f["insurer"],
                court=f["court"],
                case_number=f["caseNumber"],
                frozen_from=datetime.date.fromisoformat(f["frozenFrom"]),
                frozen_until=datetime.date.fromisoformat(f["frozenUntil"]),
            )
            for f in doc["freezes"]
        ),
    )


def mock_json(kind: str, subject_id: str) -> dict[str, Any]:
    model = records_for(SubjectRef(kind=kind, id=subject_id))
    assert model is not None
    doc: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return doc


def test_an_answer_maps_to_exactly_these_records():
    records = to_domain(InsuranceRecordsModel.model_validate(ANSWER))
    life, motor = records.policies
    assert life == Policy(
        "P32201832081212345678",
        "中国人寿保险股份有限公司淮安分公司",
        "国寿鑫享传家终身寿险",
        "终身寿险",
        "投保人",
        "王伟",
        "王伟",
        None,
        Decimal("650000.00"),
        Decimal("512345.67"),
        Decimal("100000.00"),
        5,
        datetime.date(2018, 3, 15),
        None,
        "冻结",
    )
    assert motor.insured_object == "苏H·A12B3"
    assert motor.expires_on == datetime.date(2026, 1, 1)
    assert motor.cash_value == Decimal("0.00")
    assert records.wealth_products == (
        InsuranceWealthProduct(
            "泰康人寿保险有限责任公司淮安中心支公司",
            "TKU123456",
            "泰康金账户年金保险（万能型）",
            "万能账户",
            Decimal("300000.00"),
            datetime.date(2021, 9, 9),
        ),
    )
    assert records.freezes == (
        PolicyFreeze(
            "P32201832081212345678",
            "中国人寿保险股份有限公司淮安分公司",
            "淮安市淮阴区人民法院",
            "(2025)苏0804执恢12号",
            datetime.date(2025, 2, 10),
            datetime.date(2028, 2, 9),
        ),
    )
    assert records.count() == 4
    assert isinstance(records.policies, tuple)


@pytest.mark.parametrize("kind", ["natural", "legal"])
@pytest.mark.parametrize("tier", [Tier.RICH, Tier.ORDINARY])
def test_the_mocks_json_maps_field_for_field(kind, tier):
    doc = mock_json(kind, EXAMPLES[kind][tier])
    records = to_domain(InsuranceRecordsModel.model_validate_json(json.dumps(doc)))
    assert records == expected_from_json(doc)
    assert records.count() == sum(len(doc[k]) for k in doc) > 0
    hash(records)  # frozen all the way down


def test_the_policyholders_cash_value_is_what_the_summary_can_add_up():
    records = expected_from_json(ANSWER)
    enforceable = sum(
        (p.cash_value for p in records.policies if p.role == "投保人"), Decimal(0)
    ) + sum((w.account_value for w in records.wealth_products), Decimal(0))
    assert enforceable == Decimal("812345.67")


@pytest.mark.parametrize("source", ["answer", "natural", "legal"])
def test_records_round_trip_through_the_cache_codec(monkeypatch, source):
    monkeypatch.setitem(codec.RECORD_TYPES, "InsuranceRecords", InsuranceRecords)
    doc = ANSWER if source == "answer" else mock_json(source, EXAMPLES[source][Tier.RICH])
    records = expected_from_json(doc)
    document = json.loads(json.dumps(codec.dump_records(records)))
    assert document["type"] == "InsuranceRecords"
    loaded = codec.load_records(document)
    assert loaded == records
    assert isinstance(loaded, InsuranceRecords)


def test_the_schema_serves_the_records():
    records = expected_from_json(ANSWER)

    @strawberry.type
    class Query:
        @strawberry.field
        def insurance(self) -> schema.InsuranceRecords:
            return schema.InsuranceRecords.from_domain(records)

    result = strawberry.Schema(query=Query).execute_sync(
        "{ insurance { policies { policyNumber role cashValue insuredObject expiresOn status } "
        "wealthProducts { productType accountValue } freezes { policyNumber caseNumber } } }"
    )
    assert result.errors is None
    assert result.data == {
        "insurance": {
            "policies": [
                {
                    "policyNumber": "P32201832081212345678",
                    "role": "投保人",
                    "cashValue": "512345.67",
                    "insuredObject": None,
                    "expiresOn": None,
                    "status": "冻结",
                },
                {
                    "policyNumber": "PDAA202532081287654321",
                    "role": "投保人",
                    "cashValue": "0.00",
                    "insuredObject": "苏H·A12B3",
                    "expiresOn": "2026-01-01",
                    "status": "有效",
                },
            ],
            "wealthProducts": [{"productType": "万能账户", "accountValue": "300000.00"}],
            "freezes": [
                {"policyNumber": "P32201832081212345678", "caseNumber": "(2025)苏0804执恢12号"}
            ],
        }
    }


async def test_the_connector_asks_the_mock_in_one_batch():
    app = create_mock_app(Agency.INSURANCE, token=TOKEN)
    rich = Subject(SubjectKind.NATURAL, EXAMPLES["natural"][Tier.RICH])
    firm = Subject(SubjectKind.LEGAL, EXAMPLES["legal"][Tier.ORDINARY])
    unknown = Subject(SubjectKind.NATURAL, EXAMPLES["natural"][Tier.UNKNOWN])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        connector = InsuranceConnector(AgencyEndpoint("http://insurance", TOKEN), client)
        assert connector.agency is Agency.INSURANCE
        assert connector.applies_to(rich)
        assert connector.applies_to(firm)
        answers = await connector.query(
            Inquiry(
                "req-1", parse_case_number("(2025)苏0812执1号"), "苏0812", (rich, firm, unknown)
            )
        )
    assert answers[unknown.key] is None
    assert answers[rich.key] == expected_from_json(mock_json("natural", rich.id))
    assert answers[firm.key] == expected_from_json(mock_json("legal", firm.id))
    assert app.state.mock.stats.inquiries == 1

"""Tax specifics; ``test_records`` checks what every agency's records share."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

import pytest

from connectors.tax.records import (
    TaxArrears,
    TaxPayment,
    TaxPenalty,
    TaxRecords,
    TaxRegistration,
)
from gateway.domain.subjects import SubjectKind
from mocks.synthetic import Tier
from tests.connectors.helpers import EXAMPLES, example, records_of, served_kinds, shown

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
        TaxPayment(
            tax_type="增值税",
            period="2025-05",
            amount=Decimal("460158.23"),
            paid_on=datetime.date(2025, 6, 1),
            withholder=None,
        ),
        TaxPayment(
            tax_type="个人所得税",
            period="2025-04",
            amount=Decimal("57.08"),
            paid_on=datetime.date(2025, 5, 14),
            withholder="淮安市清江浦区人民医院",
        ),
    ),
    arrears=(
        TaxArrears(
            tax_type="增值税",
            period="2025-02",
            amount=Decimal("467130.32"),
            late_fee=Decimal("24991.47"),
            since=datetime.date(2025, 3, 16),
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


def test_the_wire_document_reads_as_the_expected_records() -> None:
    records = records_of("tax", WIRE)
    assert records == EXPECTED
    assert records.count() == 5


def test_a_person_without_a_registration_reads_as_none() -> None:
    records = records_of("tax", {"payments": WIRE["payments"]})
    assert records.registration is None
    assert records.count() == 2


@pytest.mark.parametrize("kind", ["natural", "legal"])
@pytest.mark.parametrize("tier", [Tier.RICH, Tier.ORDINARY])
async def test_the_taxpayer_is_the_subject(kind: Kind, tier: Tier) -> None:
    records = await example("tax", kind, tier)
    assert records.registration is not None
    assert records.registration.taxpayer_id == EXAMPLES[kind][tier]


@pytest.mark.parametrize("kind", ["natural", "legal"])
async def test_empty_tier_reads_as_no_records(kind: Kind) -> None:
    records = await example("tax", kind, Tier.EMPTY)
    assert records == TaxRecords()
    assert records.count() == 0


def test_the_schema_shows_the_records() -> None:
    served = shown(EXPECTED)
    assert served["registration"]["creditRating"] == "C"
    assert [p["withholder"] for p in served["payments"]] == [None, "淮安市清江浦区人民医院"]
    assert served["arrears"][0]["lateFee"] == "24991.47"
    assert served["penalties"][0]["decisionNumber"] == "淮税稽罚〔2024〕37号"
    assert shown(TaxRecords())["registration"] is None


async def test_the_connector_serves_both_kinds() -> None:
    assert await served_kinds("tax") == set(SubjectKind)

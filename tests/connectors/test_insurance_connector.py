"""Insurance specifics; ``test_records`` checks what every agency's records share."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.insurance.records import (
    InsuranceRecords,
    InsuranceWealthProduct,
    Policy,
    PolicyFreeze,
)
from connectors.registry import AGENCIES
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import SubjectKind
from mocks.synthetic import Tier
from tests.connectors.helpers import example, records_of, served_kinds, shown

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


def answer() -> InsuranceRecords:
    records: InsuranceRecords = records_of("insurance", ANSWER)
    return records


def test_an_answer_reads_as_exactly_these_records() -> None:
    records = answer()
    life, motor = records.policies
    assert life == Policy(
        policy_number="P32201832081212345678",
        insurer="中国人寿保险股份有限公司淮安分公司",
        product_name="国寿鑫享传家终身寿险",
        policy_type="终身寿险",
        role="投保人",
        policyholder="王伟",
        insured="王伟",
        insured_object=None,
        sum_insured=Decimal("650000.00"),
        cash_value=Decimal("512345.67"),
        premium=Decimal("100000.00"),
        payment_years=5,
        effective_on=datetime.date(2018, 3, 15),
        expires_on=None,
        status="冻结",
    )
    assert motor.insured_object == "苏H·A12B3"
    assert motor.expires_on == datetime.date(2026, 1, 1)
    assert motor.cash_value == Decimal("0.00")
    assert records.wealth_products == (
        InsuranceWealthProduct(
            insurer="泰康人寿保险有限责任公司淮安中心支公司",
            product_code="TKU123456",
            product_name="泰康金账户年金保险（万能型）",
            product_type="万能账户",
            account_value=Decimal("300000.00"),
            purchased_on=datetime.date(2021, 9, 9),
        ),
    )
    assert records.freezes == (
        PolicyFreeze(
            policy_number="P32201832081212345678",
            insurer="中国人寿保险股份有限公司淮安分公司",
            court="淮安市淮阴区人民法院",
            case_number="(2025)苏0804执恢12号",
            frozen_from=datetime.date(2025, 2, 10),
            frozen_until=datetime.date(2028, 2, 9),
        ),
    )
    assert records.count() == 4
    assert isinstance(records.policies, tuple)


def test_the_policyholders_cash_value_is_what_the_summary_adds_up() -> None:
    records = answer()
    enforceable = sum(
        (p.cash_value for p in records.policies if p.role == "投保人"), Decimal(0)
    ) + sum((w.account_value for w in records.wealth_products), Decimal(0))
    assert enforceable == Decimal("812345.67")
    result = SourceResult("insurance", SourceStatus.OK, records=records)
    insurance = AGENCIES.summary_plan().summarize([result]).of("insurance")
    assert insurance.total == enforceable
    assert insurance.count == 3  # two policies held, one wealth product
    assert insurance.encumbered == 1  # the frozen life policy


async def test_empty_tier_reads_as_no_records() -> None:
    for kind in ("natural", "legal"):
        records = await example("insurance", kind, Tier.EMPTY)
        assert records == InsuranceRecords()
        assert records.count() == 0


def test_the_schema_serves_the_records() -> None:
    served = shown(answer())
    keys = ("policyNumber", "role", "cashValue", "insuredObject", "expiresOn", "status")
    assert [tuple(p[k] for k in keys) for p in served["policies"]] == [
        ("P32201832081212345678", "投保人", "512345.67", None, None, "冻结"),
        ("PDAA202532081287654321", "投保人", "0.00", "苏H·A12B3", "2026-01-01", "有效"),
    ]
    assert [(w["productType"], w["accountValue"]) for w in served["wealthProducts"]] == [
        ("万能账户", "300000.00")
    ]
    assert [(f["policyNumber"], f["caseNumber"]) for f in served["freezes"]] == [
        ("P32201832081212345678", "(2025)苏0804执恢12号")
    ]


async def test_the_connector_serves_both_kinds() -> None:
    assert await served_kinds("insurance") == set(SubjectKind)

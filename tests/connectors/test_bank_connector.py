"""Bank specifics (money per currency, freezes per account); ``test_records`` checks what every
agency's records share."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

import pytest

from connectors.bank.records import (
    AccountFreeze,
    BankAccount,
    BankCard,
    BankRecords,
    Deposit,
    WealthProduct,
)
from connectors.registry import AGENCIES
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetSummary, Money
from mocks.synthetic import Tier
from tests.connectors.helpers import example, records_of, served_kinds, shown

Kind = Literal["natural", "legal"]

CCB = "4166290715887797270"  # 建设银行, 活期
JSB = "6174224740193623907"  # 江苏银行, frozen twice
JSB_USD = "6159918620723256487"  # 江苏银行, dollars
RCB = "7120998025941424402"  # 淮安农商行, a certificate of deposit, frozen

# what the central bank branch sends for a resident, exactly as on the wire
WIRE = {
    "accounts": [
        {
            "bank": "中国建设银行",
            "branch": "中国建设银行股份有限公司淮安清江浦支行",
            "accountNumber": CCB,
            "accountType": "I类户",
            "currency": "CNY",
            "balance": "33.63",
            "availableBalance": "33.63",
            "openedOn": "2015-07-24",
            "status": "正常",
        },
        {
            "bank": "江苏银行",
            "branch": "江苏银行股份有限公司淮安清江浦支行",
            "accountNumber": JSB,
            "accountType": "I类户",
            "currency": "CNY",
            "balance": "2918.11",
            "availableBalance": "0.00",
            "openedOn": "2019-09-04",
            "status": "冻结",
        },
        {
            "bank": "江苏银行",
            "branch": "江苏银行股份有限公司淮安分行营业部",
            "accountNumber": JSB_USD,
            "accountType": "II类户",
            "currency": "USD",
            "balance": "62580.40",
            "availableBalance": "62580.40",
            "openedOn": "2023-02-22",
            "status": "正常",
            "someFutureField": "ignored",
        },
        {
            "bank": "淮安农村商业银行",
            "branch": "江苏淮安农村商业银行股份有限公司淮安清江浦支行",
            "accountNumber": RCB,
            "accountType": "I类户",
            "currency": "CNY",
            "balance": "300000.00",
            "availableBalance": "0.00",
            "openedOn": "2020-08-21",
            "status": "冻结",
        },
    ],
    "cards": [
        {
            "bank": "中国建设银行",
            "cardNumber": "6217000873065302170",
            "cardType": "借记卡",
            "accountNumber": CCB,
            "status": "正常",
        },
        {
            "bank": "江苏银行",
            "cardNumber": "6221736353646516286",
            "cardType": "借记卡",
            "accountNumber": JSB,
            "status": "冻结",
        },
    ],
    "deposits": [
        {
            "bank": "中国建设银行",
            "accountNumber": CCB,
            "depositType": "活期",
            "currency": "CNY",
            "amount": "33.63",
            "maturesOn": None,
        },
        {
            "bank": "江苏银行",
            "accountNumber": JSB,
            "depositType": "活期",
            "currency": "CNY",
            "amount": "2918.11",
        },
        {
            "bank": "淮安农村商业银行",
            "accountNumber": RCB,
            "depositType": "大额存单",
            "currency": "CNY",
            "amount": "300000.00",
            "maturesOn": "2028-01-15",
        },
        {
            "bank": "江苏银行",
            "accountNumber": JSB_USD,
            "depositType": "活期",
            "currency": "USD",
            "amount": "12580.40",
        },
        {
            "bank": "江苏银行",
            "accountNumber": JSB_USD,
            "depositType": "定期",
            "currency": "USD",
            "amount": "50000.00",
            "maturesOn": "2026-09-30",
        },
    ],
    "wealthProducts": [
        {
            "bank": "淮安农村商业银行",
            "productCode": "HN58783718",
            "productName": "淮农商稳健增利12号",
            "currency": "CNY",
            "holdingValue": "646310.80",
            "maturesOn": "2026-04-28",
        },
        {  # open-ended: no maturity
            "bank": "江苏银行",
            "productCode": "JS02939624",
            "productName": "苏银理财天天利2号",
            "currency": "CNY",
            "holdingValue": "51820.38",
        },
    ],
    "freezes": [
        {
            "bank": "江苏银行",
            "accountNumber": JSB,
            "court": "淮安市清江浦区人民法院",
            "caseNumber": "(2025)苏0812执1172号",
            "frozenAmount": "2918.11",
            "frozenFrom": "2025-03-06",
            "frozenUntil": "2026-03-05",
        },
        {  # 轮候冻结: another court's freeze of the same account
            "bank": "江苏银行",
            "accountNumber": JSB,
            "court": "淮安市淮阴区人民法院",
            "caseNumber": "(2025)苏0804执388号",
            "frozenAmount": "50000.00",
            "frozenFrom": "2025-04-01",
            "frozenUntil": "2026-03-31",
        },
        {
            "bank": "淮安农村商业银行",
            "accountNumber": RCB,
            "court": "淮安市中级人民法院",
            "caseNumber": "(2025)苏08执保41号",
            "frozenAmount": "300000.00",
            "frozenFrom": "2025-05-20",
            "frozenUntil": "2026-05-19",
        },
    ],
}

EXPECTED = BankRecords(
    accounts=(
        BankAccount(
            bank="中国建设银行",
            branch="中国建设银行股份有限公司淮安清江浦支行",
            account_number=CCB,
            account_type="I类户",
            currency="CNY",
            balance=Decimal("33.63"),
            available_balance=Decimal("33.63"),
            opened_on=datetime.date(2015, 7, 24),
            status="正常",
        ),
        BankAccount(
            bank="江苏银行",
            branch="江苏银行股份有限公司淮安清江浦支行",
            account_number=JSB,
            account_type="I类户",
            currency="CNY",
            balance=Decimal("2918.11"),
            available_balance=Decimal("0.00"),
            opened_on=datetime.date(2019, 9, 4),
            status="冻结",
        ),
        BankAccount(
            bank="江苏银行",
            branch="江苏银行股份有限公司淮安分行营业部",
            account_number=JSB_USD,
            account_type="II类户",
            currency="USD",
            balance=Decimal("62580.40"),
            available_balance=Decimal("62580.40"),
            opened_on=datetime.date(2023, 2, 22),
            status="正常",
        ),
        BankAccount(
            bank="淮安农村商业银行",
            branch="江苏淮安农村商业银行股份有限公司淮安清江浦支行",
            account_number=RCB,
            account_type="I类户",
            currency="CNY",
            balance=Decimal("300000.00"),
            available_balance=Decimal("0.00"),
            opened_on=datetime.date(2020, 8, 21),
            status="冻结",
        ),
    ),
    cards=(
        BankCard(
            bank="中国建设银行",
            card_number="6217000873065302170",
            card_type="借记卡",
            account_number=CCB,
            status="正常",
        ),
        BankCard(
            bank="江苏银行",
            card_number="6221736353646516286",
            card_type="借记卡",
            account_number=JSB,
            status="冻结",
        ),
    ),
    deposits=(
        Deposit(
            bank="中国建设银行",
            account_number=CCB,
            deposit_type="活期",
            currency="CNY",
            amount=Decimal("33.63"),
        ),
        Deposit(
            bank="江苏银行",
            account_number=JSB,
            deposit_type="活期",
            currency="CNY",
            amount=Decimal("2918.11"),
        ),
        Deposit(
            bank="淮安农村商业银行",
            account_number=RCB,
            deposit_type="大额存单",
            currency="CNY",
            amount=Decimal("300000.00"),
            matures_on=datetime.date(2028, 1, 15),
        ),
        Deposit(
            bank="江苏银行",
            account_number=JSB_USD,
            deposit_type="活期",
            currency="USD",
            amount=Decimal("12580.40"),
        ),
        Deposit(
            bank="江苏银行",
            account_number=JSB_USD,
            deposit_type="定期",
            currency="USD",
            amount=Decimal("50000.00"),
            matures_on=datetime.date(2026, 9, 30),
        ),
    ),
    wealth_products=(
        WealthProduct(
            bank="淮安农村商业银行",
            product_code="HN58783718",
            product_name="淮农商稳健增利12号",
            currency="CNY",
            holding_value=Decimal("646310.80"),
            matures_on=datetime.date(2026, 4, 28),
        ),
        WealthProduct(
            bank="江苏银行",
            product_code="JS02939624",
            product_name="苏银理财天天利2号",
            currency="CNY",
            holding_value=Decimal("51820.38"),
        ),
    ),
    freezes=(
        AccountFreeze(
            bank="江苏银行",
            account_number=JSB,
            court="淮安市清江浦区人民法院",
            case_number="(2025)苏0812执1172号",
            frozen_amount=Decimal("2918.11"),
            frozen_from=datetime.date(2025, 3, 6),
            frozen_until=datetime.date(2026, 3, 5),
        ),
        AccountFreeze(
            bank="江苏银行",
            account_number=JSB,
            court="淮安市淮阴区人民法院",
            case_number="(2025)苏0804执388号",
            frozen_amount=Decimal("50000.00"),
            frozen_from=datetime.date(2025, 4, 1),
            frozen_until=datetime.date(2026, 3, 31),
        ),
        AccountFreeze(
            bank="淮安农村商业银行",
            account_number=RCB,
            court="淮安市中级人民法院",
            case_number="(2025)苏08执保41号",
            frozen_amount=Decimal("300000.00"),
            frozen_from=datetime.date(2025, 5, 20),
            frozen_until=datetime.date(2026, 5, 19),
        ),
    ),
)


def test_the_wire_document_reads_as_the_expected_records() -> None:
    records = records_of("bank", WIRE)
    assert records == EXPECTED
    assert records.count() == 4 + 2 + 5 + 2 + 3
    assert isinstance(records.deposits[0].amount, Decimal)
    assert records.deposits[1].matures_on is None  # left out on the wire


@pytest.mark.parametrize("kind", ["natural", "legal"])
async def test_empty_tier_reads_as_no_records(kind: Kind) -> None:
    records = await example("bank", kind, Tier.EMPTY)
    assert records == BankRecords()
    assert records.count() == 0


def test_the_schema_shows_the_records() -> None:
    served = shown(EXPECTED)
    assert [(a["currency"], a["availableBalance"], a["status"]) for a in served["accounts"]] == [
        ("CNY", "33.63", "正常"),
        ("CNY", "0.00", "冻结"),
        ("USD", "62580.40", "正常"),
        ("CNY", "0.00", "冻结"),
    ]
    assert [c["cardType"] for c in served["cards"]] == ["借记卡", "借记卡"]
    assert [(d["depositType"], d["amount"], d["maturesOn"]) for d in served["deposits"]] == [
        ("活期", "33.63", None),
        ("活期", "2918.11", None),
        ("大额存单", "300000.00", "2028-01-15"),
        ("活期", "12580.40", None),
        ("定期", "50000.00", "2026-09-30"),
    ]
    assert [p["holdingValue"] for p in served["wealthProducts"]] == ["646310.80", "51820.38"]
    assert [f["caseNumber"] for f in served["freezes"]] == [
        "(2025)苏0812执1172号",
        "(2025)苏0804执388号",
        "(2025)苏08执保41号",
    ]


# --- the summary: money per currency, freezes per account --------------------------------


def summary(records: BankRecords) -> AssetSummary:
    return AGENCIES.summary_plan().summarize(
        [SourceResult("bank", SourceStatus.OK, records=records)]
    )


def test_deposits_are_summed_per_currency() -> None:
    deposits = summary(EXPECTED).of("deposits")
    assert deposits.count == 5
    assert deposits.total == Decimal("302951.74")  # yuan only: 33.63 + 2918.11 + 300000.00
    assert deposits.other_currencies == (Money("USD", Decimal("62580.40")),)  # never converted
    assert deposits.complete


def test_freezes_are_counted_per_account() -> None:
    # three freezes, two of them on the same account (the second one waiting): two accounts
    assert summary(EXPECTED).of("deposits").encumbered == 2
    assert summary(BankRecords(freezes=EXPECTED.freezes[:2])).of("deposits").encumbered == 1


def test_wealth_products_are_summed_apart_from_deposits() -> None:
    products = summary(EXPECTED).of("wealth_products")
    assert (products.count, products.total, products.other_currencies) == (
        2,
        Decimal("698131.18"),
        (),
    )
    assert products.encumbered == 0


async def test_the_connector_serves_both_kinds() -> None:
    assert await served_kinds("bank") == set(SubjectKind)

"""Provident fund specifics; ``test_records`` checks what every agency's records share."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.fund.records import FundAccount, FundFreeze, FundLoan, FundRecords
from gateway.domain.subjects import SubjectKind
from mocks.synthetic import Tier
from tests.connectors.helpers import example, records_of, served_kinds, shown

WIRE = {
    "accounts": [
        {
            "centre": "淮安市住房公积金管理中心涟水管理部",
            "accountNumber": "260012345678",
            "employer": "涟水县人民医院",
            "employerUscc": "12320826466000000X",
            "depositBase": "6000.00",
            "personalRate": 12,
            "employerRate": 12,
            "monthlyDeposit": "1440.00",
            "balance": "52300.50",
            "openedOn": "2016-03-01",
            "lastDepositMonth": "2025-06",
            "status": "冻结",
            "unknownField": "ignored",
        }
    ],
    "loans": [
        {
            "loanNumber": "3208201905123456",
            "accountNumber": "260012345678",
            "entrustedBank": "中国建设银行股份有限公司淮安分行",
            "principal": "400000.00",
            "outstanding": "310000.00",
            "issuedOn": "2019-05-20",
            "maturesOn": "2039-05-19",
            "status": "正常",
        }
    ],
    "freezes": [
        {
            "accountNumber": "260012345678",
            "court": "涟水县人民法院",
            "caseNumber": "(2025)苏0826执123号",
            "frozenAmount": "52300.50",
            "frozenFrom": "2025-02-10",
            "frozenUntil": "2026-02-09",
        }
    ],
}

EXPECTED = FundRecords(
    accounts=(
        FundAccount(
            centre="淮安市住房公积金管理中心涟水管理部",
            account_number="260012345678",
            employer="涟水县人民医院",
            employer_uscc="12320826466000000X",
            deposit_base=Decimal("6000.00"),
            personal_rate=12,
            employer_rate=12,
            monthly_deposit=Decimal("1440.00"),
            balance=Decimal("52300.50"),
            opened_on=datetime.date(2016, 3, 1),
            last_deposit_month="2025-06",
            status="冻结",
        ),
    ),
    loans=(
        FundLoan(
            loan_number="3208201905123456",
            account_number="260012345678",
            entrusted_bank="中国建设银行股份有限公司淮安分行",
            principal=Decimal("400000.00"),
            outstanding=Decimal("310000.00"),
            issued_on=datetime.date(2019, 5, 20),
            matures_on=datetime.date(2039, 5, 19),
            status="正常",
        ),
    ),
    freezes=(
        FundFreeze(
            account_number="260012345678",
            court="涟水县人民法院",
            case_number="(2025)苏0826执123号",
            frozen_amount=Decimal("52300.50"),
            frozen_from=datetime.date(2025, 2, 10),
            frozen_until=datetime.date(2026, 2, 9),
        ),
    ),
)


def test_the_wire_document_reads_as_the_expected_records() -> None:
    records = records_of("fund", WIRE)
    assert records == EXPECTED
    assert records.count() == 3
    assert isinstance(records.accounts[0].balance, Decimal)
    assert sum(a.balance for a in records.accounts) == Decimal("52300.50")


async def test_empty_tier_reads_as_no_records() -> None:
    records = await example("fund", "natural", Tier.EMPTY)
    assert records == FundRecords()
    assert records.count() == 0


def test_the_schema_shows_the_records() -> None:
    served = shown(EXPECTED)
    assert [a["balance"] for a in served["accounts"]] == ["52300.50"]
    assert served["loans"][0]["outstanding"] == "310000.00"
    assert served["freezes"][0]["caseNumber"] == "(2025)苏0826执123号"


async def test_the_connector_serves_natural_persons_only() -> None:
    assert await served_kinds("fund") == {SubjectKind.NATURAL}

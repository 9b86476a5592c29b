"""Securities specifics; ``test_records`` checks what every agency's records share."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.registry import AGENCIES
from connectors.securities.records import (
    FundsAccount,
    Holding,
    SecuritiesAccount,
    SecuritiesFreeze,
    SecuritiesRecords,
)
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import SubjectKind
from mocks.synthetic import Tier
from tests.connectors.helpers import example, records_of, served_kinds, shown

ANSWER = {  # one subject's records as an agency would send them
    "accounts": [
        {
            "accountNumber": "A123456789",
            "market": "上海",
            "accountType": "A股",
            "broker": "华泰证券淮安淮海东路营业部",
            "openedOn": "2015-04-20",
            "status": "冻结",
        }
    ],
    "holdings": [
        {
            "accountNumber": "A123456789",
            "securityCode": "603369",
            "securityName": "今世缘",
            "quantity": 2000,
            "marketValue": "95200.00",
            "valuedOn": "2025-06-30",
        }
    ],
    "fundsAccounts": [
        {
            "broker": "华泰证券淮安淮海东路营业部",
            "accountNumber": "666012345678",
            "balance": "812.50",
        }
    ],
    "freezes": [
        {
            "accountNumber": "A123456789",
            "securityCode": "603369",
            "quantity": 1000,
            "court": "淮安市清江浦区人民法院",
            "caseNumber": "(2025)苏0812执77号",
            "frozenFrom": "2025-03-01",
            "frozenUntil": "2028-02-29",
        },
        {
            "accountNumber": "A123456789",
            "court": "淮安市中级人民法院",
            "caseNumber": "(2024)苏08执保3号",
            "frozenFrom": "2024-11-11",
            "frozenUntil": "2025-11-10",
        },
    ],
}


def test_an_answer_reads_as_exactly_these_records() -> None:
    records = records_of("securities", ANSWER)
    assert records == SecuritiesRecords(
        accounts=(
            SecuritiesAccount(
                account_number="A123456789",
                market="上海",
                account_type="A股",
                broker="华泰证券淮安淮海东路营业部",
                opened_on=datetime.date(2015, 4, 20),
                status="冻结",
            ),
        ),
        holdings=(
            Holding(
                account_number="A123456789",
                security_code="603369",
                security_name="今世缘",
                quantity=2000,
                market_value=Decimal("95200.00"),
                valued_on=datetime.date(2025, 6, 30),
            ),
        ),
        funds_accounts=(
            FundsAccount(
                broker="华泰证券淮安淮海东路营业部",
                account_number="666012345678",
                balance=Decimal("812.50"),
            ),
        ),
        freezes=(
            SecuritiesFreeze(
                account_number="A123456789",
                security_code="603369",
                quantity=1000,
                court="淮安市清江浦区人民法院",
                case_number="(2025)苏0812执77号",
                frozen_from=datetime.date(2025, 3, 1),
                frozen_until=datetime.date(2028, 2, 29),
            ),
            SecuritiesFreeze(
                account_number="A123456789",
                security_code=None,
                quantity=None,
                court="淮安市中级人民法院",
                case_number="(2024)苏08执保3号",
                frozen_from=datetime.date(2024, 11, 11),
                frozen_until=datetime.date(2025, 11, 10),
            ),
        ),
    )
    assert records.count() == 5
    assert isinstance(records.holdings[0].market_value, Decimal)
    assert isinstance(records.accounts, tuple)


async def test_empty_tier_reads_as_no_records() -> None:
    for kind in ("natural", "legal"):
        records = await example("securities", kind, Tier.EMPTY)
        assert records == SecuritiesRecords()
        assert records.count() == 0


def test_the_schema_serves_the_records() -> None:
    served = shown(records_of("securities", ANSWER))
    assert [(a["accountNumber"], a["status"]) for a in served["accounts"]] == [
        ("A123456789", "冻结")
    ]
    (holding,) = served["holdings"]
    assert (holding["quantity"], holding["marketValue"], holding["valuedOn"]) == (
        2000,
        "95200.00",
        "2025-06-30",
    )
    assert [f["balance"] for f in served["fundsAccounts"]] == ["812.50"]
    # a freeze of the whole account names no security and no quantity
    assert [
        (f["securityCode"], f["quantity"], f["caseNumber"], f["frozenUntil"])
        for f in served["freezes"]
    ] == [
        ("603369", 1000, "(2025)苏0812执77号", "2028-02-29"),
        (None, None, "(2024)苏08执保3号", "2025-11-10"),
    ]


def securities_summary(records: SecuritiesRecords) -> tuple[int, int]:
    """The summary's (count, encumbered) of securities for these records."""
    summary = AGENCIES.summary_plan().summarize(
        [SourceResult("securities", SourceStatus.OK, records=records)]
    )
    securities = summary.of("securities")
    return securities.count, securities.encumbered


def holding(account: str, code: str) -> Holding:
    return Holding(
        account_number=account,
        security_code=code,
        security_name="今世缘",
        quantity=100,
        market_value=Decimal("4760.00"),
        valued_on=datetime.date(2025, 6, 30),
    )


def freeze(account: str, code: str | None) -> SecuritiesFreeze:
    return SecuritiesFreeze(
        account_number=account,
        security_code=code,
        quantity=None if code is None else 100,
        court="淮安市清江浦区人民法院",
        case_number="(2025)苏0812执77号",
        frozen_from=datetime.date(2025, 3, 1),
        frozen_until=datetime.date(2028, 2, 29),
    )


def test_encumbered_counts_the_holdings_a_freeze_holds() -> None:
    # one holding under two freezes (of the security, and of its whole account): one item
    assert securities_summary(records_of("securities", ANSWER)) == (1, 1)
    # a freeze of a whole account holds every holding in it; another account's are free
    records = SecuritiesRecords(
        holdings=(
            holding("A123456789", "603369"),
            holding("A123456789", "600519"),
            holding("0123456789", "000858"),
            holding("0123456789", "300750"),
        ),
        freezes=(freeze("A123456789", None), freeze("0123456789", "000858")),
    )
    assert securities_summary(records) == (4, 3)


async def test_the_connector_serves_both_kinds() -> None:
    assert await served_kinds("securities") == set(SubjectKind)

"""Securities specifics; ``test_records`` checks what every agency's records share."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.securities.mapping import to_domain
from connectors.securities.models import SecuritiesRecordsModel
from gateway.domain.securities import (
    FundsAccount,
    Holding,
    SecuritiesAccount,
    SecuritiesFreeze,
    SecuritiesRecords,
)

from tests.connectors.test_records import shown

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


def test_an_answer_maps_to_exactly_these_records():
    records = to_domain(SecuritiesRecordsModel.model_validate(ANSWER))
    assert records == SecuritiesRecords(
        accounts=(
            SecuritiesAccount(
                "A123456789",
                "上海",
                "A股",
                "华泰证券淮安淮海东路营业部",
                datetime.date(2015, 4, 20),
                "冻结",
            ),
        ),
        holdings=(
            Holding(
                "A123456789",
                "603369",
                "今世缘",
                2000,
                Decimal("95200.00"),
                datetime.date(2025, 6, 30),
            ),
        ),
        funds_accounts=(
            FundsAccount("华泰证券淮安淮海东路营业部", "666012345678", Decimal("812.50")),
        ),
        freezes=(
            SecuritiesFreeze(
                "A123456789",
                "603369",
                1000,
                "淮安市清江浦区人民法院",
                "(2025)苏0812执77号",
                datetime.date(2025, 3, 1),
                datetime.date(2028, 2, 29),
            ),
            SecuritiesFreeze(
                "A123456789",
                None,
                None,
                "淮安市中级人民法院",
                "(2024)苏08执保3号",
                datetime.date(2024, 11, 11),
                datetime.date(2025, 11, 10),
            ),
        ),
    )
    assert records.count() == 5
    assert isinstance(records.holdings[0].market_value, Decimal)
    assert isinstance(records.accounts, tuple)


def test_the_schema_serves_the_records():
    served = shown(to_domain(SecuritiesRecordsModel.model_validate(ANSWER)))
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

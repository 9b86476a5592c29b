"""The securities connector: the agency's JSON becomes the domain records the gateway serves."""

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
from connectors.securities import SecuritiesConnector
from connectors.securities.mapping import to_domain
from connectors.securities.models import SecuritiesRecordsModel
from gateway.domain import codec
from gateway.domain.agencies import Agency
from gateway.domain.cases import parse_case_number
from gateway.domain.securities import (
    FundsAccount,
    Holding,
    SecuritiesAccount,
    SecuritiesFreeze,
    SecuritiesRecords,
)
from gateway.domain.subjects import Subject, SubjectKind
from gateway.schema import securities as schema
from mocks.securities import records_for
from mocks.server import create_mock_app
from mocks.synthetic import Tier, example_subjects
from mocks.synthetic import company as company_of

EXAMPLES = example_subjects()
RICH = [("natural", EXAMPLES["natural"][Tier.RICH]), ("legal", EXAMPLES["legal"][Tier.RICH])]
TOKEN = "securities-test-token-51c2"

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


def expected_from_json(doc: dict[str, Any]) -> SecuritiesRecords:
    """The domain records a JSON answer means, built straight from its camelCase keys."""

    def day(value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    return SecuritiesRecords(
        accounts=tuple(
            SecuritiesAccount(
                account_number=a["accountNumber"],
                market=a["market"],
                account_type=a["accountType"],
                broker=a["broker"],
                opened_on=day(a["openedOn"]),
                status=a["status"],
            )
            for a in doc["accounts"]
        ),
        holdings=tuple(
            Holding(
                account_number=h["accountNumber"],
                security_code=h["securityCode"],
                security_name=h["securityName"],
                quantity=h["quantity"],
                market_value=Decimal(h["marketValue"]),
                valued_on=day(h["valuedOn"]),
            )
            for h in doc["holdings"]
        ),
        funds_accounts=tuple(
            FundsAccount(
                broker=f["broker"], account_number=f["accountNumber"], balance=Decimal(f["balance"])
            )
            for f in doc["fundsAccounts"]
        ),
        freezes=tuple(
            SecuritiesFreeze(
                account_number=f["accountNumber"],
                security_code=f.get("securityCode"),
                quantity=f.get("quantity"),
                court=f["court"],
                case_number=f["caseNumber"],
                frozen_from=day(f["frozenFrom"]),
                frozen_until=day(f["frozenUntil"]),
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


@pytest.mark.parametrize(("kind", "subject_id"), RICH, ids=["natural", "legal"])
def test_the_mocks_json_maps_field_for_field(kind, subject_id):
    doc = mock_json(kind, subject_id)
    records = to_domain(SecuritiesRecordsModel.model_validate_json(json.dumps(doc)))
    assert records == expected_from_json(doc)
    assert records.count() == sum(len(doc[k]) for k in doc) > 0
    hash(records)  # frozen all the way down


@pytest.mark.parametrize("source", ["answer", "natural", "legal"])
def test_records_round_trip_through_the_cache_codec(monkeypatch, source):
    monkeypatch.setitem(codec.RECORD_TYPES, "SecuritiesRecords", SecuritiesRecords)
    doc = ANSWER if source == "answer" else mock_json(source, EXAMPLES[source][Tier.RICH])
    records = expected_from_json(doc)
    document = json.loads(json.dumps(codec.dump_records(records)))
    assert document["type"] == "SecuritiesRecords"
    loaded = codec.load_records(document)
    assert loaded == records
    assert isinstance(loaded, SecuritiesRecords)


def test_the_schema_serves_the_records():
    records = expected_from_json(ANSWER)

    @strawberry.type
    class Query:
        @strawberry.field
        def securities(self) -> schema.SecuritiesRecords:
            return schema.SecuritiesRecords.from_domain(records)

    result = strawberry.Schema(query=Query).execute_sync(
        "{ securities { accounts { accountNumber status } holdings { securityCode quantity "
        "marketValue valuedOn } fundsAccounts { balance } freezes { securityCode quantity "
        "caseNumber frozenUntil } } }"
    )
    assert result.errors is None
    assert result.data == {
        "securities": {
            "accounts": [{"accountNumber": "A123456789", "status": "冻结"}],
            "holdings": [
                {
                    "securityCode": "603369",
                    "quantity": 2000,
                    "marketValue": "95200.00",
                    "valuedOn": "2025-06-30",
                }
            ],
            "fundsAccounts": [{"balance": "812.50"}],
            "freezes": [
                {
                    "securityCode": "603369",
                    "quantity": 1000,
                    "caseNumber": "(2025)苏0812执77号",
                    "frozenUntil": "2028-02-29",
                },
                {
                    "securityCode": None,
                    "quantity": None,
                    "caseNumber": "(2024)苏08执保3号",
                    "frozenUntil": "2025-11-10",
                },
            ],
        }
    }


async def test_the_connector_asks_the_mock_in_one_batch():
    app = create_mock_app(Agency.SECURITIES, token=TOKEN)
    rich = Subject(SubjectKind.NATURAL, EXAMPLES["natural"][Tier.RICH])
    firm = Subject(
        SubjectKind.LEGAL,
        EXAMPLES["legal"][Tier.RICH],
        company_of(EXAMPLES["legal"][Tier.RICH]).name,
    )
    unknown = Subject(SubjectKind.LEGAL, EXAMPLES["legal"][Tier.UNKNOWN])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        connector = SecuritiesConnector(AgencyEndpoint("http://securities", TOKEN), client)
        assert connector.agency is Agency.SECURITIES
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

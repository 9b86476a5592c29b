"""Provident fund: the mock's JSON, parsed and mapped, is the domain, which caches and shows."""

from __future__ import annotations

import dataclasses
import datetime
import json
from decimal import Decimal

import httpx
import pytest

from connectors.base import AgencyEndpoint, Inquiry
from connectors.envelope import SubjectRef
from connectors.fund import FundConnector
from connectors.fund.mapping import to_domain
from connectors.fund.models import FundRecordsModel
from gateway.domain import codec
from gateway.domain.agencies import Agency
from gateway.domain.cases import parse_case_number
from gateway.domain.fund import FundAccount, FundFreeze, FundLoan, FundRecords
from gateway.domain.subjects import Subject, SubjectKind
from gateway.schema.fund import FundRecords as FundRecordsType
from mocks.fund import records_for
from mocks.synthetic import Tier, example_subjects
from tests.connectors.test_mapping import assert_same

EXAMPLES = example_subjects()["natural"]

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


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(codec.RECORD_TYPES, "FundRecords", FundRecords)


def mock_records(tier: Tier) -> FundRecordsModel:
    model = records_for(SubjectRef(kind="natural", id=EXAMPLES[tier]))
    assert model is not None
    return model


def from_wire(model: FundRecordsModel) -> FundRecords:
    """The mock's JSON, as the connector reads it."""
    wire = model.model_dump(mode="json", by_alias=True)
    return to_domain(FundRecordsModel.model_validate_json(json.dumps(wire)))


def test_the_wire_document_maps_to_the_expected_records() -> None:
    records = to_domain(FundRecordsModel.model_validate(WIRE))
    assert records == EXPECTED
    assert records.count() == 3
    assert isinstance(records.accounts[0].balance, Decimal)
    assert sum(a.balance for a in records.accounts) == Decimal("52300.50")


@pytest.mark.parametrize("tier", [Tier.RICH, Tier.ORDINARY])
def test_mock_records_map_field_for_field(tier: Tier) -> None:
    model = mock_records(tier)
    records = from_wire(model)
    assert_same(model, records)
    assert records.count() == len(model.accounts) + len(model.loans) + len(model.freezes) > 0
    hash(records)


def test_empty_tier_maps_to_no_records() -> None:
    records = from_wire(mock_records(Tier.EMPTY))
    assert records == FundRecords((), (), ())
    assert records.count() == 0


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize("tier", [Tier.RICH, Tier.ORDINARY, Tier.EMPTY])
def test_records_round_trip_through_the_cache_codec(tier: Tier) -> None:
    records = from_wire(mock_records(tier))
    doc = json.loads(json.dumps(codec.dump_records(records)))
    assert doc["type"] == "FundRecords"
    assert codec.load_records(doc) == records
    assert codec.load_records(codec.dump_records(EXPECTED)) == EXPECTED


def test_the_schema_shows_the_records() -> None:
    shown = FundRecordsType.from_domain(EXPECTED)
    assert [a.balance for a in shown.accounts] == [Decimal("52300.50")]
    assert shown.loans[0].outstanding == Decimal("310000.00")
    assert shown.freezes[0].case_number == "(2025)苏0826执123号"
    rich = from_wire(mock_records(Tier.RICH))
    shown = FundRecordsType.from_domain(rich)
    assert [a.account_number for a in shown.accounts] == [a.account_number for a in rich.accounts]
    for shown_account, account in zip(shown.accounts, rich.accounts, strict=True):
        assert dataclasses.asdict(shown_account) == dataclasses.asdict(account)


async def test_connector_serves_natural_persons_only() -> None:
    assert FundConnector.agency is Agency.FUND
    natural = Subject(SubjectKind.NATURAL, EXAMPLES[Tier.RICH])
    legal = Subject(SubjectKind.LEGAL, example_subjects()["legal"][Tier.RICH])
    async with httpx.AsyncClient() as client:
        connector = FundConnector(AgencyEndpoint("http://fund.test", "t"), client)
        assert connector.applies_to(natural)
        assert not connector.applies_to(legal)


async def test_connector_query_maps_the_agency_answer() -> None:
    rich, unknown = EXAMPLES[Tier.RICH], EXAMPLES[Tier.UNKNOWN]

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert request.url.path == "/v1/inquiries"
        assert request.headers["Authorization"] == "Bearer fund-token"
        results = []
        for subject in body["subjects"]:
            model = records_for(SubjectRef.model_validate(subject))
            results.append(
                {
                    "kind": subject["kind"],
                    "id": subject["id"],
                    "status": "not_found" if model is None else "found",
                    "records": None
                    if model is None
                    else model.model_dump(mode="json", by_alias=True),
                }
            )
        return httpx.Response(
            200, json={"requestId": body["requestId"], "agency": "fund", "results": results}
        )

    subjects = (Subject(SubjectKind.NATURAL, rich), Subject(SubjectKind.NATURAL, unknown))
    inquiry = Inquiry("req-1", parse_case_number("(2025)苏0812执1号"), "苏0812", subjects)
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        connector = FundConnector(AgencyEndpoint("http://fund.test", "fund-token"), client)
        answers = await connector.query(inquiry)
    assert answers == {
        subjects[0].key: from_wire(mock_records(Tier.RICH)),
        subjects[1].key: None,
    }

"""Business registry specifics (the control rule); ``test_records`` checks what all share."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any, Literal

import pytest

from connectors.business.records import (
    BusinessBranch,
    BusinessRecords,
    BusinessRegistration,
    EnterpriseRole,
    EquityFreeze,
    EquityHolding,
    RegistrationEvent,
    Shareholder,
)
from gateway.domain.subjects import SubjectKind
from mocks.synthetic import Tier, enterprises_of
from mocks.wire import SubjectRef
from tests.connectors.helpers import EXAMPLES, example, records_of, served_kinds, shown

Kind = Literal["natural", "legal"]

# what the registry sends for a company, exactly as on the wire (camelCase, strings for money)
WIRE: dict[str, Any] = {
    "registration": {
        "uscc": "91320812MA00020007",
        "name": "淮安市华瑞建筑工程有限公司",
        "enterpriseType": "有限责任公司（自然人投资或控股）",
        "legalRepresentative": "王伟",
        "registeredCapital": "2000000.00",
        "establishedOn": "2012-03-08",
        "address": "淮安市清江浦区健康东路88号",
        "businessScope": "房屋建筑工程施工",
        "registry": "淮安市清江浦区市场监督管理局",
        "status": "存续",
        "approvedOn": "2019-05-10",
    },
    "shareholders": [
        {
            "name": "王伟",
            "kind": "自然人",
            "shareRatio": "60.00",
            "subscribedCapital": "1200000.00",
            "paidInCapital": "1200000.00",
        },
        {
            "name": "淮安市恒通商贸有限公司",
            "kind": "企业法人",
            "identifier": "91320804MA1MXXXX1X",
            "shareRatio": "40.00",
            "subscribedCapital": "800000.00",
            "paidInCapital": "0.00",
        },
    ],
    "branches": [
        {
            "uscc": "91320826MA1NNNNN2Y",
            "name": "淮安市华瑞建筑工程有限公司涟水分公司",
            "address": "淮安市涟水县红日大道9号",
            "status": "存续",
        }
    ],
    "enterprises": [
        {
            "uscc": "91320803MA2AAAAA3Z",
            "name": "淮安市运河物流有限公司",
            "roles": ["股东"],
            "shareRatio": "51.00",
            "enterpriseStatus": "在业",
        },
        {
            "uscc": "91320803MA2AAAAA3Z",  # listed twice: still one lead to follow
            "name": "淮安市运河物流有限公司",
            "roles": ["董事"],
            "enterpriseStatus": "在业",
        },
    ],
    "equityHoldings": [
        {
            "uscc": "91320803MA2AAAAA3Z",
            "company": "淮安市运河物流有限公司",
            "shareRatio": "51.00",
            "subscribedCapital": "510000.00",
            "paidInCapital": "255000.00",
            "subscribedOn": "2015-09-01",
        }
    ],
    "equityFreezes": [
        {
            "uscc": "91320803MA2AAAAA3Z",
            "company": "淮安市运河物流有限公司",
            "frozenAmount": "510000.00",
            "court": "淮安市淮安区人民法院",
            "caseNumber": "(2024)苏0803执1234号",
            "frozenFrom": "2024-11-04",
            "frozenUntil": "2027-11-03",
            "status": "冻结",
            "publicizedOn": "2024-11-06",
        }
    ],
    "events": [
        {
            "uscc": "91320812MA00020007",
            "company": "淮安市华瑞建筑工程有限公司",
            "event": "设立",
            "date": "2012-03-08",
        },
        {
            "uscc": "91320812MA00020007",
            "company": "淮安市华瑞建筑工程有限公司",
            "event": "变更",
            "item": "注册资本",
            "before": "100万元人民币",
            "after": "200万元人民币",
            "date": "2019-05-10",
        },
    ],
    "someFutureField": "ignored",
}

EXPECTED = BusinessRecords(
    registration=BusinessRegistration(
        uscc="91320812MA00020007",
        name="淮安市华瑞建筑工程有限公司",
        enterprise_type="有限责任公司（自然人投资或控股）",
        legal_representative="王伟",
        registered_capital=Decimal("2000000.00"),
        established_on=datetime.date(2012, 3, 8),
        address="淮安市清江浦区健康东路88号",
        business_scope="房屋建筑工程施工",
        registry="淮安市清江浦区市场监督管理局",
        status="存续",
        operating_until=None,
        approved_on=datetime.date(2019, 5, 10),
    ),
    shareholders=(
        Shareholder(
            name="王伟",
            kind="自然人",
            identifier=None,
            share_ratio=Decimal("60.00"),
            subscribed_capital=Decimal("1200000.00"),
            paid_in_capital=Decimal("1200000.00"),
        ),
        Shareholder(
            name="淮安市恒通商贸有限公司",
            kind="企业法人",
            identifier="91320804MA1MXXXX1X",
            share_ratio=Decimal("40.00"),
            subscribed_capital=Decimal("800000.00"),
            paid_in_capital=Decimal("0.00"),
        ),
    ),
    branches=(
        BusinessBranch(
            uscc="91320826MA1NNNNN2Y",
            name="淮安市华瑞建筑工程有限公司涟水分公司",
            address="淮安市涟水县红日大道9号",
            status="存续",
        ),
    ),
    enterprises=(
        EnterpriseRole(
            uscc="91320803MA2AAAAA3Z",
            name="淮安市运河物流有限公司",
            roles=("股东",),
            share_ratio=Decimal("51.00"),
            enterprise_status="在业",
        ),
        EnterpriseRole(
            uscc="91320803MA2AAAAA3Z",
            name="淮安市运河物流有限公司",
            roles=("董事",),
            share_ratio=None,
            enterprise_status="在业",
        ),
    ),
    equity_holdings=(
        EquityHolding(
            uscc="91320803MA2AAAAA3Z",
            company="淮安市运河物流有限公司",
            share_ratio=Decimal("51.00"),
            subscribed_capital=Decimal("510000.00"),
            paid_in_capital=Decimal("255000.00"),
            subscribed_on=datetime.date(2015, 9, 1),
        ),
    ),
    equity_freezes=(
        EquityFreeze(
            uscc="91320803MA2AAAAA3Z",
            company="淮安市运河物流有限公司",
            frozen_amount=Decimal("510000.00"),
            court="淮安市淮安区人民法院",
            case_number="(2024)苏0803执1234号",
            frozen_from=datetime.date(2024, 11, 4),
            frozen_until=datetime.date(2027, 11, 3),
            status="冻结",
            publicized_on=datetime.date(2024, 11, 6),
        ),
    ),
    events=(
        RegistrationEvent(
            uscc="91320812MA00020007",
            company="淮安市华瑞建筑工程有限公司",
            event="设立",
            date=datetime.date(2012, 3, 8),
        ),
        RegistrationEvent(
            uscc="91320812MA00020007",
            company="淮安市华瑞建筑工程有限公司",
            event="变更",
            item="注册资本",
            before="100万元人民币",
            after="200万元人民币",
            date=datetime.date(2019, 5, 10),
        ),
    ),
)


def role(roles: tuple[str, ...], share: str | None, uscc: str = "X") -> EnterpriseRole:
    return EnterpriseRole(
        uscc=uscc,
        name="淮安市某某有限公司",
        roles=roles,
        share_ratio=None if share is None else Decimal(share),
        enterprise_status="存续",
    )


# --- reading the wire --------------------------------------------------------------------


def test_the_wire_format_reads_as_exactly_the_expected_records() -> None:
    records = records_of("business", WIRE)
    assert records == EXPECTED
    assert records.count() == 1 + 2 + 1 + 2 + 1 + 1 + 2
    assert records.controlled_enterprises == ("91320803MA2AAAAA3Z",)
    assert isinstance(records.enterprises[0].roles, tuple)
    assert isinstance(records.registration, BusinessRegistration)


async def test_a_rich_person_leads_to_the_enterprises_they_control() -> None:
    subject = SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.RICH])
    records = await example("business", "natural", Tier.RICH)
    assert [e.uscc for e in records.enterprises] == [c.uscc for c in enterprises_of(subject)]
    controlled = records.controlled_enterprises
    assert controlled
    assert controlled[0] == records.enterprises[0].uscc
    assert controlled == tuple(dict.fromkeys(e.uscc for e in records.enterprises if e.controls))


async def test_empty_tier_reads_as_no_records() -> None:
    records = await example("business", "legal", Tier.EMPTY)
    assert records == BusinessRecords()
    assert records.count() == 0
    assert records.controlled_enterprises == ()


# --- the control rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "share", "controls"),
    [
        (("法定代表人", "执行董事"), None, True),  # runs it without a share
        (("法定代表人", "股东"), "10.00", True),
        (("股东",), "50.00", True),  # half is enough
        (("股东",), "100.00", True),
        (("股东",), "49.99", False),
        (("监事", "股东"), "30.00", False),
        (("执行董事", "经理"), None, False),  # officers do not control by office alone
        (("董事",), None, False),
    ],
)
def test_control_is_legal_representation_or_half_the_shares(
    roles: tuple[str, ...], share: str | None, controls: bool
) -> None:
    assert role(roles, share).controls is controls


def test_controlled_enterprises_keep_order_and_drop_repeats() -> None:
    records = dataclasses.replace(
        EXPECTED,
        enterprises=(
            role(("股东",), "20.00", "A"),
            role(("法定代表人",), None, "B"),
            role(("股东",), "75.00", "C"),
            role(("股东",), "60.00", "B"),
            role(("监事",), None, "D"),
        ),
    )
    assert records.controlled_enterprises == ("B", "C")


# --- the schema ------------------------------------------------------------------------


def test_the_schema_serves_the_records_and_the_control_rule() -> None:
    # every type and field is described in both languages: tests/gateway/test_schema_docs.py
    business = shown(EXPECTED)
    registration = business["registration"]
    assert (registration["registeredCapital"], registration["operatingUntil"]) == (
        "2000000.00",
        None,
    )
    assert [s["identifier"] for s in business["shareholders"]] == [None, "91320804MA1MXXXX1X"]
    assert [(e["roles"], e["shareRatio"], e["controls"]) for e in business["enterprises"]] == [
        (["股东"], "51.00", True),
        (["董事"], None, False),
    ]
    assert business["controlledEnterprises"] == ["91320803MA2AAAAA3Z"]
    assert business["events"][1]["item"] == "注册资本"


@pytest.mark.parametrize("kind", ["natural", "legal"])
async def test_the_schema_serves_the_mock_records(kind: Kind) -> None:
    records = await example("business", kind, Tier.RICH)
    served = shown(records)
    assert len(served["enterprises"]) == len(records.enterprises)
    assert [e["controls"] for e in served["enterprises"]] == [
        e.controls for e in records.enterprises
    ]
    assert served["controlledEnterprises"] == list(records.controlled_enterprises)
    assert (served["registration"] is None) == (kind == "natural")


async def test_the_connector_serves_both_kinds() -> None:
    assert await served_kinds("business") == set(SubjectKind)

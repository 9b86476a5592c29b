"""The securities mock: deterministic, tiered, and internally consistent like a real depository."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from gateway.domain.cases import parse_case_number
from mocks import huaian, securities
from mocks.registry import MOCK_AGENCIES
from mocks.securities.data import FUNDS, STOCKS
from mocks.securities.records import SecuritiesRecords
from mocks.synthetic import REFERENCE_DATE, Tier, add_years, tier_of
from mocks.wire import SubjectRef
from tests.mocks.helpers import (
    EXAMPLES,
    known_records,
    reading,
    resident_ids,
    subject_refs,
    uscc_ids,
)

PRICES = {s.code: s for table in (STOCKS, FUNDS) for pool in table.values() for s in pool}
COURTS = {d.court: d.court_code for d in huaian.DISTRICTS} | {
    huaian.INTERMEDIATE_COURT[0]: huaian.INTERMEDIATE_COURT[1]
}
CODE_PREFIXES = {
    ("上海", "A股"): ("600", "601", "603"),
    ("深圳", "A股"): ("000", "002", "300"),
    ("上海", "基金"): ("51",),
    ("深圳", "基金"): ("159",),
    ("北京", "股转"): ("43", "83", "87"),
}
BROKER = re.compile(
    r"(华泰证券|东吴证券|国泰海通证券|中信建投证券|南京证券|中国银河证券|招商证券)"
    r"(淮安|涟水|盱眙|金湖)[\u4e00-\u9fff]+营业部"
)

records_for = reading(SecuritiesRecords, securities.records_for)  # the JSON, read back


SUBJECTS = subject_refs(
    "natural", resident_ids(250, regions=("320803",), step_days=89)
) + subject_refs("legal", uscc_ids(150))
KNOWN: list[tuple[SubjectRef, SecuritiesRecords]] = known_records(records_for, SUBJECTS)


def birth_of(ref: SubjectRef) -> datetime.date:
    return datetime.date(int(ref.id[6:10]), int(ref.id[10:12]), int(ref.id[12:14]))


def test_the_same_subject_gets_the_same_records():
    for kind in ("natural", "legal"):
        for subject_id in EXAMPLES[kind].values():
            ref = SubjectRef(kind=kind, id=subject_id)
            assert securities.records_for(ref) == securities.records_for(ref)  # the JSON
    rich = [
        securities.records_for(ref)
        for ref, r in KNOWN
        if tier_of(ref.id) is Tier.RICH and r.accounts
    ]
    assert len({str(r) for r in rich}) == len(rich)  # and different subjects differ


@pytest.mark.parametrize(
    "ref",
    [
        SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.UNKNOWN]),
        SubjectRef(kind="legal", id=EXAMPLES["legal"][Tier.UNKNOWN]),
        SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.RICH][:-1] + "0"),
        SubjectRef(kind="legal", id=EXAMPLES["natural"][Tier.RICH]),
    ],
)
def test_unknown_or_invalid_subjects_are_none(ref):
    assert records_for(ref) is None


@pytest.mark.parametrize("kind", ["natural", "legal"])
def test_the_empty_tier_is_known_with_nothing(kind):
    assert records_for(SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.EMPTY])) == (
        SecuritiesRecords()
    )


def test_both_kinds_of_subject_are_served():
    assert MOCK_AGENCIES["securities"].subject_kinds == {"natural", "legal"}
    assert MOCK_AGENCIES["securities"].records_for is securities.records_for
    for kind in ("natural", "legal"):
        rich = records_for(SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.RICH]))
        assert rich is not None
        assert rich.accounts


def test_account_numbers_have_the_depository_forms():
    forms = {
        ("natural", "上海", "A股"): r"A\d{9}",
        ("natural", "深圳", "A股"): r"0[0-3]\d{8}",
        ("natural", "北京", "股转"): r"0[0-3]\d{8}",
        ("legal", "上海", "A股"): r"B\d{9}",
        ("legal", "深圳", "A股"): r"08\d{8}",
        ("legal", "北京", "股转"): r"08\d{8}",
        ("natural", "上海", "基金"): r"F\d{9}",
        ("legal", "上海", "基金"): r"F\d{9}",
        ("natural", "深圳", "基金"): r"05\d{8}",
        ("legal", "深圳", "基金"): r"05\d{8}",
    }
    seen = set()
    for ref, records in KNOWN:
        numbers = [a.account_number for a in records.accounts]
        assert len(numbers) == len(set(numbers))
        for account in records.accounts:
            key = (ref.kind, account.market, account.account_type)
            assert re.fullmatch(forms[key], account.account_number), key
            assert BROKER.fullmatch(account.broker), account.broker
            assert account.status in {"正常", "冻结", "休眠", "销户"}
            seen.add(key)
    assert len(seen) >= 8  # the synthetic world uses nearly every form


def test_accounts_are_opened_by_adults_before_today():
    for ref, records in KNOWN:
        for account in records.accounts:
            assert account.opened_on < REFERENCE_DATE
            if ref.kind == "natural":
                assert account.opened_on > add_years(birth_of(ref), 18)
            if account.account_type == "股转":
                assert account.opened_on >= datetime.date(2013, 1, 16)


def test_minors_have_no_securities_accounts():
    minors = [
        (r, s)
        for r, s in KNOWN
        if r.kind == "natural" and birth_of(r) > add_years(REFERENCE_DATE, -18)
    ]
    assert minors
    assert all(records == SecuritiesRecords() for _, records in minors)


def test_holdings_are_of_active_accounts_and_their_market():
    for _, records in KNOWN:
        accounts = {a.account_number: a for a in records.accounts}
        for holding in records.holdings:
            account = accounts[holding.account_number]
            assert account.status in {"正常", "冻结"}
            assert holding.security_code.startswith(
                CODE_PREFIXES[(account.market, account.account_type)]
            )
            security = PRICES[holding.security_code]
            assert holding.security_name == security.name
            assert holding.quantity > 0
            assert holding.quantity % 100 == 0
            assert holding.market_value == security.price * holding.quantity
            assert holding.market_value.as_tuple().exponent == -2
            assert holding.valued_on == REFERENCE_DATE
        for account in records.accounts:
            if account.status in {"休眠", "销户"}:
                assert all(h.account_number != account.account_number for h in records.holdings)


def test_every_open_broker_relation_has_one_cash_account():
    for _, records in KNOWN:
        open_brokers = {a.broker for a in records.accounts if a.status != "销户"}
        assert sorted(f.broker for f in records.funds_accounts) == sorted(open_brokers)
        for funds in records.funds_accounts:
            assert re.fullmatch(r"\d{12}", funds.account_number)
            assert funds.balance > 0
            assert funds.balance.as_tuple().exponent == -2


def test_freezes_name_existing_accounts_and_holdings_and_a_huaian_court():
    freezes = 0
    for _, records in KNOWN:
        accounts = {a.account_number: a for a in records.accounts}
        frozen = {f.account_number for f in records.freezes}
        for number, account in accounts.items():
            assert (account.status == "冻结") == (number in frozen)
        for freeze in records.freezes:
            freezes += 1
            assert freeze.account_number in accounts
            assert (freeze.security_code is None) == (freeze.quantity is None)
            if freeze.security_code is not None:
                assert freeze.quantity is not None
                (held,) = [
                    h
                    for h in records.holdings
                    if h.account_number == freeze.account_number
                    and h.security_code == freeze.security_code
                ]
                assert 0 < freeze.quantity <= held.quantity
                assert freeze.quantity % 100 == 0
            case = parse_case_number(freeze.case_number, today=REFERENCE_DATE)
            assert case.case_type.startswith("执")
            assert case.court == COURTS[freeze.court]
            assert case.year == freeze.frozen_from.year
            assert freeze.frozen_from <= REFERENCE_DATE < freeze.frozen_until
            assert freeze.frozen_until <= add_years(freeze.frozen_from, 3)
    assert freezes > 10


def test_rich_subjects_hold_much_and_ordinary_ones_a_little():
    def adult(ref: SubjectRef) -> bool:
        return ref.kind == "legal" or birth_of(ref) < add_years(REFERENCE_DATE, -19)

    rich = [r for ref, r in KNOWN if tier_of(ref.id) is Tier.RICH and adult(ref)]
    ordinary = [r for ref, r in KNOWN if tier_of(ref.id) is Tier.ORDINARY and adult(ref)]
    assert all(r.holdings for r in rich)
    assert sum(bool(r.freezes) for r in rich) > len(rich) / 4
    assert all(1 <= len(r.accounts) <= 4 for r in ordinary)
    assert all(len(r.holdings) <= 8 for r in ordinary)
    assert sum(bool(r.freezes) for r in ordinary) < len(ordinary) / 5

    def value(records: SecuritiesRecords) -> Decimal:
        return sum((h.market_value for h in records.holdings), Decimal(0))

    assert sum(map(value, rich)) / len(rich) > 5 * sum(map(value, ordinary)) / len(ordinary)

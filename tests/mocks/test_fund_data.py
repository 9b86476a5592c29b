"""Synthetic provident fund records: deterministic, tiered, internally consistent."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from gateway.domain.cases import parse_case_number
from gateway.domain.subjects import normalize_uscc
from mocks import fund, huaian
from mocks.fund.data import centre_for
from mocks.fund.records import FundRecords
from mocks.synthetic import REFERENCE_DATE, Tier, add_years, enterprises_of, tier_of
from mocks.wire import SubjectRef
from tests.mocks.helpers import EXAMPLES, known_records, reading, resident_ids, subject_refs

COURTS = {d.court for d in huaian.DISTRICTS} | {huaian.INTERMEDIATE_COURT[0]}
CENTRES = {centre_for(d) for d in huaian.DISTRICTS}
FIRST_BIRTH = datetime.date(1955, 1, 1)

records_for = reading(FundRecords, fund.records_for)  # the JSON, read back


def known(count: int) -> list[tuple[SubjectRef, FundRecords]]:
    """People the fund knows, born from 1955 to 2015."""
    ids = resident_ids(
        count, regions=("320803",), first_birth=FIRST_BIRTH, step_days=53, span_days=22000
    )
    return known_records(records_for, subject_refs("natural", ids))


def test_same_subject_same_records() -> None:
    for subject_id in EXAMPLES["natural"].values():
        first = records_for(SubjectRef(kind="natural", id=subject_id))
        again = records_for(SubjectRef(kind="natural", id=subject_id))
        assert first == again


def test_unknown_subject_is_none() -> None:
    assert records_for(SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.UNKNOWN])) is None
    assert records_for(SubjectRef(kind="natural", id="320802197805121020")) is None  # check digit


def test_empty_tier_is_known_without_records() -> None:
    ref = SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.EMPTY])
    assert records_for(ref) == FundRecords()


def test_legal_persons_hold_no_fund_accounts() -> None:
    for subject_id in EXAMPLES["legal"].values():
        assert records_for(SubjectRef(kind="legal", id=subject_id)) is None


def test_rich_example_has_records() -> None:
    records = records_for(SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.RICH]))
    assert records is not None
    assert records.accounts


def test_minors_have_no_accounts() -> None:
    minors = 0
    for ref, records in known(600):
        birth = datetime.date(int(ref.id[6:10]), int(ref.id[10:12]), int(ref.id[12:14]))
        if add_years(birth, 18) >= REFERENCE_DATE:
            minors += 1
            assert records == FundRecords()
    assert minors > 10


def test_accounts_are_consistent() -> None:
    accounts = 0
    for ref, records in known(600):
        birth = datetime.date(int(ref.id[6:10]), int(ref.id[10:12]), int(ref.id[12:14]))
        numbers = [a.account_number for a in records.accounts]
        assert len(set(numbers)) == len(numbers)
        current = [a for a in records.accounts if a.last_deposit_month == "2025-06"]
        assert len(current) <= 1
        for account in records.accounts:
            accounts += 1
            assert account.centre in CENTRES
            assert re.fullmatch(r"\d{12}", account.account_number)
            assert normalize_uscc(account.employer_uscc) == account.employer_uscc
            assert 5 <= account.personal_rate <= 12
            assert 5 <= account.employer_rate <= 12
            personal = (account.deposit_base * account.personal_rate / 100).quantize(Decimal(1))
            employer = (account.deposit_base * account.employer_rate / 100).quantize(Decimal(1))
            assert abs(account.monthly_deposit - personal - employer) <= 1
            assert account.balance >= 0
            assert account.status in ("正常", "封存", "销户", "冻结")
            if account.status == "销户":
                assert account.balance == 0
            assert add_years(birth, 18) < account.opened_on <= REFERENCE_DATE
            assert f"{account.opened_on:%Y-%m}" <= account.last_deposit_month <= "2025-06"
            for value in (account.deposit_base, account.monthly_deposit, account.balance):
                assert value.as_tuple().exponent == -2
    assert accounts > 300


def test_an_enterprise_of_the_person_may_be_the_employer() -> None:
    own = 0
    for ref, records in known(600):
        codes = {c.uscc for c in enterprises_of(ref)}
        own += sum(a.employer_uscc in codes for a in records.accounts)
    assert own > 5


def test_private_employers_are_known_enterprises() -> None:
    """A court can follow the employer lead: the code is one the agencies know."""
    for _, records in known(300):
        for account in records.accounts:
            if account.employer_uscc.startswith("91"):
                assert tier_of(account.employer_uscc) is not Tier.UNKNOWN
                assert account.employer.startswith("淮安市")


def test_loans_and_freezes_refer_to_existing_accounts() -> None:
    loans = freezes = 0
    for _, records in known(600):
        by_number = {a.account_number: a for a in records.accounts}
        frozen = {f.account_number for f in records.freezes}
        for account in records.accounts:
            assert (account.status == "冻结") == (account.account_number in frozen)
        for freeze in records.freezes:
            freezes += 1
            account = by_number[freeze.account_number]
            assert 0 < freeze.frozen_amount <= account.balance
            assert freeze.court in COURTS
            parse_case_number(freeze.case_number, today=REFERENCE_DATE)
            assert account.opened_on <= freeze.frozen_from <= REFERENCE_DATE < freeze.frozen_until
            assert freeze.frozen_until <= freeze.frozen_from + datetime.timedelta(days=366)
        for loan in records.loans:
            loans += 1
            account = by_number[loan.account_number]
            assert account.opened_on <= loan.issued_on <= REFERENCE_DATE
            if loan.status != "结清":
                assert loan.matures_on > REFERENCE_DATE
            assert loan.issued_on < loan.matures_on
            assert 0 <= loan.outstanding <= loan.principal
            assert (loan.outstanding == 0) == (loan.status == "结清")
            assert loan.status in ("正常", "逾期", "结清")
            assert loan.entrusted_bank.endswith("淮安分行")
    assert loans > 30
    assert freezes > 20


def test_rich_people_have_more_and_are_frozen_more_often() -> None:
    rich_freezes = rich_people = ordinary_freezes = ordinary_people = 0
    for ref, records in known(800):
        if not records.accounts:
            continue
        if tier_of(ref.id) is Tier.RICH:
            rich_people += 1
            rich_freezes += bool(records.freezes)
            assert len(records.accounts) >= 2 or records.accounts[0].status != "正常"
        else:
            ordinary_people += 1
            ordinary_freezes += bool(records.freezes)
    assert rich_freezes / rich_people > 0.4
    assert ordinary_freezes / ordinary_people < 0.2

"""Synthetic tax records: deterministic, tiered, consistent with the fund and land mocks."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from mocks import fund, huaian, land, tax
from mocks.fund.records import FundRecords
from mocks.land.records import LandRecords
from mocks.synthetic import REFERENCE_DATE, Tier, add_years, company, person, tier_of, years_ago
from mocks.tax.data import tax_authority
from mocks.tax.records import TaxRecords
from mocks.wire import SubjectRef
from tests.mocks.helpers import (
    EXAMPLES,
    known_records,
    reading,
    resident_ids,
    subject_refs,
    uscc_ids,
)

AUTHORITIES = {tax_authority(d) for d in huaian.DISTRICTS}
PERIOD = re.compile(r"\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?")

records_for = reading(TaxRecords, tax.records_for)  # the JSON, read back


def known(count: int) -> list[tuple[SubjectRef, TaxRecords]]:
    """``count`` people (born from 1955) and ``count`` companies, those the bureau knows."""
    people = resident_ids(
        count,
        regions=("320826",),
        first_birth=datetime.date(1955, 1, 1),
        step_days=73,
        span_days=22000,
    )
    refs = subject_refs("natural", people) + subject_refs("legal", uscc_ids(count))
    return known_records(records_for, refs)


def test_same_subject_same_records() -> None:
    for kind in ("natural", "legal"):
        for subject_id in EXAMPLES[kind].values():
            ref = SubjectRef(kind=kind, id=subject_id)
            assert records_for(ref) == records_for(SubjectRef(kind=kind, id=subject_id))


def test_unknown_subjects_are_none() -> None:
    for kind in ("natural", "legal"):
        assert records_for(SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.UNKNOWN])) is None
    assert records_for(SubjectRef(kind="legal", id=EXAMPLES["natural"][Tier.RICH])) is None


def test_empty_tier_is_known_without_records() -> None:
    for kind in ("natural", "legal"):
        assert records_for(SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.EMPTY])) == (TaxRecords())


def test_both_kinds_are_served() -> None:
    for kind in ("natural", "legal"):
        records = records_for(SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.RICH]))
        assert records is not None
        assert records.registration is not None
        assert records.payments


def test_registration_names_the_subject() -> None:
    for ref, records in known(200):
        if tier_of(ref.id) is Tier.EMPTY:
            assert records == TaxRecords()
            continue
        if ref.kind == "natural" and records.registration is None:  # a minor without property
            assert not records.payments
            continue
        registration = records.registration
        assert registration is not None
        assert registration.taxpayer_id == ref.id
        assert registration.tax_authority in AUTHORITIES
        assert registration.registered_on <= REFERENCE_DATE
        if ref.kind == "natural":
            assert registration.taxpayer_name == person(ref).name
            assert registration.taxpayer_type == "自然人"
            assert registration.credit_rating is None
            assert registration.status == "正常"
        else:
            assert registration.taxpayer_name == company(ref.id).name
            assert registration.taxpayer_type in ("一般纳税人", "小规模纳税人")
            assert registration.credit_rating in ("A", "B", "M", "C", "D")
            assert registration.status in ("正常", "非正常户")
            if registration.status == "非正常户":
                assert registration.credit_rating == "D"
                assert records.arrears


def test_the_name_the_court_gives_is_used() -> None:
    ref = SubjectRef(kind="legal", id=EXAMPLES["legal"][Tier.ORDINARY], name="淮安市某某有限公司")
    records = records_for(ref)
    assert records is not None
    assert records.registration is not None
    assert records.registration.taxpayer_name == "淮安市某某有限公司"


def test_minors_are_registered_only_when_they_pay_tax() -> None:
    minors = 0
    for ref, records in known(300):
        if ref.kind != "natural" or records == TaxRecords():
            continue
        if add_years(person(ref).birth_date, 18) >= REFERENCE_DATE:
            minors += 1
            assert (records.registration is None) == (not records.payments)
            wages = [p for p in records.payments if p.tax_type == "个人所得税" and p.withholder]
            assert all(p.period == "2024" for p in wages)  # dividends, never wages
    assert minors > 10


def test_payments_arrears_and_penalties_are_consistent() -> None:
    arrears = penalties = 0
    for _, records in known(300):
        paid = {(p.tax_type, p.period) for p in records.payments}
        for payment in records.payments:
            assert PERIOD.fullmatch(payment.period)
            assert years_ago(2) <= payment.paid_on <= REFERENCE_DATE
            assert payment.amount > 0
            assert payment.amount.as_tuple().exponent == -2
        for owed in records.arrears:
            arrears += 1
            assert (owed.tax_type, owed.period) not in paid
            assert PERIOD.fullmatch(owed.period)
            assert owed.since <= REFERENCE_DATE
            assert owed.amount > 0
            days = (REFERENCE_DATE - owed.since).days + 1
            assert owed.late_fee == (owed.amount * Decimal("0.0005") * days).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
        for penalty in records.penalties:
            penalties += 1
            assert re.fullmatch(
                r"(淮税稽罚|.{2,3}税简罚)〔\d{4}〕\d{1,3}号", penalty.decision_number
            )
            assert str(penalty.decided_on.year) in penalty.decision_number
            assert penalty.decided_on <= REFERENCE_DATE
            assert penalty.amount > 0
            assert penalty.status in ("已缴纳", "未缴纳")
            assert penalty.authority.startswith("国家税务总局")
    assert arrears > 20
    assert penalties > 10


def test_companies_pay_business_taxes_and_persons_income_tax() -> None:
    for ref, records in known(150):
        types = {p.tax_type for p in records.payments}
        if ref.kind == "legal":
            assert "个人所得税" not in types
            if records.payments and records.registration is not None:
                assert records.registration.status == "非正常户" or "增值税" in types
        else:
            assert not types & {"增值税", "企业所得税"}


def test_wage_tax_is_withheld_by_the_current_fund_employer() -> None:
    withheld = 0
    for ref, records in known(300):
        if ref.kind != "natural":
            continue
        fund_records = reading(FundRecords, fund.records_for)(ref)
        assert fund_records is not None
        employers = {a.employer for a in fund_records.accounts if a.last_deposit_month == "2025-06"}
        for payment in records.payments:
            if payment.tax_type == "个人所得税" and len(payment.period) == 7:
                withheld += 1
                assert payment.withholder in employers
    assert withheld > 100


def test_deed_tax_follows_recent_registrations_in_the_land_registry() -> None:
    deeds = 0
    for ref, records in known(300):
        land_records = reading(LandRecords, land.records_for)(ref)
        assert land_records is not None
        recent = [
            e.registered_on
            for e in land_records.real_estate + land_records.land
            if e.registered_on > years_ago(2) + datetime.timedelta(days=30)
        ]
        deed = [p for p in records.payments if p.tax_type == "契税"]
        assert len(deed) == len(recent)
        for payment, registered in zip(
            sorted(deed, key=lambda p: p.paid_on), sorted(recent), strict=True
        ):
            deeds += 1
            assert registered - datetime.timedelta(days=20) <= payment.paid_on < registered
    assert deeds > 20


def test_rich_subjects_owe_more_often() -> None:
    owing = {True: 0, False: 0}
    people = {True: 0, False: 0}
    for ref, records in known(400):
        rich = tier_of(ref.id) is Tier.RICH
        people[rich] += 1
        owing[rich] += bool(records.arrears or records.penalties)
    assert owing[True] / people[True] > 2 * owing[False] / people[False]

"""The insurance mock: deterministic, tiered, consistent with itself and the other agencies."""

from __future__ import annotations

import collections
import datetime
import re
from decimal import Decimal

import pytest

from gateway.domain.cases import parse_case_number
from mocks import huaian, insurance, land, police
from mocks.insurance.records import InsuranceRecords, Policy
from mocks.land.records import LandRecords
from mocks.police.records import PoliceRecords
from mocks.registry import MOCK_AGENCIES
from mocks.synthetic import (
    REFERENCE_DATE,
    Tier,
    add_years,
    company,
    enterprises_of,
    person,
    spouse_of,
    tier_of,
)
from mocks.wire import SubjectRef
from tests.mocks.helpers import (
    EXAMPLES,
    known_records,
    reading,
    resident_ids,
    subject_refs,
    uscc_ids,
)

COURTS = {d.court: d.court_code for d in huaian.DISTRICTS} | {
    huaian.INTERMEDIATE_COURT[0]: huaian.INTERMEDIATE_COURT[1]
}
TYPES = {"终身寿险", "两全保险", "年金保险", "重疾险", "意外险", "车险", "财产险", "团体意外险"}
NO_CASH_VALUE = {"意外险", "车险", "财产险", "团体意外险"}
PERSONAL_TYPES = {"终身寿险", "两全保险", "年金保险", "重疾险", "意外险", "车险", "团体意外险"}
COMPANY_TYPES = {"车险", "财产险", "团体意外险"}
INSURER = re.compile(
    r"[\u4e00-\u9fff]+(保险股份有限公司|保险有限责任公司)"
    r"(淮安分公司|淮安市分公司|淮安中心支公司|涟水县支公司|盱眙县支公司|金湖县支公司)"
)

records_for = reading(InsuranceRecords, insurance.records_for)  # the JSON, read back


PEOPLE: list[tuple[SubjectRef, InsuranceRecords]] = known_records(
    records_for,
    subject_refs("natural", resident_ids(250, regions=("320826",), step_days=83, span_days=27300)),
)
COMPANIES: list[tuple[SubjectRef, InsuranceRecords]] = known_records(
    records_for, subject_refs("legal", uscc_ids(120, prefix="91320812MA", first=5000))
)
KNOWN = PEOPLE + COMPANIES


def birth_of(ref: SubjectRef) -> datetime.date:
    return datetime.date(int(ref.id[6:10]), int(ref.id[10:12]), int(ref.id[12:14]))


def adult(ref: SubjectRef) -> bool:
    return ref.kind == "legal" or add_years(birth_of(ref), 18) < REFERENCE_DATE - (
        datetime.timedelta(days=30)
    )


def test_the_same_subject_gets_the_same_records():
    for kind in ("natural", "legal"):
        for subject_id in EXAMPLES[kind].values():
            ref = SubjectRef(kind=kind, id=subject_id)
            assert insurance.records_for(ref) == insurance.records_for(ref)  # the JSON
    numbers = [p.policy_number for _, r in KNOWN for p in r.policies]
    assert len(numbers) == len(set(numbers))  # no two policies alike, across subjects too


@pytest.mark.parametrize(
    "ref",
    [
        SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.UNKNOWN]),
        SubjectRef(kind="legal", id=EXAMPLES["legal"][Tier.UNKNOWN]),
        SubjectRef(kind="legal", id=EXAMPLES["legal"][Tier.RICH].lower()),
        SubjectRef(kind="natural", id=EXAMPLES["legal"][Tier.RICH]),
    ],
)
def test_unknown_or_invalid_subjects_are_none(ref):
    assert records_for(ref) is None


@pytest.mark.parametrize("kind", ["natural", "legal"])
def test_the_empty_tier_is_known_with_nothing(kind):
    assert records_for(SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.EMPTY])) == (InsuranceRecords())


def test_both_kinds_of_subject_are_served_with_their_own_kinds_of_cover():
    assert MOCK_AGENCIES["insurance"].subject_kinds == {"natural", "legal"}
    assert MOCK_AGENCIES["insurance"].records_for is insurance.records_for
    people = {p.policy_type for _, r in PEOPLE for p in r.policies}
    companies = {p.policy_type for _, r in COMPANIES for p in r.policies}
    assert people == PERSONAL_TYPES
    assert companies == COMPANY_TYPES
    for _, records in COMPANIES:
        assert all(p.role == "投保人" and p.cash_value == 0 for p in records.policies)
        assert records.freezes == []


def test_policies_are_well_formed():
    statuses: collections.Counter[str] = collections.Counter()
    for _, records in KNOWN:
        for policy in records.policies:
            statuses[policy.status] += 1
            assert policy.policy_type in TYPES
            assert policy.role in {"投保人", "被保险人", "受益人"}
            assert policy.status in {"有效", "满期", "退保", "冻结"}
            assert INSURER.fullmatch(policy.insurer), policy.insurer
            assert re.fullmatch(r"[A-Z0-9]{2,4}20\d{2}3208\d{10}", policy.policy_number)
            for amount in (policy.sum_insured, policy.cash_value, policy.premium):
                assert amount >= 0
                assert amount.as_tuple().exponent == -2
            assert policy.sum_insured > 0
            assert policy.premium > 0
            assert policy.payment_years >= 1
            assert policy.effective_on <= REFERENCE_DATE
            if policy.policy_type in NO_CASH_VALUE or policy.status in {"满期", "退保"}:
                assert policy.cash_value == 0
            if policy.expires_on is None:
                assert policy.policy_type in {"终身寿险", "重疾险"}
            else:
                assert policy.effective_on < policy.expires_on
                assert (policy.status == "满期") == (policy.expires_on < REFERENCE_DATE)
            if policy.policy_type in {"车险", "财产险"}:
                assert policy.insured_object is not None
            else:
                assert policy.insured_object is None
    assert set(statuses) == {"有效", "满期", "退保", "冻结"}


def test_savings_policies_of_rich_people_carry_large_cash_values():
    rich = [r for ref, r in PEOPLE if tier_of(ref.id) is Tier.RICH and adult(ref)]
    ordinary = [r for ref, r in PEOPLE if tier_of(ref.id) is Tier.ORDINARY and adult(ref)]

    def enforceable(records: InsuranceRecords) -> Decimal:
        cash = sum((p.cash_value for p in records.policies if p.role == "投保人"), Decimal(0))
        return cash + sum((w.account_value for w in records.wealth_products), Decimal(0))

    assert sum(enforceable(r) > 0 for r in rich) > 0.8 * len(rich)
    assert sum(map(enforceable, rich)) / len(rich) > 10 * sum(map(enforceable, ordinary)) / len(
        ordinary
    )
    assert max(len(r.policies) for r in ordinary) <= 8
    assert sum(bool(r.freezes) for r in rich) > len(rich) / 4


def test_roles_name_the_right_people():
    roles: collections.Counter[str] = collections.Counter()
    for ref, records in PEOPLE:
        resident = person(ref)
        spouse = spouse_of(resident)
        employers = {e.name for e in enterprises_of(ref)}
        for policy in records.policies:
            roles[policy.role] += 1
            if not adult(ref):
                assert policy.role == "被保险人"
                assert policy.insured == resident.name
                assert policy.policyholder[0] == resident.name[0]  # a parent
                assert policy.effective_on > birth_of(ref)
                continue
            if policy.role == "投保人":
                assert policy.policyholder == resident.name
                assert policy.insured in {resident.name, spouse.name if spouse else None}
                assert policy.effective_on > add_years(birth_of(ref), 18)
            elif policy.role == "受益人":
                assert spouse is not None
                assert policy.policyholder == policy.insured == spouse.name
                assert policy.effective_on > add_years(spouse.birth_date, 18)
            else:
                assert policy.policy_type == "团体意外险"
                assert policy.policyholder in employers
                assert policy.insured == resident.name
    assert set(roles) == {"投保人", "被保险人", "受益人"}
    for ref, records in COMPANIES:
        assert {p.policyholder for p in records.policies} <= {company(ref.id).name}


def test_the_name_the_request_gives_is_the_policyholder():
    ref = SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.RICH], name="张三")
    records = records_for(ref)
    assert records is not None
    held = [p for p in records.policies if p.role == "投保人"]
    assert held
    assert {p.policyholder for p in held} == {"张三"}


def test_every_registered_vehicle_is_insured_once():
    insured = 0
    for ref, records in KNOWN:
        police_records = reading(PoliceRecords, police.records_for)(ref)
        assert police_records is not None
        plates = sorted(v.plate for v in police_records.vehicles if v.status != "被盗抢")
        motor = [p for p in records.policies if p.policy_type == "车险"]
        assert sorted(p.insured_object or "" for p in motor) == plates
        for policy in motor:
            vehicle = next(v for v in police_records.vehicles if v.plate == policy.insured_object)
            assert policy.effective_on >= vehicle.registered_on
            assert policy.expires_on is not None
            assert policy.expires_on >= REFERENCE_DATE
            assert policy.status == "有效"
        insured += len(motor)
    assert insured > 50


def test_company_property_cover_is_on_their_registered_sites():
    covered = 0
    for ref, records in COMPANIES:
        land_records = reading(LandRecords, land.records_for)(ref)
        assert land_records is not None
        sites = {e.location for e in land_records.real_estate}
        for policy in records.policies:
            if policy.policy_type == "财产险":
                assert policy.insured_object is not None
                assert policy.insured_object.startswith("淮安市")
                covered += policy.insured_object in sites
    assert covered > 10


def test_freezes_are_of_cash_values_the_subject_holds():
    freezes = 0
    for _, records in KNOWN:
        policies: dict[str, Policy] = {p.policy_number: p for p in records.policies}
        frozen = {f.policy_number for f in records.freezes}
        for number, policy in policies.items():
            assert (policy.status == "冻结") == (number in frozen)
        for freeze in records.freezes:
            freezes += 1
            policy = policies[freeze.policy_number]
            assert policy.role == "投保人"
            assert policy.cash_value > 0
            assert freeze.insurer == policy.insurer
            case = parse_case_number(freeze.case_number, today=REFERENCE_DATE)
            assert case.case_type.startswith("执")
            assert case.court == COURTS[freeze.court]
            assert policy.effective_on <= freeze.frozen_from <= REFERENCE_DATE
            assert REFERENCE_DATE < freeze.frozen_until <= add_years(freeze.frozen_from, 3)
    assert freezes > 10


def test_wealth_products_are_well_formed():
    products = [w for _, r in KNOWN for w in r.wealth_products]
    assert {w.product_type for w in products} == {"万能账户", "投连账户", "保险资管产品"}
    for product in products:
        assert product.account_value > 0
        assert product.account_value.as_tuple().exponent == -2
        assert product.purchased_on < REFERENCE_DATE
        assert re.fullmatch(r"[A-Z0-9]{8,12}", product.product_code)
        assert ("资产管理" in product.insurer) == (product.product_type == "保险资管产品")

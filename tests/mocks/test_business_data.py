"""The business-registry mock: deterministic, tiered, and consistent with itself and the others."""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal

import pytest

from gateway.domain.cases import parse_case_number
from gateway.domain.subjects import normalize_uscc
from mocks import huaian
from mocks.business import data
from mocks.business.records import BusinessRecords, EquityHolding
from mocks.synthetic import (
    REFERENCE_DATE,
    Tier,
    add_years,
    company,
    enterprises_of,
    person,
    tier_of,
)
from mocks.wire import SubjectKindName, SubjectRef
from tests.mocks.helpers import (
    EXAMPLES,
    known_records,
    reading,
    resident_ids,
    subject_refs,
    uscc_ids,
    walk,
)

COURTS = {d.court for d in huaian.DISTRICTS} | {huaian.INTERMEDIATE_COURT[0]}
ROLES = {"法定代表人", "执行董事", "董事", "监事", "经理", "股东"}
STATUSES = {"存续", "在业", "吊销", "注销", "迁出"}
FREEZE_STATUSES = {"冻结", "续行冻结", "解除冻结"}
THREE_YEARS = datetime.timedelta(days=3 * 366)

records_for = reading(BusinessRecords, data.records_for)  # the JSON, read back


def natural_ids(count: int) -> list[str]:
    """Valid resident IDs born 1950-2023, of both genders, from several districts."""
    regions = ("320812", "320804", "320826", "110105")
    return resident_ids(count, regions=regions, step_days=101, span_days=26900)


@functools.cache
def sample(kind: SubjectKindName) -> tuple[tuple[SubjectRef, BusinessRecords], ...]:
    ids = natural_ids(400) if kind == "natural" else uscc_ids(300)
    return tuple(known_records(records_for, subject_refs(kind, ids)))


def rich(kind: SubjectKindName) -> list[tuple[SubjectRef, BusinessRecords]]:
    return [(ref, r) for ref, r in sample(kind) if tier_of(ref.id) is Tier.RICH]


# --- determinism and tiers ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["natural", "legal"])
@pytest.mark.parametrize("tier", [Tier.EMPTY, Tier.ORDINARY, Tier.RICH])
def test_same_subject_same_records(kind: SubjectKindName, tier: Tier) -> None:
    ref = SubjectRef(kind=kind, id=EXAMPLES[kind][tier])
    first = data.records_for(ref)  # the JSON answer
    data.enterprise.cache_clear()  # the shared enterprise facts are drawn again, not cached
    assert data.records_for(ref) == first
    assert first is not None


@pytest.mark.parametrize("kind", ["natural", "legal"])
def test_unknown_subject_is_none(kind: SubjectKindName) -> None:
    assert records_for(SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.UNKNOWN])) is None


@pytest.mark.parametrize(
    "ref",
    [
        SubjectRef(kind="natural", id=EXAMPLES["legal"][Tier.RICH]),  # kind mismatch
        SubjectRef(kind="legal", id=EXAMPLES["natural"][Tier.RICH]),
        SubjectRef(kind="legal", id=EXAMPLES["legal"][Tier.RICH].lower()),  # not canonical
        SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.RICH][:-1] + "0"),  # check digit
    ],
)
def test_invalid_or_mismatched_ids_are_unknown(ref: SubjectRef) -> None:
    assert records_for(ref) is None


@pytest.mark.parametrize("kind", ["natural", "legal"])
def test_empty_tier_is_an_empty_model(kind: SubjectKindName) -> None:
    records = records_for(SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.EMPTY]))
    assert records == BusinessRecords()


def test_every_known_subject_is_found_and_unknown_ones_are_not() -> None:
    for subject_id in natural_ids(200):
        answer = records_for(SubjectRef(kind="natural", id=subject_id))
        assert (answer is None) == (tier_of(subject_id) is Tier.UNKNOWN)


def test_both_kinds_are_served_with_their_own_shape() -> None:
    for _, records in sample("natural"):
        assert records.registration is None
        assert records.shareholders == []
        assert records.branches == []
    legal = [(ref, r) for ref, r in sample("legal") if tier_of(ref.id) is not Tier.EMPTY]
    assert legal
    for ref, records in legal:
        assert records.registration is not None
        assert records.registration.uscc == ref.id


def test_rich_subjects_have_more_and_sometimes_existing_freezes() -> None:
    kinds: tuple[SubjectKindName, ...] = ("natural", "legal")
    for kind in kinds:
        subjects = rich(kind)
        ordinary = [r for ref, r in sample(kind) if tier_of(ref.id) is Tier.ORDINARY]
        assert len(subjects) > 20
        rich_mean = sum(len(r.enterprises) for _, r in subjects) / len(subjects)
        ordinary_mean = sum(len(r.enterprises) for r in ordinary) / len(ordinary)
        assert rich_mean > ordinary_mean
        frozen = [r for _, r in subjects if any(f.status != "解除冻结" for f in r.equity_freezes)]
        assert len(frozen) > len(subjects) / 4
    for _, records in rich("legal"):
        assert records.registration is not None
        assert records.registration.status in ("存续", "在业")  # rich companies are in business
        assert records.branches


# --- natural persons ----------------------------------------------------------------------


def test_a_persons_enterprises_are_those_of_the_shared_world() -> None:
    with_enterprises = 0
    for ref, records in sample("natural"):
        expected = enterprises_of(ref)
        assert [e.uscc for e in records.enterprises] == [c.uscc for c in expected]
        assert [e.name for e in records.enterprises] == [c.name for c in expected]
        with_enterprises += bool(expected)
    assert with_enterprises > 50


def test_a_rich_person_controls_the_first_enterprise() -> None:
    subjects = rich("natural")
    for _, records in subjects:
        first = records.enterprises[0]
        assert "法定代表人" in first.roles or (
            first.share_ratio is not None and first.share_ratio >= 50
        )


def test_roles_shares_and_holdings_agree() -> None:
    for ref, records in sample("natural"):
        resident = person(ref)
        adult_on = add_years(resident.birth_date, 18)
        holdings = {h.uscc: h for h in records.equity_holdings}
        for role in records.enterprises:
            assert role.roles
            assert set(role.roles) <= ROLES
            assert role.enterprise_status in STATUSES
            assert (role.share_ratio is not None) == ("股东" in role.roles)
            if role.share_ratio is not None:
                assert Decimal("0.00") < role.share_ratio <= Decimal("100.00")
            if set(role.roles) - {"股东"}:  # running an enterprise takes an adult
                assert adult_on < REFERENCE_DATE
            holding = holdings.get(role.uscc)
            if holding is not None:
                assert holding.share_ratio == role.share_ratio
                assert role.enterprise_status != "注销"
                assert holding.subscribed_on > resident.birth_date
        assert set(holdings) <= {e.uscc for e in records.enterprises}
        assert len(holdings) == len(records.equity_holdings)


def test_a_persons_view_of_an_enterprise_matches_the_enterprises_own_registration() -> None:
    compared = 0
    for _, records in sample("natural"):
        for role in records.enterprises:
            if tier_of(role.uscc) is Tier.EMPTY:
                continue
            own = records_for(SubjectRef(kind="legal", id=role.uscc))
            assert own is not None
            assert own.registration is not None
            assert own.registration.name == role.name == company(role.uscc).name
            assert own.registration.status == role.enterprise_status
            founding = [e for e in records.events if e.uscc == role.uscc and e.event == "设立"]
            assert [e.date for e in founding] == [own.registration.established_on]
            holding = next((h for h in records.equity_holdings if h.uscc == role.uscc), None)
            if holding is not None:
                capital = own.registration.registered_capital
                assert holding.subscribed_capital == capital * holding.share_ratio / 100
                assert holding.subscribed_on >= own.registration.established_on
            compared += 1
        if compared > 60:
            break
    assert compared > 30


# --- legal persons ------------------------------------------------------------------------


def test_a_companys_registration_is_its_own() -> None:
    for ref, records in sample("legal"):
        registration = records.registration
        if registration is None:
            continue
        firm = company(ref.id)
        assert registration.name == firm.name
        assert registration.address.startswith(firm.district.locality())
        district = firm.district.name
        assert registration.registry in {
            f"{huaian.CITY}市场监督管理局",  # the city bureau, for large enterprises
            f"{huaian.CITY}{district}市场监督管理局",
            f"{district}市场监督管理局",  # a county's own bureau
        }
        assert registration.status in STATUSES
        assert registration.established_on <= REFERENCE_DATE
        assert registration.registered_capital > 0
        if registration.operating_until is not None:
            assert registration.operating_until > REFERENCE_DATE
        assert registration.approved_on == max(e.date for e in records.events)
        assert registration.legal_representative
        own_events = [e for e in records.events if e.uscc == ref.id]
        assert own_events[0].event == "设立"
        assert own_events[0].date == registration.established_on
        closing = [e.event for e in own_events if e.event in ("注销", "吊销")]
        if registration.status in ("注销", "吊销"):
            assert closing == [registration.status]
            assert own_events[-1].event == registration.status
            assert records.branches == []
            assert records.enterprises == []
        else:
            assert closing == []


def test_shareholders_add_up_to_the_registered_capital() -> None:
    corporate = 0
    for _, records in sample("legal"):
        if records.registration is None:
            continue
        capital = records.registration.registered_capital
        holders = records.shareholders
        assert holders
        assert sum(s.share_ratio for s in holders) == Decimal("100.00")
        assert sum(s.subscribed_capital for s in holders) == capital
        for holder in holders:
            assert holder.subscribed_capital == capital * holder.share_ratio / 100
            assert Decimal("0.00") <= holder.paid_in_capital <= holder.subscribed_capital
            assert holder.kind in ("自然人", "企业法人")
            if holder.kind == "自然人":
                assert holder.identifier is None
                assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", holder.name)
            else:
                assert holder.identifier is not None
                assert normalize_uscc(holder.identifier) == holder.identifier
                assert tier_of(holder.identifier) is not Tier.UNKNOWN
                assert holder.name == company(holder.identifier).name
                corporate += 1
        ratios = [s.share_ratio for s in holders]
        assert ratios == sorted(ratios, reverse=True)
        expected = "自然人独资" if len(holders) == 1 else "自然人投资或控股"
        assert expected in records.registration.enterprise_type
    assert corporate > 5


def test_rich_companies_control_subsidiaries_the_agencies_know() -> None:
    controlled = 0
    for ref, records in rich("legal"):
        for role in records.enterprises:
            assert role.roles == ["股东"]
            assert role.uscc != ref.id
            assert normalize_uscc(role.uscc) == role.uscc
            assert tier_of(role.uscc) is not Tier.UNKNOWN
            assert role.name == company(role.uscc).name
            assert role.share_ratio is not None
        holdings = {h.uscc: h for h in records.equity_holdings}
        assert set(holdings) == {e.uscc for e in records.enterprises}
        if records.enterprises:
            first = records.enterprises[0].share_ratio
            assert first is not None
            assert first >= 50
            controlled += 1
        for branch in records.branches:
            assert normalize_uscc(branch.uscc) == branch.uscc
            assert branch.name.startswith(company(ref.id).name)
            assert branch.name.endswith("分公司")
            assert branch.status in ("存续", "注销")
    assert controlled > 20


# --- everyone -----------------------------------------------------------------------------


def test_freezes_are_on_real_holdings_by_huaian_courts() -> None:
    checked = 0
    for _, records in sample("natural") + sample("legal"):
        holdings: dict[str, EquityHolding] = {h.uscc: h for h in records.equity_holdings}
        for freeze in records.equity_freezes:
            holding = holdings[freeze.uscc]
            assert freeze.company == holding.company
            assert Decimal("0.00") < freeze.frozen_amount <= holding.subscribed_capital
            assert freeze.court in COURTS
            parse_case_number(freeze.case_number, today=REFERENCE_DATE)
            assert freeze.case_number.startswith(f"({freeze.frozen_from.year})")
            assert holding.subscribed_on <= freeze.frozen_from <= REFERENCE_DATE
            assert freeze.frozen_from < freeze.frozen_until <= freeze.frozen_from + THREE_YEARS
            assert freeze.frozen_from <= freeze.publicized_on <= REFERENCE_DATE
            assert freeze.status in FREEZE_STATUSES
            if freeze.status == "解除冻结":
                assert freeze.released_on is not None
                assert freeze.frozen_from < freeze.released_on <= REFERENCE_DATE
                assert freeze.released_on <= freeze.frozen_until
            else:
                assert freeze.released_on is None
                assert freeze.frozen_until > REFERENCE_DATE  # in force today
            checked += 1
    assert checked > 30


def test_events_are_dated_in_order_and_well_formed() -> None:
    for _, records in sample("natural") + sample("legal"):
        by_company: dict[str, list[datetime.date]] = {}
        for event in records.events:
            assert event.event in ("设立", "变更", "注销", "吊销")
            assert (event.item is not None) == (event.event == "变更")
            if event.event == "变更":
                assert event.before
                assert event.after
                assert event.before != event.after
            assert event.date <= REFERENCE_DATE
            by_company.setdefault(event.uscc, []).append(event.date)
        for dates in by_company.values():
            assert dates == sorted(dates)


def test_values_have_the_formats_of_real_records() -> None:
    for _, records in sample("natural") + sample("legal"):
        for value in walk(records):
            if isinstance(value, Decimal):
                assert value.as_tuple().exponent == -2
                assert value >= 0
            if isinstance(value, datetime.date):
                assert value.year >= 1990
        for role in records.enterprises:
            assert normalize_uscc(role.uscc) == role.uscc
            assert role.name.startswith(huaian.CITY)
            assert role.name.endswith("有限公司")
        for event in records.events:
            if event.item == "注册资本":
                assert event.before is not None
                assert event.after is not None
                assert re.fullmatch(r"\d+万元人民币", event.before)
                assert re.fullmatch(r"\d+万元人民币", event.after)
        if records.registration is not None:
            capital = records.registration.registered_capital
            changes = [e for e in records.events if e.item == "注册资本"]
            for change in changes:
                assert change.after == f"{capital / 10_000:.0f}万元人民币"

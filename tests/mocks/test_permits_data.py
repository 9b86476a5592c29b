"""Synthetic permit records: deterministic, sized by tier, following the enterprise's industry."""

from __future__ import annotations

import collections
import datetime
import itertools
import re

from mocks import permits
from mocks.permits.data import industry_of
from mocks.permits.records import PermitRecords
from mocks.synthetic import (
    INDUSTRIES,
    REFERENCE_DATE,
    Tier,
    add_years,
    company,
    tier_of,
)
from mocks.wire import SubjectRef
from tests.mocks.helpers import EXAMPLES, known_records, reading, subject_refs, uscc_ids

PERMIT_NUMBER = re.compile(r"\(苏\)(JZ|FM|WH)安许证字〔(\d{4})〕08\d{4}号")
NUMBERS = {
    "药品": re.compile(r"国药准字H(\d{4})\d{4}"),
    "第一类医疗器械": re.compile(r"苏淮械备(\d{4})\d{4}"),
    "第二类医疗器械": re.compile(r"苏械注准(\d{4})2\d{6}"),
    "第三类医疗器械": re.compile(r"国械注准(\d{4})3\d{6}"),
}
# which permit kinds an industry may hold
PERMIT_KINDS = {"建筑工程": {"JZ"}, "机械制造": {"JZ"}, "盐化": {"FM", "WH"}, "新材料": {"WH"}}
PRODUCT_CATEGORIES = {
    "盐化": {"药品"},
    "食品": {"第一类医疗器械"},
    "商贸": {"第一类医疗器械", "第二类医疗器械"},
    "新材料": {"第三类医疗器械"},
}
TRADERS = {"商贸", "机械制造", "新材料", "纺织", "食品", "盐化"}

records_for = reading(PermitRecords, permits.records_for)  # the JSON, read back


def legal_ids(count: int) -> list[str]:
    return uscc_ids(count, prefix="91320803MA")


def known(count: int) -> list[tuple[str, PermitRecords]]:
    refs = subject_refs("legal", legal_ids(count))
    return [(ref.id, records) for ref, records in known_records(records_for, refs)]


def test_same_subject_same_records() -> None:
    for subject_id in legal_ids(40):
        ref = SubjectRef(kind="legal", id=subject_id)
        first, second = permits.records_for(ref), permits.records_for(ref)  # the JSON answers
        if first is None:
            assert second is None
        else:
            assert second is not None
            assert first == second


def test_unknown_subjects_are_not_found() -> None:
    assert permits.records_for(SubjectRef(kind="legal", id=EXAMPLES["legal"][Tier.UNKNOWN])) is None
    lower = EXAMPLES["legal"][Tier.RICH].lower()  # not canonical
    assert permits.records_for(SubjectRef(kind="legal", id=lower)) is None


def test_natural_persons_are_not_kept() -> None:
    for tier in Tier:
        ref = SubjectRef(kind="natural", id=EXAMPLES["natural"][tier])
        assert permits.records_for(ref) is None


def test_empty_tier_is_an_empty_model() -> None:
    empties = [r for i, r in known(600) if tier_of(i) is Tier.EMPTY]
    assert len(empties) > 30
    assert all(r == PermitRecords() for r in empties)
    example = records_for(SubjectRef(kind="legal", id=EXAMPLES["legal"][Tier.EMPTY]))
    assert example == PermitRecords()


def test_every_rich_enterprise_has_records_and_more_than_ordinary_ones() -> None:
    totals: dict[Tier, list[int]] = collections.defaultdict(list)
    for subject_id, records in known(1500):
        count = len(records.safety_permits) + len(records.product_registrations)
        count += records.inspection_credit is not None
        totals[tier_of(subject_id)].append(count)
    assert min(totals[Tier.RICH]) >= 1
    rich_mean = sum(totals[Tier.RICH]) / len(totals[Tier.RICH])
    ordinary_mean = sum(totals[Tier.ORDINARY]) / len(totals[Tier.ORDINARY])
    assert rich_mean > 1.5 * ordinary_mean
    assert totals[Tier.ORDINARY].count(0) > len(totals[Tier.ORDINARY]) / 3  # many hold nothing


def test_records_follow_the_industry_in_the_name() -> None:
    seen_kinds: set[str] = set()
    seen_categories: set[str] = set()
    for subject_id, records in known(2000):
        industry = industry_of(company(subject_id))
        assert industry in INDUSTRIES
        for permit in records.safety_permits:
            match = PERMIT_NUMBER.fullmatch(permit.permit_number)
            assert match is not None
            assert match.group(1) in PERMIT_KINDS[industry]
            seen_kinds.add(match.group(1))
        for product in records.product_registrations:
            assert product.category in PRODUCT_CATEGORIES[industry]
            seen_categories.add(product.category)
        if records.inspection_credit is not None and tier_of(subject_id) is not Tier.RICH:
            assert industry in TRADERS
    assert seen_kinds == {"JZ", "FM", "WH"}
    assert seen_categories >= {"药品", "第一类医疗器械", "第二类医疗器械"}


def test_builders_mostly_hold_a_construction_permit() -> None:
    builders = [
        r
        for i, r in known(2000)
        if industry_of(company(i)) == "建筑工程" and tier_of(i) is not Tier.EMPTY
    ]
    holding = [r for r in builders if r.safety_permits]
    assert len(holding) > 0.75 * len(builders)
    for records in holding:
        assert {p.issued_by for p in records.safety_permits} == {"江苏省住房和城乡建设厅"}
        assert {p.scope for p in records.safety_permits} == {"建筑施工"}


def test_safety_permits_are_internally_consistent() -> None:
    statuses: collections.Counter[str] = collections.Counter()
    for _, records in known(2000):
        for permit in records.safety_permits:
            statuses[permit.status] += 1
            match = PERMIT_NUMBER.fullmatch(permit.permit_number)
            assert match is not None
            assert int(match.group(2)) == permit.issued_on.year
            assert permit.issued_on <= REFERENCE_DATE
            assert permit.expires_on == add_years(permit.issued_on, 3)  # three years
            if permit.expires_on < REFERENCE_DATE:
                assert permit.status in ("过期", "注销")
            else:
                assert permit.status in ("有效", "暂扣", "吊销", "注销")
            if permit.issued_on >= datetime.date(2018, 11, 1):
                assert "安全生产监督管理局" not in permit.issued_by
            assert permit.issued_by in (
                "江苏省应急管理厅",
                "淮安市应急管理局",
                "江苏省安全生产监督管理局",
                "淮安市安全生产监督管理局",
                "江苏省住房和城乡建设厅",
            )
        by_scope = collections.defaultdict(list)
        for permit in records.safety_permits:
            by_scope[permit.scope].append(permit)
        for chain in by_scope.values():  # a renewal follows the permit it replaces
            chain.sort(key=lambda p: p.issued_on)
            for before, after in itertools.pairwise(chain):
                assert before.status == "过期"
                assert before.expires_on < after.issued_on
    assert set(statuses) == {"有效", "暂扣", "吊销", "注销", "过期"}
    assert statuses["有效"] > sum(statuses.values()) / 2


def test_product_registrations_are_internally_consistent() -> None:
    for _, records in known(2000):
        names = [p.product_name for p in records.product_registrations]
        assert len(names) == len(set(names))
        for product in records.product_registrations:
            match = NUMBERS[product.category].fullmatch(product.registration_number)
            assert match is not None
            assert int(match.group(1)) == product.issued_on.year
            assert product.issued_on <= REFERENCE_DATE
            if product.category == "第一类医疗器械":
                assert product.expires_on is None  # a filing does not expire
                assert product.issued_by.startswith("淮安市")
                assert product.status in ("有效", "注销")
            else:
                assert product.expires_on is not None
                assert product.expires_on > product.issued_on
                if product.expires_on < REFERENCE_DATE:
                    assert product.status in ("过期", "注销")
                else:
                    assert product.status in ("有效", "注销")


def test_customs_credit_uses_one_scheme() -> None:
    ratings: collections.Counter[str] = collections.Counter()
    for _, records in known(2000):
        credit = records.inspection_credit
        if credit is None:
            continue
        ratings[credit.rating] += 1
        assert re.fullmatch(r"3208[0-9]{6}", credit.customs_code)
        assert credit.authority == "淮安海关"
        assert datetime.date(2022, 1, 1) <= credit.rated_on <= REFERENCE_DATE
    assert set(ratings) == {"高级认证企业", "一般信用企业", "失信企业"}
    assert ratings.most_common(1)[0][0] == "一般信用企业"

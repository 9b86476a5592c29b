"""Synthetic civil affairs records: deterministic, consistent with ``spouse_of``, plausible."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from gateway.domain.subjects import normalize_resident_id
from mocks import civil
from mocks.civil.data import LEGAL_AGE, legal_from
from mocks.civil.records import CivilRecords
from mocks.synthetic import (
    REFERENCE_DATE,
    Tier,
    add_years,
    person,
    spouse_of,
    tier_of,
)
from mocks.wire import SubjectRef
from tests.mocks.helpers import EXAMPLES, known_records, reading, resident_ids, subject_refs

REGISTRY = re.compile(
    r"(淮安市(清江浦区|淮阴区|淮安区|洪泽区)|涟水县|盱眙县|金湖县)民政局婚姻登记处"
)

records_for = reading(CivilRecords, civil.records_for)  # the JSON, read back


def known(count: int) -> list[tuple[SubjectRef, CivilRecords]]:
    """People born from 1950 to 2023 whom civil affairs knows."""
    return known_records(records_for, subject_refs("natural", resident_ids(count)))


def test_same_subject_same_records() -> None:
    for tier in Tier:
        ref = SubjectRef(kind="natural", id=EXAMPLES["natural"][tier])
        first, second = civil.records_for(ref), civil.records_for(ref)  # the JSON answers
        assert (first is None) == (tier is Tier.UNKNOWN)
        if first is not None:
            assert second is not None
            assert first == second


def test_unknown_subjects_are_not_found() -> None:
    unknown = EXAMPLES["natural"][Tier.UNKNOWN]
    assert civil.records_for(SubjectRef(kind="natural", id=unknown)) is None
    bad_check_digit = EXAMPLES["natural"][Tier.RICH][:-1] + "0"
    assert civil.records_for(SubjectRef(kind="natural", id=bad_check_digit)) is None


def test_legal_persons_are_not_kept() -> None:
    for tier in Tier:
        assert civil.records_for(SubjectRef(kind="legal", id=EXAMPLES["legal"][tier])) is None


def test_empty_tier_keeps_its_marriages_and_is_likeliest_to_get_assistance() -> None:
    """Civil affairs holds no assets: the empty tier still has its marriages (leads)."""
    people = known(3000)
    empties = [(r, m) for r, m in people if tier_of(r.id) is Tier.EMPTY]
    ordinary = [(r, m) for r, m in people if tier_of(r.id) is Tier.ORDINARY]
    assert len(empties) > 200
    for ref, records in empties:
        spouse = spouse_of(person(ref))
        assert (records.current_spouse is None) == (spouse is None)
    assert any(records.current_spouse is not None for _, records in empties)
    helped_empty = sum(bool(m.assistance) for _, m in empties) / len(empties)
    helped_ordinary = sum(bool(m.assistance) for _, m in ordinary) / len(ordinary)
    assert helped_empty > 2 * helped_ordinary > 0


def test_the_current_spouse_is_the_one_every_agency_knows() -> None:
    married = 0
    for ref, records in known(1500):
        spouse = spouse_of(person(ref))
        if spouse is None:
            assert records.current_spouse is None
            continue
        married += 1
        assert records.current_spouse is not None
        assert records.current_spouse.name == spouse.name
        assert records.current_spouse.id_number == spouse.id
        last = records.marriages[-1]
        assert last.registration_type == "结婚"
        assert (last.spouse_name, last.spouse_id_number) == (spouse.name, spouse.id)
    assert married > 600


def test_the_example_spouse_is_named_as_in_the_land_registry() -> None:
    ref = SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.ORDINARY])
    records = civil.records_for(ref)
    assert records is not None
    assert records["currentSpouse"] == {"name": "范霞娜", "idNumber": "320812197710061728"}


def test_marriages_are_at_legal_age_in_order_and_divorces_follow_marriages() -> None:
    remarried = divorced_only = 0
    for ref, records in known(2000):
        resident = person(ref)
        marriages = records.marriages
        days = [m.registered_on for m in marriages]
        assert days == sorted(days)
        assert all(day <= REFERENCE_DATE for day in days)
        kinds = [m.registration_type for m in marriages]
        # pairs of 结婚 + 离婚, then at most one 结婚 (the current marriage)
        assert kinds in ([], ["结婚"], ["结婚", "离婚"], ["结婚", "离婚", "结婚"])
        assert (kinds[-1:] == ["结婚"]) == (records.current_spouse is not None)
        for registration in marriages:
            assert normalize_resident_id(registration.spouse_id_number) == (
                registration.spouse_id_number
            )
            other_gender = "男" if int(registration.spouse_id_number[16]) % 2 else "女"
            assert other_gender != resident.gender
            assert registration.spouse_id_number != ref.id
            assert REGISTRY.fullmatch(registration.registry)
            prefix = "J" if registration.registration_type == "结婚" else "L"
            assert re.fullmatch(
                rf"{prefix}3208\d\d-{registration.registered_on.year}-\d{{6}}",
                registration.certificate_number,
            )
            if registration.registration_type == "结婚":
                other_birth = datetime.date(
                    int(registration.spouse_id_number[6:10]),
                    int(registration.spouse_id_number[10:12]),
                    int(registration.spouse_id_number[12:14]),
                )
                earliest = max(
                    legal_from(resident.birth_date, resident.gender),
                    legal_from(other_birth, other_gender),
                )
                if earliest <= REFERENCE_DATE:
                    assert earliest <= registration.registered_on
                else:  # spouse_of's husband is not yet 22: registered on the last known day
                    assert registration.registered_on == REFERENCE_DATE
        if kinds[:2] == ["结婚", "离婚"]:
            former = marriages[0].spouse_id_number
            assert marriages[1].spouse_id_number == former
            if records.current_spouse is not None:
                assert records.current_spouse.id_number != former
                remarried += 1
            else:
                divorced_only += 1
    assert remarried > 10
    assert divorced_only > 50


def test_rich_adults_without_a_spouse_are_divorced() -> None:
    records = records_for(SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.RICH]))
    assert records is not None
    assert records.current_spouse is None
    assert [m.registration_type for m in records.marriages] == ["结婚", "离婚"]


def test_minors_have_no_marriage_and_no_assistance() -> None:
    minors = 0
    for ref, records in known(1500):
        if add_years(person(ref).birth_date, 18) >= REFERENCE_DATE:  # not yet 18
            minors += 1
            assert records.marriages == []
            assert records.assistance == []
            assert records.current_spouse is None
    assert minors > 50


def test_assistance_is_rare_never_rich_and_plausible() -> None:
    people = known(3000)
    helped = [(r, m) for r, m in people if m.assistance]
    assert 0 < len(helped) < len(people) / 10
    programs = set()
    for ref, records in helped:
        assert tier_of(ref.id) in (Tier.EMPTY, Tier.ORDINARY)
        resident = person(ref)
        for grant in records.assistance:
            programs.add(grant.program)
            assert grant.program in ("最低生活保障", "特困人员救助供养（五保）")
            assert grant.since <= REFERENCE_DATE
            assert grant.since.year >= resident.birth_date.year + 18
            assert grant.monthly_amount > 0
            assert grant.monthly_amount.as_tuple().exponent == -2
            assert grant.office.endswith("民政局")
            if grant.status == "在保":
                assert grant.until is None
            else:
                assert grant.status == "停保"
                assert grant.until is not None
                assert grant.since < grant.until <= REFERENCE_DATE
            if grant.program.startswith("特困"):
                # five-guarantee support is for the old with no one to support them
                assert records.current_spouse is None
                assert resident.birth_date.year <= REFERENCE_DATE.year - 60
                assert grant.monthly_amount >= Decimal("1000")
        if tier_of(ref.id) is Tier.ORDINARY:  # people with some assets: past assistance only
            assert all(grant.status == "停保" for grant in records.assistance)
    assert programs == {"最低生活保障", "特困人员救助供养（五保）"}


@pytest.mark.parametrize("gender", ["男", "女"])
def test_legal_age_is_the_statutory_one(gender: str) -> None:
    birth = datetime.date(2000, 3, 1)
    assert legal_from(birth, gender) == datetime.date(2000 + LEGAL_AGE[gender], 3, 1)
    assert LEGAL_AGE == {"男": 22, "女": 20}
